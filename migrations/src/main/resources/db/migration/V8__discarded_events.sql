-- Parked events an operator discarded (bin/pipeline parked discard): each row as it was parked, with who
-- discarded it, when and why. The read model's position moved past them; a rebuild meets them again.
CREATE TABLE readmodel.discarded_events (
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
    parked_at       timestamptz NOT NULL,
    discarded_by    text        NOT NULL,
    discarded_at    timestamptz NOT NULL DEFAULT now(),
    reason          text        NOT NULL CHECK (reason <> '')
);

CREATE INDEX discarded_events_aggregate_idx ON readmodel.discarded_events (projection, aggregate_id);
