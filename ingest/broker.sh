#!/usr/bin/env bash
# A single-node KRaft Kafka broker on 127.0.0.1 for tests, the Kafka demo and measurements (./ringside broker).
#
#   ingest/broker.sh start [DIR]   formats DIR (default: a new temporary directory) and starts a broker whose
#                                  listener and controller bind 127.0.0.1 on two free ports chosen now; waits
#                                  until it is ready, writes its bootstrap address to DIR/bootstrap and prints
#                                  "DIR BOOTSTRAP". The broker runs in the background (pid in DIR/broker.pid).
#   ingest/broker.sh stop DIR      SIGTERM, then SIGKILL after RINGSIDE_BROKER_STOP_TIMEOUT seconds (default 20).
#
# The jars (kafka_2.13 and its dependencies, slf4j-simple) come from ingest/broker/pom.xml, fetched when missing or stale (see jars()).
# The broker's log goes to DIR/broker.log; its data to DIR/data. Nothing binds anything but 127.0.0.1.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
lib="$here/broker/target/lib"
java="${JAVA_HOME:+$JAVA_HOME/bin/}java"
ready_timeout=${RINGSIDE_BROKER_READY_TIMEOUT:-60}
stop_timeout=${RINGSIDE_BROKER_STOP_TIMEOUT:-20}

die() { echo "broker: $*" >&2; exit 1; }

# Fetched again when ingest/broker/pom.xml or the parent pom (which pins the versions) changed since: copying into
# the old directory would leave both versions of a jar on the classpath.
jars() {
    local stamp="$lib/.fetched"
    if [[ ! -f "$stamp" || "$here/broker/pom.xml" -nt "$stamp" || "$here/../pom.xml" -nt "$stamp" ]]; then
        echo "broker: fetching the broker's jars (mvn -q -f ingest/broker/pom.xml package)..." >&2
        rm -rf "$lib"
        mvn -q -B -f "$here/broker/pom.xml" package >&2 || die "could not build $lib"
        touch "$stamp"
    fi
}

# A port free on 127.0.0.1 now: bind port 0 and read what the kernel gave. Two runs never get the same one
# while both hold it; the broker binds it within a second.
free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# A random cluster id, base64url of 16 bytes as Kafka's own. Never one that begins with '-': 1 in 64 would, and the
# storage tool would take it for an option ("argument --cluster-id/-t: expected one argument").
cluster_id() {
    python3 -c 'import uuid,base64
while True:
    s = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
    if not s.startswith("-"):
        print(s)
        break'
}

alive() { [[ -f "$1/broker.pid" ]] && kill -0 "$(cat "$1/broker.pid")" 2>/dev/null; }

start() {
    local dir=${1:-}
    if [[ -z "$dir" ]]; then dir=$(mktemp -d "${TMPDIR:-/tmp}/ringside-broker-XXXXXX"); fi
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    alive "$dir" && die "a broker already runs in $dir (pid $(cat "$dir/broker.pid")): stop it first"
    jars
    local port controller
    port=$(free_port)
    controller=$(free_port)
    while [[ "$controller" == "$port" ]]; do controller=$(free_port); done
    rm -rf "$dir/data" "$dir/bootstrap"
    cat > "$dir/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$controller
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$controller
advertised.listeners=PLAINTEXT://127.0.0.1:$port
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$dir/data
num.partitions=1
default.replication.factor=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=true
num.network.threads=2
num.io.threads=2
log.flush.interval.messages=9223372036854775807
PROPS
    local cp="$lib/*"
    "$java" -Xmx512m -cp "$cp" kafka.tools.StorageTool format -t "$(cluster_id)" \
        -c "$dir/server.properties" > "$dir/format.log" 2>&1 || { cat "$dir/format.log" >&2; die "formatting $dir/data failed"; }
    # setsid: the broker survives the shell that started it, and a test's process group kill does not reach it by accident
    setsid "$java" -Xmx512m -Xms512m -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -Djava.awt.headless=true \
        -Dorg.slf4j.simpleLogger.defaultLogLevel=info -Dorg.slf4j.simpleLogger.showDateTime=true \
        -cp "$cp" kafka.Kafka "$dir/server.properties" > "$dir/broker.log" 2>&1 < /dev/null &
    echo $! > "$dir/broker.pid"
    local deadline=$((SECONDS + ready_timeout))
    until grep -q "Kafka Server started" "$dir/broker.log" 2>/dev/null; do
        if ! alive "$dir"; then tail -30 "$dir/broker.log" >&2; die "the broker exited while starting (log: $dir/broker.log)"; fi
        if (( SECONDS >= deadline )); then stop "$dir" >&2 || true; die "the broker was not ready within ${ready_timeout}s (log: $dir/broker.log)"; fi
        sleep 0.2
    done
    echo "127.0.0.1:$port" > "$dir/bootstrap"
    echo "$dir 127.0.0.1:$port"
}

stop() {
    local dir=${1:-}
    [[ -n "$dir" ]] || { echo "usage: broker.sh stop DIR" >&2; exit 2; }
    [[ -d "$dir" ]] || { echo "broker: no such directory $dir" >&2; exit 2; }
    [[ -f "$dir/broker.pid" ]] || { echo "broker: no broker.pid in $dir: nothing to stop" >&2; return 0; }
    local pid
    pid=$(cat "$dir/broker.pid")
    if kill -0 "$pid" 2>/dev/null; then
        kill -TERM "$pid" 2>/dev/null || true
        local deadline=$((SECONDS + stop_timeout))
        while kill -0 "$pid" 2>/dev/null && (( SECONDS < deadline )); do sleep 0.2; done
        if kill -0 "$pid" 2>/dev/null; then
            echo "broker: pid $pid did not stop within ${stop_timeout}s: SIGKILL" >&2
            kill -KILL "$pid" 2>/dev/null || true
            while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
        fi
    fi
    rm -f "$dir/broker.pid" "$dir/bootstrap"
}

case "${1:-}" in
    start) shift; start "${1:-}" ;;
    stop) shift; stop "${1:-}" ;;
    jars) jars ;;
    *) echo "usage: broker.sh start [DIR] | stop DIR" >&2; exit 2 ;;
esac
