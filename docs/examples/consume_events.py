#!/usr/bin/env python3
"""Reads events.document from its first event as a member of a consumer group, and prints one line per
event: aggregate id, version, event type, separated by tabs. Each (aggregateId, eventVersion) is
printed once, by the rule of docs/topics.md ("Delivery, ordering and duplicates"):

- a version at or below the last one printed for its aggregate is a duplicate: skipped;
- the version right after it is printed, and becomes the aggregate's last version;
- a version further ahead is not printed yet: an earlier one has not arrived, and the relay sends the
  aggregate's events again from the missing one.

The last version per aggregate is kept in a SQLite file and committed once per batch; the group's
offsets are stored for commit only after that, so a crash repeats events (skipped as duplicates) and
never loses one. A real consumer writes its output in the same transaction as these versions.

    pip install confluent-kafka
    python3 docs/examples/consume_events.py --bootstrap kafka-1:9092 --group my-analytics
    python3 docs/examples/consume_events.py --exit-at-end ...    # stop once every partition is read
    python3 docs/examples/consume_events.py -X security.protocol=SASL_SSL -X sasl.mechanisms=PLAIN ...

To start over, delete the state file and reset the group to the earliest offsets (docs/topics.md).
"""

import argparse
import json
import signal
import sqlite3
import sys

from confluent_kafka import Consumer, KafkaError, KafkaException


def parse_args():
    parser = argparse.ArgumentParser(description="Print each event of a topic once: aggregate id, version, event type.")
    parser.add_argument("--bootstrap", default="127.0.0.1:19092", help="Kafka bootstrap servers")
    parser.add_argument("--group", default="consume-events-example", help="consumer group id (your own)")
    parser.add_argument("--topic", default="events.document")
    parser.add_argument("--state", default="consume_events.sqlite", help="SQLite file with the last version per aggregate")
    parser.add_argument("--exit-at-end", action="store_true", help="stop once every assigned partition is read to its end")
    parser.add_argument("-X", dest="settings", action="append", default=[], metavar="KEY=VALUE",
                        help="any librdkafka setting, e.g. -X security.protocol=SASL_SSL")
    return parser.parse_args()


class Versions:
    """The last version printed per aggregate, in SQLite."""

    def __init__(self, path):
        self.db = sqlite3.connect(path)
        self.db.execute("CREATE TABLE IF NOT EXISTS versions (aggregate_id TEXT PRIMARY KEY, version INTEGER NOT NULL)")
        self.db.commit()

    def last(self, aggregate_id):
        row = self.db.execute("SELECT version FROM versions WHERE aggregate_id = ?", (aggregate_id,)).fetchone()
        return row[0] if row else 0

    def advance(self, aggregate_id, version):
        self.db.execute("INSERT INTO versions (aggregate_id, version) VALUES (?, ?) "
                        "ON CONFLICT (aggregate_id) DO UPDATE SET version = excluded.version", (aggregate_id, version))

    def commit(self):
        self.db.commit()

    def close(self):
        self.db.close()


def main():
    args = parse_args()
    config = {
        "bootstrap.servers": args.bootstrap,
        "group.id": args.group,
        "auto.offset.reset": "earliest",
        # offsets are committed in the background, but only those stored after the batch's versions committed
        "enable.auto.commit": True,
        "enable.auto.offset.store": False,
        "enable.partition.eof": args.exit_at_end,
    }
    for setting in args.settings:
        key, _, value = setting.partition("=")
        config[key] = value

    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
    signal.signal(signal.SIGINT, lambda *_: stopping.append(True))

    versions = Versions(args.state)
    consumer = Consumer(config)
    consumer.subscribe([args.topic])
    printed = duplicates = held_back = 0
    at_end = set()
    try:
        while not stopping:
            messages = consumer.consume(num_messages=500, timeout=1.0)
            events = []
            for message in messages:
                error = message.error()
                if error is not None:
                    if error.code() == KafkaError._PARTITION_EOF:
                        at_end.add((message.topic(), message.partition()))
                        continue
                    raise KafkaException(error)
                at_end.discard((message.topic(), message.partition()))
                events.append(message)

            batch = {}  # the batch's own advances, before they are committed
            for message in events:
                event = json.loads(message.value())
                aggregate_id, version = event["aggregateId"], event["eventVersion"]
                last = batch.get(aggregate_id)
                if last is None:
                    last = versions.last(aggregate_id)
                if version <= last:
                    duplicates += 1
                elif version == last + 1:
                    print(f"{aggregate_id}\t{version}\t{event['eventType']}")
                    versions.advance(aggregate_id, version)
                    batch[aggregate_id] = version
                    printed += 1
                else:
                    print(f"held back {aggregate_id} v{version}: v{last + 1} has not arrived yet", file=sys.stderr)
                    held_back += 1
            sys.stdout.flush()
            versions.commit()
            for message in events:
                consumer.store_offsets(message=message)

            assignment = consumer.assignment()
            if args.exit_at_end and assignment and all((p.topic, p.partition) in at_end for p in assignment):
                break
    finally:
        consumer.close()  # commits the stored offsets and leaves the group
        versions.close()
        print(f"{printed} printed, {duplicates} duplicate(s) skipped, {held_back} held back", file=sys.stderr)


if __name__ == "__main__":
    main()
