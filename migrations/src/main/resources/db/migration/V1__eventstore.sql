-- The event store: the single source of truth. Only the event writer inserts into it; rows are never
-- updated or deleted.
CREATE SCHEMA eventstore;

CREATE TABLE eventstore.events (
    id             uuid        PRIMARY KEY,
    sequence       bigserial   NOT NULL UNIQUE,
    aggregate_id   uuid        NOT NULL,
    aggregate_type text        NOT NULL CHECK (aggregate_type ~ '^[a-z][a-z0-9_-]{0,99}$'),
    event_type     text        NOT NULL CHECK (event_type <> ''),
    event_version  integer     NOT NULL CHECK (event_version >= 1),
    payload        jsonb       NOT NULL CHECK (jsonb_typeof(payload) = 'object'),
    metadata       jsonb       NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(metadata) = 'object'),
    created_at     timestamptz NOT NULL DEFAULT now(),
    -- optimistic concurrency: two writers appending the same version collide here
    CONSTRAINT events_aggregate_version_key UNIQUE (aggregate_id, event_version)
);

CREATE INDEX events_aggregate_type_sequence_idx ON eventstore.events (aggregate_type, sequence);

-- The relay reads inserts of this table only, through this publication (pgoutput). It is created here,
-- not by Debezium, so the relay needs no right to create publications.
CREATE PUBLICATION pipeline_events FOR TABLE eventstore.events WITH (publish = 'insert');
