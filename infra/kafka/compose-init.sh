#!/bin/sh
# The admin step of the secured Kafka in infra/compose.yaml (ADR 0015), run once per `up` by the
# kafka-init service inside the kafka container's network namespace, so that it reaches the
# broker's loopback admin listener (127.0.0.1:9095, PLAINTEXT, a super user; not reachable from
# other containers). Uses the Kafka CLI tools of the apache/kafka image. Idempotent.
#
# The same grants as infra/kafka/KafkaSecurity.java (kafka.sh admin), which the tests exercise:
#   node P:    WRITE, READ, DESCRIBE on <prefix><topic> for every domain and analytics topic
#              (LITERAL); READ on groups <prefix>P. (PREFIXED)
#   analyst P: READ, DESCRIBE on the analytics topics only (ADR 0031); READ on groups <prefix>P.
#
# Environment: DUBAN_KAFKA_NODES ("principal:password" separated by spaces), DUBAN_KAFKA_ANALYSTS
# (same form), KAFKA_ADMIN_USERNAME / KAFKA_ADMIN_PASSWORD (a SCRAM super user for tools on the
# Docker host), KAFKA_TOPIC_PREFIX, KAFKA_PARTITIONS; KAFKA_INIT_BOOTSTRAP and KAFKA_BIN_DIR to run
# it elsewhere (checked that way against `KAFKA_SECURITY=sasl kafka.sh start`, with wrappers around
# Kafka 4.4's org.apache.kafka.tools.{TopicCommand,ConfigCommand,AclCommand}).
set -eu

BOOTSTRAP="${KAFKA_INIT_BOOTSTRAP:-127.0.0.1:9095}" # overridable to try the script outside Compose
BIN="${KAFKA_BIN_DIR:-/opt/kafka/bin}"
PREFIX="${KAFKA_TOPIC_PREFIX:-}"
# Must match packages/events/src/envelope.ts TOPICS.
DOMAIN_TOPICS="duban.tasks duban.reminders duban.scoring duban.notifications duban.security duban.org duban.dead-letters"
# Must match packages/events/src/envelope.ts ANALYTICS_TOPICS: the only topics an analyst may read.
ANALYTICS_TOPICS="duban.analytics.tasks duban.analytics.reminders duban.analytics.scoring duban.analytics.notifications duban.analytics.security duban.analytics.org"
TOPICS="$DOMAIN_TOPICS $ANALYTICS_TOPICS"
# The tools' JVMs, not the broker's heap.
export KAFKA_HEAP_OPTS="-Xmx128m"

say() { printf 'kafka-init: %s\n' "$*"; }

set_user() { # name password
  "$BIN/kafka-configs.sh" --bootstrap-server "$BOOTSTRAP" --alter --entity-type users --entity-name "$1" \
    --add-config "SCRAM-SHA-512=[iterations=8192,password=$2]" >/dev/null
}

grant() { # principal topics operations...
  principal="$1"
  topics="$2"
  shift 2
  topic_args=""
  for t in $topics; do topic_args="$topic_args --topic $PREFIX$t"; done
  op_args=""
  for op in "$@"; do op_args="$op_args --operation $op"; done
  # shellcheck disable=SC2086 # word lists built above
  "$BIN/kafka-acls.sh" --bootstrap-server "$BOOTSTRAP" --add --allow-principal "User:$principal" \
    $op_args $topic_args >/dev/null
  # The "." ends the principal: groups of "unit-001" never match those of "unit-0012".
  "$BIN/kafka-acls.sh" --bootstrap-server "$BOOTSTRAP" --add --allow-principal "User:$principal" \
    --operation Read --group "$PREFIX$principal." --resource-pattern-type prefixed >/dev/null
}

for t in $TOPICS; do
  "$BIN/kafka-topics.sh" --bootstrap-server "$BOOTSTRAP" --create --if-not-exists --topic "$PREFIX$t" \
    --partitions "${KAFKA_PARTITIONS:-6}" --replication-factor 1 >/dev/null
done
say "topics ready: $TOPICS (prefix '$PREFIX')"

set_user "${KAFKA_ADMIN_USERNAME:-admin}" "${KAFKA_ADMIN_PASSWORD:?KAFKA_ADMIN_PASSWORD is required}"
say "admin user ${KAFKA_ADMIN_USERNAME:-admin} ready"

for entry in ${DUBAN_KAFKA_NODES:-}; do
  set_user "${entry%%:*}" "${entry#*:}"
  grant "${entry%%:*}" "$TOPICS" Write Read Describe
  say "node principal ${entry%%:*}: may write and read the domain and analytics topics, groups ${PREFIX}${entry%%:*}.*"
done
for entry in ${DUBAN_KAFKA_ANALYSTS:-}; do
  set_user "${entry%%:*}" "${entry#*:}"
  grant "${entry%%:*}" "$ANALYTICS_TOPICS" Read Describe
  say "analyst principal ${entry%%:*}: may read the analytics topics only, groups ${PREFIX}${entry%%:*}.*"
done
