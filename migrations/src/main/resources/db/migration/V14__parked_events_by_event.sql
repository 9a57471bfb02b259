-- A parked event is the event, not the place it was read: topics made again (bin/pipeline republish, a
-- topic deleted and recreated) number their records from offset 0 anew, and a parked row keyed by its
-- topic, partition and offset would then be taken for another aggregate's event read at the same place.
-- A parked event is keyed by its sequence; a record that was not an event, which has none, by its place.
-- The same event parked twice (read again after a relay's crash) keeps its first row.
DELETE FROM readmodel.parked_events p
 USING readmodel.parked_events earlier
 WHERE p.projection = earlier.projection AND p.sequence = earlier.sequence
   AND (earlier.parked_at, earlier.topic, earlier.kafka_partition, earlier.kafka_offset)
     < (p.parked_at, p.topic, p.kafka_partition, p.kafka_offset);

ALTER TABLE readmodel.parked_events DROP CONSTRAINT parked_events_pkey;
CREATE UNIQUE INDEX parked_events_event_key ON readmodel.parked_events (projection, sequence) WHERE sequence IS NOT NULL;
CREATE UNIQUE INDEX parked_events_record_key ON readmodel.parked_events (projection, topic, kafka_partition, kafka_offset)
    WHERE sequence IS NULL;

-- parked discard drops the event that failed (or the one named); an event dropped only because an earlier
-- one of its aggregate was refused is dropped by asking for it (--with-later-events), and its audit row
-- says so. Earlier discards dropped every parked event of an aggregate: their later events are marked.
ALTER TABLE readmodel.discarded_events ADD COLUMN later_event boolean NOT NULL DEFAULT false;
UPDATE readmodel.discarded_events SET later_event = true WHERE error LIKE 'an earlier event of aggregate % is parked';
