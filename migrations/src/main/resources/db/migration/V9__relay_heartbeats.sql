-- The relay's heartbeat: it inserts a row here every heartbeat interval (Debezium's heartbeat.action.query),
-- through the relay's publication, so that its replication slot moves on while eventstore.events is quiet
-- and the rest of the server writes WAL; otherwise the slot would hold that WAL back. Rows older than an
-- hour are deleted by the same statement. The relay publishes nothing for them.
CREATE TABLE eventstore.relay_heartbeats (
    id      bigserial   PRIMARY KEY,
    slot    text        NOT NULL,
    beat_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX relay_heartbeats_beat_at_idx ON eventstore.relay_heartbeats (beat_at);

ALTER PUBLICATION pipeline_events ADD TABLE eventstore.relay_heartbeats;
