#!/usr/bin/env bash
# Reads events.document from its first event as a member of a consumer group, and prints one line per
# event: aggregate id, version, event type, separated by tabs. Duplicates are printed as they come; see
# consume_events.py for a consumer that applies each version once (docs/topics.md, "Delivery").
#
#   BOOTSTRAP=kafka-1:9092 GROUP=my-look docs/examples/consume-events.sh
#   EXIT_AT_END=1 ...          stop once every partition of the group has been read to its end
#   TOPIC=events.customer ...  another topic
#   KCAT_OPTS='-X security.protocol=SASL_SSL -X sasl.mechanisms=PLAIN -X sasl.username=… -X sasl.password=…'
#
# A new group starts at the first event (auto.offset.reset=earliest); a group that has committed offsets
# goes on from them: reset it to read everything again (docs/topics.md, "Replaying a topic").
# Needs kcat (with librdkafka 1.0 or later) and jq.
set -euo pipefail

bootstrap="${BOOTSTRAP:-127.0.0.1:19092}"
group="${GROUP:-consume-events-example}"
topic="${TOPIC:-events.document}"

args=(-b "$bootstrap" -G "$group" -X auto.offset.reset=earliest -f '%s\n' -u -q)
if [[ "${EXIT_AT_END:-0}" == 1 ]]; then
  args+=(-e)
fi
if [[ -n "${KCAT_OPTS:-}" ]]; then
  read -r -a extra <<<"$KCAT_OPTS"
  args+=("${extra[@]}")
fi

kcat "${args[@]}" "$topic" \
  | jq --unbuffered -r '[.aggregateId, (.eventVersion | tostring), .eventType] | @tsv'
