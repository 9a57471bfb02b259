-- Relay shards: with relay-shards N (2, 4 or 8), shard k of N reads its own replication slot through the
-- publication pipeline_events_<N>_<k>, which carries the events of the aggregates whose id's last byte is k
-- modulo N. An aggregate's events all go through one shard, so they stay in order. The id's bytes, not a
-- hash function, pick the shard: the mapping can never change under a deployment. A shard's heartbeats
-- reach its own slot only, by the publication they name. N = 1 is pipeline_events, unchanged.
ALTER TABLE eventstore.relay_heartbeats ADD COLUMN publication text;

DO $$
DECLARE
    shards int;
    shard  int;
BEGIN
    FOREACH shards IN ARRAY ARRAY[2, 4, 8] LOOP
        FOR shard IN 0 .. shards - 1 LOOP
            EXECUTE format('CREATE PUBLICATION %I FOR TABLE eventstore.events WHERE (get_byte(uuid_send(aggregate_id), 15) %% %s = %s),'
                    || ' eventstore.relay_heartbeats WHERE (publication = %L) WITH (publish = ''insert'')',
                'pipeline_events_' || shards || '_' || shard, shards, shard, 'pipeline_events_' || shards || '_' || shard);
        END LOOP;
    END LOOP;
END
$$;
