package io.wirehub.event;

import java.util.Objects;

/** An event as a publisher sends it, before the store gives it a seq. Already validated. */
public record NewEvent(String topic, String type, String data, boolean json) {
    public NewEvent {
        Objects.requireNonNull(topic);
        Objects.requireNonNull(data);
    }
}
