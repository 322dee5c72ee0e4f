package io.wirehub.store;

/** The store could not be reached; nothing of the operation took effect. */
public class StoreUnavailableException extends RuntimeException {
    public StoreUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
