-- Runs with search_path set to the configured schema (store.postgres.schema), inside the
-- migration transaction that also records it in schema_version, under the advisory lock: so it
-- runs once per schema, however many instances start at once.

-- The store generation: a random token made once, when the schema gets this table. Every
-- instance on the schema reads the same one and writes it into its cursors (the SSE id); a
-- cursor with another epoch comes from another store (another database or schema, or one
-- dropped and created again) and gets a reset instead of being taken at its word.
CREATE TABLE store_epoch (
    single boolean PRIMARY KEY DEFAULT true CHECK (single),  -- at most one row
    epoch  text    NOT NULL CHECK (epoch ~ '^[0-9a-z]{1,32}$')
);

INSERT INTO store_epoch (epoch) VALUES (substr(md5(random()::text || clock_timestamp()::text), 1, 8));
