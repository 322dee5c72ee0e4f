package io.wirehub.store.postgres;

import io.wirehub.event.Event;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/** Events to and from rows: the column list every read selects, and the one place that maps it. */
final class EventRows {
    static final String COLUMNS = "seq, type, data, json, created_at";

    private EventRows() {}

    /** Reads every remaining row of {@link #COLUMNS} (possibly after other columns) as events of the topic. */
    static List<Event> read(String topic, ResultSet rows) throws SQLException {
        List<Event> events = new ArrayList<>();
        while (rows.next()) {
            events.add(event(topic, rows));
        }
        return events;
    }

    static Event event(String topic, ResultSet rows) throws SQLException {
        return new Event(
                topic,
                rows.getLong("seq"),
                rows.getString("type"),
                rows.getString("data"),
                rows.getBoolean("json"),
                rows.getObject("created_at", OffsetDateTime.class).toInstant().toEpochMilli());
    }

    static OffsetDateTime timestamp(long epochMillis) {
        return OffsetDateTime.ofInstant(Instant.ofEpochMilli(epochMillis), ZoneOffset.UTC);
    }
}
