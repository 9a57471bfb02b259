-- The slots bin/pipeline reshard prepare made for a new layout of relay shards. A relay whose slot is listed
-- here streams from it without a snapshot, since every event committed before the slot's point was published
-- by the layout it replaces. Any other slot is Debezium's own, made at its first start with its snapshot, and
-- a relay killed during that snapshot must take it again. The relay removes a slot's row once the slot is
-- gone (dropped by reshard finish, or lost), before anything makes a slot of that name again.
CREATE TABLE eventstore.relay_prepared_slots (
    slot_name   text        PRIMARY KEY,
    point       pg_lsn      NOT NULL,
    prepared_at timestamptz NOT NULL DEFAULT now()
);

GRANT SELECT, INSERT, DELETE ON eventstore.relay_prepared_slots TO pipeline_relay;
