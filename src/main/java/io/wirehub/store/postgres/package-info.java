/**
 * The production store: PostgreSQL through HikariCP and plain JDBC, with group commit, additive
 * migrations, retention and shared idempotency keys.
 *
 * <p>May use {@code store}, {@code event}, {@code config}, HikariCP and JDBC; nothing of HTTP.
 */
package io.wirehub.store.postgres;
