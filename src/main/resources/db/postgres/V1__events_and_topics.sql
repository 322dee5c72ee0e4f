-- Runs with search_path set to the configured schema (store.postgres.schema), inside the
-- migration transaction that also records it in schema_version.

-- One row per topic that ever had an event: the last seq given. It is never deleted, not even
-- when retention removes every event of the topic, so seqs keep counting and an old cursor is
-- seen as "past retention" rather than as a cursor ahead of the topic.
CREATE TABLE topics (
    topic text PRIMARY KEY,
    seq   bigint NOT NULL CHECK (seq >= 0)
);

-- The log. The primary key (topic, seq) is the replay index:
-- WHERE topic = ? AND seq > ? ORDER BY seq LIMIT ? is one index range scan.
CREATE TABLE events (
    topic      text        NOT NULL,
    seq        bigint      NOT NULL,
    type       text,                  -- SSE event name; null for the default ("message")
    data       text        NOT NULL,
    json       boolean     NOT NULL,  -- whether data is a JSON document
    created_at timestamptz NOT NULL,
    PRIMARY KEY (topic, seq)
);

-- Retention by age deletes the oldest rows across all topics in small batches.
CREATE INDEX events_created_at ON events (created_at);
