/**
 * Who may do what: bearer-token (JWT) verification, key files and their rotation, and the topic
 * patterns a token grants ({@link io.wirehub.auth.Access}, {@link io.wirehub.auth.Grant}).
 *
 * <p>May use {@code config} and the JWT library. Knows nothing of HTTP: the edge finds the token
 * in a request ({@code http.Guard}) and hands it here.
 */
package io.wirehub.auth;
