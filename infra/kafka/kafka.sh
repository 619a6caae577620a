#!/usr/bin/env bash
# Run a REAL single-node Apache Kafka (KRaft) broker from Apache Kafka's jars on Maven Central.
# No Docker, no tarball: Maven resolves the broker classpath once into a cache directory.
#
#   kafka.sh jars      resolve the broker classpath into the cache (no-op when already complete)
#   kafka.sh start     (re)format storage, start the broker in the background, wait until ready,
#                      print KAFKA_BROKERS=127.0.0.1:<port> on stdout (everything else: stderr)
#   kafka.sh stop      SIGTERM, wait, then SIGKILL
#   kafka.sh status    exit 0 and print KAFKA_BROKERS=... if running, exit 3 otherwise
#   kafka.sh logs [-f] print the broker log (tail -n ${KAFKA_LOG_LINES:-200}) or follow it
#   kafka.sh env       print the effective settings
#   kafka.sh admin OP... users, topics and ACLs of a secured cluster (KafkaSecurity.java):
#                      user NAME:PASSWORD | topics PREFIX | node PRINCIPAL PREFIX | analyst PRINCIPAL PREFIX
#                      (an analyst reads the redacted duban.analytics.* topics only: ADR 0031)
#
# KAFKA_SECURITY=sasl adds a SASL_PLAINTEXT (SCRAM-SHA-512) listener with ACLs (StandardAuthorizer)
# and also prints KAFKA_SASL_BROKERS=...; the plaintext listener stays as the loopback admin one.
# KAFKA_SASL_TLS=1 makes that listener SASL_SSL with a self-signed certificate made on first start,
# and also prints KAFKA_SASL_CA_FILE=... (the PEM certificate clients must trust).
#
# See infra/kafka/README.md for the environment variables.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
POM="$SCRIPT_DIR/pom.xml"

# Must match the defaults in pom.xml.
KAFKA_VERSION="${DUBAN_KAFKA_VERSION:-4.4.0}"
LOG4J_VERSION="${DUBAN_KAFKA_LOG4J_VERSION:-2.25.3}"
# pom.xml, the log4j2 config and the server.properties below are for Kafka 4.x (3.9 would need
# reload4j, -Dlog4j.configuration and no share.coordinator.* settings).
[[ "$KAFKA_VERSION" == 4.* ]] || {
  printf 'kafka.sh: error: DUBAN_KAFKA_VERSION=%s: only Kafka 4.x is supported\n' "$KAFKA_VERSION" >&2
  exit 1
}

USER_HOME=~ # bash falls back to the passwd entry when HOME is unset
CACHE_ROOT="${DUBAN_KAFKA_CACHE:-${XDG_CACHE_HOME:-$USER_HOME/.cache}/duban/kafka}"
LIBS_DIR="$CACHE_ROOT/$KAFKA_VERSION/libs"
LIBS_STAMP="$LIBS_DIR/.complete"

KAFKA_HOME_DIR="${DUBAN_KAFKA_HOME:-/tmp/duban-kafka}"
DATA_DIR="$KAFKA_HOME_DIR/data"
PROPS_FILE="$KAFKA_HOME_DIR/server.properties"
LOG4J_FILE="$KAFKA_HOME_DIR/log4j2.xml"
LOG_FILE="$KAFKA_HOME_DIR/kafka.out"
PID_FILE="$KAFKA_HOME_DIR/kafka.pid"
BROKERS_FILE="$KAFKA_HOME_DIR/brokers"
CLUSTER_ID_FILE="$KAFKA_HOME_DIR/cluster.id"

PORT="${KAFKA_PORT:-9092}"
# plaintext (default) | sasl: see ADR 0015 and README.md ("Secured broker").
SECURITY="${KAFKA_SECURITY:-plaintext}"
[[ "$SECURITY" == plaintext || "$SECURITY" == sasl ]] || {
  printf 'kafka.sh: error: KAFKA_SECURITY=%s: plaintext or sasl\n' "$SECURITY" >&2
  exit 1
}
SASL_PORT="${KAFKA_SASL_PORT:-9094}"
# Bind address and advertised host of the SASL listener: 0.0.0.0 and the server's name when
# nodes on other machines connect; the plaintext admin listener always stays on 127.0.0.1.
SASL_BIND="${KAFKA_SASL_BIND:-127.0.0.1}"
SASL_ADVERTISED="${KAFKA_SASL_ADVERTISED_HOST:-127.0.0.1}"
ADMIN_USER="${KAFKA_ADMIN_USERNAME:-admin}"
ADMIN_PASSWORD="${KAFKA_ADMIN_PASSWORD:-admin-secret}"
SASL_BROKERS_FILE="$KAFKA_HOME_DIR/sasl-brokers"
SASL_TLS="${KAFKA_SASL_TLS:-0}"
TLS_DIR="$KAFKA_HOME_DIR/tls"
SASL_CA_FILE="$KAFKA_HOME_DIR/sasl-ca-file"
CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-9093}"
HOST=127.0.0.1 # not "localhost": Node may resolve it to ::1 first
START_TIMEOUT="${KAFKA_START_TIMEOUT:-120}"
STOP_TIMEOUT="${KAFKA_STOP_TIMEOUT:-30}"
HEAP_OPTS="${KAFKA_HEAP_OPTS:--Xmx512m -Xms512m}"

log() { printf 'kafka.sh: %s\n' "$*" >&2; }
die() {
  log "error: $*"
  exit 1
}

java_bin() {
  if [[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/java" ]]; then
    printf '%s\n' "$JAVA_HOME/bin/java"
  elif command -v java >/dev/null 2>&1; then
    command -v java
  else
    die "java not found (Java 17+ required; set JAVA_HOME or put java on PATH)"
  fi
}

check_java() {
  local java ver major
  java="$(java_bin)"
  ver="$("$java" -version 2>&1 | awk -F'"' '/version/ {print $2; exit}')"
  major="${ver%%.*}"
  [[ "$major" == 1 ]] && major="$(cut -d. -f2 <<<"$ver")"
  [[ "$major" =~ ^[0-9]+$ ]] || die "cannot parse the Java version from '$java -version'"
  ((major >= 17)) || die "Kafka $KAFKA_VERSION needs Java 17+, found $ver ($java)"
}

pom_hash() { sha256sum "$POM" | cut -c1-64; }

# The cache is complete when the stamp exists, was written for this pom + versions, and every
# jar it lists is still there.
libs_complete() {
  [[ -f "$LIBS_STAMP" ]] || return 1
  local want have jar
  want="$(pom_hash) kafka=$KAFKA_VERSION log4j=$LOG4J_VERSION"
  have="$(head -n1 "$LIBS_STAMP")"
  [[ "$have" == "$want" ]] || return 1
  while IFS= read -r jar; do
    [[ -n "$jar" ]] || continue
    [[ -f "$LIBS_DIR/$jar" ]] || return 1
  done < <(tail -n +2 "$LIBS_STAMP")
  return 0
}

cmd_jars() {
  if libs_complete; then
    log "broker classpath for Kafka $KAFKA_VERSION already cached in $LIBS_DIR"
    return 0
  fi
  command -v mvn >/dev/null 2>&1 || die "mvn not found (Maven is needed once to fetch the Kafka jars)"
  check_java
  log "resolving Kafka $KAFKA_VERSION broker jars with Maven into $LIBS_DIR ..."
  mkdir -p "$(dirname "$LIBS_DIR")"
  local tmp
  tmp="$(mktemp -d "$(dirname "$LIBS_DIR")/libs.tmp.XXXXXX")"
  # Maven's output (only errors with -q, plus stray ANSI resets) is shown only on failure.
  if ! mvn -q -B -f "$POM" \
    -Dkafka.version="$KAFKA_VERSION" -Dlog4j.version="$LOG4J_VERSION" \
    dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$tmp" >"$tmp.mvn.log" 2>&1; then
    cat "$tmp.mvn.log" >&2
    rm -rf "$tmp" "$tmp.mvn.log"
    rmdir "$(dirname "$LIBS_DIR")" 2>/dev/null || true
    die "Maven could not resolve org.apache.kafka:kafka_2.13:$KAFKA_VERSION (see above)"
  fi
  rm -f "$tmp.mvn.log"
  # Guard against a silent broker: SLF4J 1.7 binds nothing when slf4j 2.x sneaks in.
  if compgen -G "$tmp/slf4j-api-2.*.jar" >/dev/null || compgen -G "$tmp/log4j-slf4j2-impl-*.jar" >/dev/null; then
    rm -rf "$tmp"
    die "slf4j 2.x / log4j-slf4j2-impl on the classpath: the broker would log nothing; fix pom.xml"
  fi
  compgen -G "$tmp/kafka_2.13-$KAFKA_VERSION.jar" >/dev/null || {
    rm -rf "$tmp"
    die "kafka_2.13-$KAFKA_VERSION.jar missing after resolution"
  }
  {
    printf '%s kafka=%s log4j=%s\n' "$(pom_hash)" "$KAFKA_VERSION" "$LOG4J_VERSION"
    (cd "$tmp" && ls -1 -- *.jar)
  } >"$tmp/.complete"
  rm -rf "$LIBS_DIR"
  mv "$tmp" "$LIBS_DIR"
  log "cached $(($(wc -l <"$LIBS_STAMP") - 1)) jars ($(du -sh "$LIBS_DIR" | cut -f1)) in $LIBS_DIR"
}

# Prints the pid if the pid file names a live Kafka broker process, else fails.
running_pid() {
  [[ -f "$PID_FILE" ]] || return 1
  local pid
  pid="$(tr -dc '0-9' <"$PID_FILE")"
  [[ -n "$pid" ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  # Guard against pid reuse: the process must be our broker.
  if [[ -r "/proc/$pid/cmdline" ]]; then
    grep -qa 'kafka\.Kafka' "/proc/$pid/cmdline" || return 1
  fi
  printf '%s\n' "$pid"
}

port_in_use() {
  # bash's /dev/tcp: succeeds when something accepts on 127.0.0.1:$1
  (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null
}

new_cluster_id() {
  # 16 random bytes, base64url without padding, not starting with '-' (StorageTool rejects it).
  local id
  while :; do
    id="$(head -c16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')"
    [[ "$id" != -* ]] && break
  done
  printf '%s\n' "$id"
}

write_config() {
  cat >"$PROPS_FILE" <<EOF
# Written by infra/kafka/kafka.sh: single-node KRaft broker for development and tests.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@$HOST:$CONTROLLER_PORT
listeners=PLAINTEXT://$HOST:$PORT,CONTROLLER://$HOST:$CONTROLLER_PORT
advertised.listeners=PLAINTEXT://$HOST:$PORT
inter.broker.listener.name=PLAINTEXT
controller.listener.names=CONTROLLER
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$DATA_DIR
num.partitions=6
auto.create.topics.enable=true
offsets.topic.replication.factor=1
offsets.topic.num.partitions=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
log.segment.bytes=1073741824
EOF
  if [[ "$SECURITY" == sasl ]]; then
    local proto=SASL_PLAINTEXT
    [[ "$SASL_TLS" == 1 ]] && proto=SASL_SSL
    local name="${proto,,}"
    # Replaces the listener lines above (later keys win in a properties file). PLAINTEXT stays on
    # 127.0.0.1 as the inter-broker and admin listener: its unauthenticated principal
    # (User:ANONYMOUS) is a super user, so only processes on this machine can use it. The
    # controller listener's requests come as ANONYMOUS too and need it.
    cat >>"$PROPS_FILE" <<EOF
# KAFKA_SECURITY=sasl: SCRAM-SHA-512 for the nodes, ACLs for everyone but the super users.
listeners=PLAINTEXT://$HOST:$PORT,$proto://$SASL_BIND:$SASL_PORT,CONTROLLER://$HOST:$CONTROLLER_PORT
advertised.listeners=PLAINTEXT://$HOST:$PORT,$proto://$SASL_ADVERTISED:$SASL_PORT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,$proto:$proto
sasl.enabled.mechanisms=SCRAM-SHA-512
listener.name.$name.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer
allow.everyone.if.no.acl.found=false
super.users=User:ANONYMOUS;User:$ADMIN_USER
EOF
    if [[ "$SASL_TLS" == 1 ]]; then
      cat >>"$PROPS_FILE" <<EOF
listener.name.$name.ssl.keystore.type=PKCS12
listener.name.$name.ssl.keystore.location=$TLS_DIR/broker.p12
listener.name.$name.ssl.keystore.password=$(cat "$TLS_DIR/password")
EOF
    fi
  fi
  if [[ -n "${KAFKA_EXTRA_PROPERTIES:-}" ]]; then
    printf '# KAFKA_EXTRA_PROPERTIES\n%s\n' "$KAFKA_EXTRA_PROPERTIES" >>"$PROPS_FILE"
  fi

  cat >"$LOG4J_FILE" <<'EOF'
<?xml version="1.0" encoding="UTF-8"?>
<!-- Written by infra/kafka/kafka.sh. Everything goes to stdout, which kafka.sh sends to kafka.out. -->
<Configuration status="WARN">
  <Appenders>
    <Console name="STDOUT" target="SYSTEM_OUT">
      <PatternLayout pattern="[%d] %p %m (%c)%n"/>
    </Console>
  </Appenders>
  <Loggers>
    <Root level="INFO"><AppenderRef ref="STDOUT"/></Root>
    <Logger name="kafka.request.logger" level="WARN"/>
    <Logger name="kafka.authorizer.logger" level="WARN"/>
    <Logger name="org.apache.kafka.clients" level="WARN"/>
    <Logger name="org.apache.kafka.common.utils.AppInfoParser" level="WARN"/>
  </Loggers>
</Configuration>
EOF
}

# A self-signed certificate for the SASL_SSL listener (KAFKA_SASL_TLS=1), made once per
# DUBAN_KAFKA_HOME with the JDK's keytool; its PEM form is what clients trust (KAFKA_SSL_CA_FILE).
# For anything but a test county, bring a certificate from the county's CA instead
# (KAFKA_EXTRA_PROPERTIES with listener.name.sasl_ssl.ssl.keystore.*).
ensure_tls() {
  [[ -s "$TLS_DIR/broker.p12" && -s "$TLS_DIR/ca.pem" && -s "$TLS_DIR/password" ]] && return 0
  local keytool san
  keytool="$(dirname "$(readlink -f "$(java_bin)")")/keytool"
  [[ -x "$keytool" ]] || die "KAFKA_SASL_TLS=1 needs keytool next to java ($keytool)"
  rm -rf "$TLS_DIR"
  mkdir -p "$TLS_DIR"
  chmod 700 "$TLS_DIR"
  head -c 18 /dev/urandom | base64 | tr -d '/+=\n' >"$TLS_DIR/password"
  san="IP:127.0.0.1,DNS:localhost"
  if [[ "$SASL_ADVERTISED" =~ ^[0-9.]+$ ]]; then
    [[ "$SASL_ADVERTISED" == 127.0.0.1 ]] || san="$san,IP:$SASL_ADVERTISED"
  else
    san="$san,DNS:$SASL_ADVERTISED"
  fi
  "$keytool" -genkeypair -alias broker -keyalg RSA -keysize 2048 -validity 3650 \
    -dname "CN=$SASL_ADVERTISED" -ext "SAN=$san" -storetype PKCS12 \
    -keystore "$TLS_DIR/broker.p12" -storepass "$(cat "$TLS_DIR/password")" >/dev/null 2>&1 ||
    die "keytool could not make the broker certificate"
  "$keytool" -exportcert -rfc -alias broker -keystore "$TLS_DIR/broker.p12" \
    -storepass "$(cat "$TLS_DIR/password")" >"$TLS_DIR/ca.pem" 2>/dev/null ||
    die "keytool could not export the broker certificate"
  log "made a self-signed broker certificate for $san: $TLS_DIR/ca.pem"
}

print_brokers() {
  printf 'KAFKA_BROKERS=%s\n' "$(cat "$BROKERS_FILE" 2>/dev/null || echo "$HOST:$PORT")"
  if [[ -s "$SASL_BROKERS_FILE" ]]; then printf 'KAFKA_SASL_BROKERS=%s\n' "$(cat "$SASL_BROKERS_FILE")"; fi
  if [[ -s "$SASL_CA_FILE" ]]; then printf 'KAFKA_SASL_CA_FILE=%s\n' "$(cat "$SASL_CA_FILE")"; fi
}

cmd_start() {
  local pid
  if pid="$(running_pid)"; then
    log "already running (pid $pid, $PID_FILE)"
    print_brokers
    return 0
  fi
  rm -f "$PID_FILE"

  cmd_jars
  check_java
  local java
  java="$(java_bin)"

  local -a ports=("$PORT" "$CONTROLLER_PORT")
  [[ "$SECURITY" == sasl ]] && ports+=("$SASL_PORT")
  for p in "${ports[@]}"; do
    if port_in_use "$p"; then
      die "port $HOST:$p is already in use by another process (set KAFKA_PORT / KAFKA_CONTROLLER_PORT / KAFKA_SASL_PORT)"
    fi
  done

  mkdir -p "$KAFKA_HOME_DIR"
  local cluster_id
  if [[ "${KAFKA_KEEP_DATA:-0}" == 1 && -f "$CLUSTER_ID_FILE" && -d "$DATA_DIR" ]]; then
    cluster_id="$(cat "$CLUSTER_ID_FILE")"
    log "KAFKA_KEEP_DATA=1: reusing $DATA_DIR (cluster $cluster_id)"
  else
    rm -rf "$DATA_DIR"
    cluster_id="$(new_cluster_id)"
    printf '%s\n' "$cluster_id" >"$CLUSTER_ID_FILE"
  fi
  mkdir -p "$DATA_DIR"
  if [[ "$SECURITY" == sasl && "$SASL_TLS" == 1 ]]; then ensure_tls; fi
  write_config

  local -a jvm=(-cp "$LIBS_DIR/*" "-Dlog4j2.configurationFile=$LOG4J_FILE" "-Dkafka.logs.dir=$KAFKA_HOME_DIR/logs")
  # SCRAM credentials can be written into a KRaft log before its first start: the admin user
  # exists from the beginning; the others are added later with `kafka.sh admin user ...`.
  local -a scram=()
  if [[ "$SECURITY" == sasl ]]; then
    [[ "$ADMIN_PASSWORD" == admin-secret ]] && log "KAFKA_ADMIN_PASSWORD is the demo default: set your own outside tests"
    [[ "$ADMIN_USER$ADMIN_PASSWORD" != *[\",=\]]* ]] || die "KAFKA_ADMIN_USERNAME/PASSWORD must not contain \" , = or ]"
    scram=(--add-scram "SCRAM-SHA-512=[name=$ADMIN_USER,password=$ADMIN_PASSWORD]")
  fi
  # StorageTool format; --ignore-formatted keeps an already formatted dir (KAFKA_KEEP_DATA=1).
  if ! "$java" -Xmx256m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC "${jvm[@]}" kafka.tools.StorageTool format -t "$cluster_id" -c "$PROPS_FILE" \
    --ignore-formatted "${scram[@]}" >"$KAFKA_HOME_DIR/format.out" 2>&1; then
    cat "$KAFKA_HOME_DIR/format.out" >&2
    die "formatting $DATA_DIR failed"
  fi

  : >"$LOG_FILE"
  local t0=$SECONDS
  # shellcheck disable=SC2086 # HEAP_OPTS is a list of JVM flags
  nohup "$java" $HEAP_OPTS -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -Djava.awt.headless=true \
    "${jvm[@]}" kafka.Kafka "$PROPS_FILE" </dev/null >>"$LOG_FILE" 2>&1 &
  pid=$!
  printf '%s\n' "$pid" >"$PID_FILE"
  printf '%s:%s\n' "$HOST" "$PORT" >"$BROKERS_FILE"
  if [[ "$SECURITY" == sasl ]]; then
    printf '%s:%s\n' "$SASL_ADVERTISED" "$SASL_PORT" >"$SASL_BROKERS_FILE"
  else
    rm -f "$SASL_BROKERS_FILE"
  fi
  if [[ "$SECURITY" == sasl && "$SASL_TLS" == 1 ]]; then
    printf '%s\n' "$TLS_DIR/ca.pem" >"$SASL_CA_FILE"
  else
    rm -f "$SASL_CA_FILE"
  fi

  log "starting Kafka $KAFKA_VERSION (pid $pid), log: $LOG_FILE"
  while :; do
    if grep -q 'Kafka Server started' "$LOG_FILE" 2>/dev/null; then
      break
    fi
    if ! kill -0 "$pid" 2>/dev/null; then
      log "broker exited before it was ready; last lines of $LOG_FILE:"
      tail -n 60 "$LOG_FILE" >&2 || true
      rm -f "$PID_FILE"
      exit 1
    fi
    if ((SECONDS - t0 >= START_TIMEOUT)); then
      log "broker not ready after ${START_TIMEOUT}s; last lines of $LOG_FILE:"
      tail -n 60 "$LOG_FILE" >&2 || true
      stop_pid "$pid"
      rm -f "$PID_FILE"
      exit 1
    fi
    sleep 0.2
  done
  if [[ "$SECURITY" == sasl ]]; then
    log "$([[ "$SASL_TLS" == 1 ]] && echo SASL_SSL || echo SASL_PLAINTEXT) (SCRAM-SHA-512, ACLs) on $SASL_BIND:$SASL_PORT, super user $ADMIN_USER"
  fi
  log "Kafka $KAFKA_VERSION ready on $HOST:$PORT after $((SECONDS - t0))s (pid $pid)"
  print_brokers
}

stop_pid() {
  local pid="$1" waited=0
  kill -TERM "$pid" 2>/dev/null || return 0
  while kill -0 "$pid" 2>/dev/null; do
    if ((waited >= STOP_TIMEOUT * 5)); then
      log "still alive after ${STOP_TIMEOUT}s: SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      break
    fi
    sleep 0.2
    waited=$((waited + 1))
  done
  # Reap it if it is our child (start timed out); otherwise wait until it is gone.
  wait "$pid" 2>/dev/null || true
  while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
}

cmd_stop() {
  local pid
  if ! pid="$(running_pid)"; then
    log "not running"
    rm -f "$PID_FILE"
    return 0
  fi
  log "stopping pid $pid ..."
  stop_pid "$pid"
  rm -f "$PID_FILE"
  log "stopped"
}

cmd_status() {
  local pid
  if pid="$(running_pid)"; then
    log "running (pid $pid, Kafka $KAFKA_VERSION, home $KAFKA_HOME_DIR)"
    print_brokers
    return 0
  fi
  log "not running"
  return 3
}

cmd_logs() {
  [[ -f "$LOG_FILE" ]] || die "no log yet ($LOG_FILE)"
  if [[ "${1:-}" == -f ]]; then
    exec tail -n "${KAFKA_LOG_LINES:-200}" -F "$LOG_FILE"
  fi
  tail -n "${KAFKA_LOG_LINES:-200}" "$LOG_FILE"
}

cmd_env() {
  cat <<EOF
DUBAN_KAFKA_VERSION=$KAFKA_VERSION
DUBAN_KAFKA_LOG4J_VERSION=$LOG4J_VERSION
DUBAN_KAFKA_CACHE=$CACHE_ROOT
libs=$LIBS_DIR
DUBAN_KAFKA_HOME=$KAFKA_HOME_DIR
KAFKA_PORT=$PORT
KAFKA_CONTROLLER_PORT=$CONTROLLER_PORT
KAFKA_KEEP_DATA=${KAFKA_KEEP_DATA:-0}
KAFKA_START_TIMEOUT=$START_TIMEOUT
KAFKA_STOP_TIMEOUT=$STOP_TIMEOUT
KAFKA_HEAP_OPTS=$HEAP_OPTS
KAFKA_SECURITY=$SECURITY
KAFKA_SASL_PORT=$SASL_PORT
KAFKA_SASL_BIND=$SASL_BIND
KAFKA_SASL_ADVERTISED_HOST=$SASL_ADVERTISED
KAFKA_SASL_TLS=$SASL_TLS
KAFKA_ADMIN_USERNAME=$ADMIN_USER
EOF
}

# Users, topics and ACLs (KafkaSecurity.java, run from source by the JDK: no build step). Talks to
# KAFKA_ADMIN_BOOTSTRAP with SCRAM as KAFKA_ADMIN_USERNAME when that is set, else to this
# broker's loopback admin listener without authentication.
cmd_admin() {
  (($# > 0)) || die "admin: nothing to do (user NAME:PASSWORD | topics PREFIX | node PRINCIPAL PREFIX | analyst PRINCIPAL PREFIX)"
  cmd_jars
  check_java
  local java bootstrap
  java="$(java_bin)"
  "$java" --list-modules 2>/dev/null | grep -q '^jdk\.compiler@' ||
    die "admin: $java is a JRE; running KafkaSecurity.java from source needs a JDK (it has javac)"
  if [[ -n "${KAFKA_ADMIN_BOOTSTRAP:-}" ]]; then
    bootstrap="$KAFKA_ADMIN_BOOTSTRAP"
    export KAFKA_ADMIN_USERNAME="$ADMIN_USER" KAFKA_ADMIN_PASSWORD="$ADMIN_PASSWORD"
    # A SASL_SSL listener: trust this PEM certificate (KafkaSecurity.java).
    if [[ -n "${KAFKA_ADMIN_CA_FILE:-}" ]]; then export KAFKA_ADMIN_SSL=1; fi
  else
    running_pid >/dev/null || die "admin: no broker running under $KAFKA_HOME_DIR (or set KAFKA_ADMIN_BOOTSTRAP)"
    bootstrap="$(cat "$BROKERS_FILE")"
    unset KAFKA_ADMIN_USERNAME KAFKA_ADMIN_PASSWORD
  fi
  local log4j rc=0
  log4j="$(mktemp)"
  cat >"$log4j" <<'EOF'
<?xml version="1.0" encoding="UTF-8"?>
<Configuration status="WARN">
  <Appenders><Console name="ERR" target="SYSTEM_ERR"><PatternLayout pattern="%p %m (%c)%n"/></Console></Appenders>
  <Loggers><Root level="WARN"><AppenderRef ref="ERR"/></Root></Loggers>
</Configuration>
EOF
  "$java" -Xmx256m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -cp "$LIBS_DIR/*" "-Dlog4j2.configurationFile=$log4j" \
    "$SCRIPT_DIR/KafkaSecurity.java" "$bootstrap" "$@" </dev/null >&2 || rc=$?
  rm -f "$log4j"
  ((rc == 0)) || die "admin step failed (exit $rc)"
}

usage() {
  sed -n '2,18p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
}

case "${1:-}" in
  jars) cmd_jars ;;
  start) cmd_start ;;
  stop) cmd_stop ;;
  restart)
    cmd_stop
    cmd_start
    ;;
  status) cmd_status ;;
  logs)
    shift
    cmd_logs "$@"
    ;;
  env) cmd_env ;;
  admin)
    shift
    cmd_admin "$@"
    ;;
  -h | --help | help)
    usage
    ;;
  *)
    usage
    exit 2
    ;;
esac
