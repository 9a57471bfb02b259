-- Read models and what each projector remembers of them.
CREATE SCHEMA readmodel;

-- The last version of each aggregate a projection has applied. Kept even when the aggregate's rows are
-- deleted, so that a replay of older events does not bring a deleted aggregate back.
CREATE TABLE readmodel.projection_positions (
    projection   text    NOT NULL,
    aggregate_id uuid    NOT NULL,
    version      integer NOT NULL,
    sequence     bigint  NOT NULL,
    PRIMARY KEY (projection, aggregate_id)
);

-- Events a projection could not apply (a payload it cannot read, a row the database refuses). Once an
-- aggregate has a parked event, its later events are parked behind it, so that its order holds; other
-- aggregates go on.
CREATE TABLE readmodel.parked_events (
    projection      text        NOT NULL,
    topic           text        NOT NULL,
    kafka_partition integer     NOT NULL,
    kafka_offset    bigint      NOT NULL,
    aggregate_id    uuid,
    sequence        bigint,
    event_type      text,
    event_version   integer,
    error           text        NOT NULL,
    record_value    text,
    parked_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (projection, topic, kafka_partition, kafka_offset)
);

CREATE INDEX parked_events_aggregate_idx ON readmodel.parked_events (projection, aggregate_id);
