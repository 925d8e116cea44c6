#!/usr/bin/env bash
# A throwaway primary and its hot standby, for the read-replica tests.
#
#   .ci/replica.sh start   initdb a primary of its own on REPLICA_PRIMARY_PORT (5434), pg_basebackup
#                          -R it into a hot standby on REPLICA_PORT (5433), wait until both accept
#                          connections
#   .ci/replica.sh stop    stop both and delete their scratch directories
#
# The machine's own PostgreSQL server (5432) is neither copied nor reconfigured: a base backup of
# a tiny new cluster takes a second, where one of a shared server takes as long as its databases
# are big. `start` first removes what a killed earlier run left behind, so it can always be rerun.
# Runs as root (pg commands then run as the postgres OS user) or as postgres.
set -euo pipefail

REPLICA_PRIMARY_PORT=${REPLICA_PRIMARY_PORT:-5434}
REPLICA_PORT=${REPLICA_PORT:-5433}
REPLICA_DIR=${REPLICA_DIR:-/tmp/floorlight-replica-$REPLICA_PORT}
PG_VERSION=${PG_VERSION:-$(ls /usr/lib/postgresql | sort -V | tail -1)}
PG_BIN=/usr/lib/postgresql/$PG_VERSION/bin
PRIMARY_DATA=$REPLICA_DIR/primary
STANDBY_DATA=$REPLICA_DIR/standby
# The primary keeps the WAL the standby has not received yet in this slot, so a standby paused or
# stopped by an outage test catches up instead of being left behind.
SLOT=floorlight_standby

as_postgres() {
  if [ "$(id -un)" = postgres ]; then "$@"; else runuser -u postgres -- "$@"; fi
}

# fail MESSAGE [LOG]: the message, then the end of the log that says why.
fail() {
  echo "replica.sh: $1" >&2
  if [ -n "${2:-}" ] && [ -f "$2" ]; then tail -n 5 "$2" | sed 's/^/  /' >&2; fi
  exit 1
}

ready() {
  as_postgres "$PG_BIN/pg_isready" -h 127.0.0.1 -p "$1" -q
}

wait_ready() {
  for _ in $(seq 1 50); do
    ready "$1" && return
    sleep 0.2
  done
  fail "nothing accepts connections on 127.0.0.1:$1" "$2"
}

stop_cluster() {
  if [ -f "$1/postmaster.pid" ]; then
    # Immediate: the data is thrown away next, so nothing needs flushing.
    as_postgres "$PG_BIN/pg_ctl" -D "$1" -m immediate -w stop >/dev/null 2>&1 || true
  fi
}

stop() {
  stop_cluster "$STANDBY_DATA"
  stop_cluster "$PRIMARY_DATA"
  rm -rf "$REPLICA_DIR"
}

start() {
  [ -x "$PG_BIN/initdb" ] || fail "no PostgreSQL server binaries in $PG_BIN"
  stop
  for port in "$REPLICA_PRIMARY_PORT" "$REPLICA_PORT"; do
    ! ready "$port" || fail "port $port is taken by another server; set REPLICA_PRIMARY_PORT/REPLICA_PORT"
  done
  install -d -o postgres -g postgres -m 700 "$REPLICA_DIR"

  # -N: no fsync of the new files, the cluster lives for one test run.
  as_postgres "$PG_BIN/initdb" -D "$PRIMARY_DATA" -U postgres --auth=trust -N -E UTF8 \
    --locale=C.UTF-8 >"$REPLICA_DIR/initdb.log" 2>&1 ||
    fail "initdb failed" "$REPLICA_DIR/initdb.log"
  # Later lines of postgresql.conf win, so appending is enough. fsync off: a crash loses only a
  # throwaway cluster. Small shared memory: it shares the machine with the real server.
  cat >>"$PRIMARY_DATA/postgresql.conf" <<CONF

# .ci/replica.sh
port = $REPLICA_PRIMARY_PORT
listen_addresses = '127.0.0.1'
unix_socket_directories = '$REPLICA_DIR'
wal_level = replica
max_wal_senders = 4
max_replication_slots = 4
hot_standby = on
hot_standby_feedback = on
fsync = off
synchronous_commit = off
full_page_writes = off
shared_buffers = 32MB
max_connections = 50
CONF
  printf 'local all all trust\nhost all all 127.0.0.1/32 trust\nhost replication all 127.0.0.1/32 trust\n' \
    >"$PRIMARY_DATA/pg_hba.conf"
  as_postgres "$PG_BIN/pg_ctl" -D "$PRIMARY_DATA" -l "$REPLICA_DIR/primary.log" -w -t 30 start \
    >/dev/null || fail "the primary did not start" "$REPLICA_DIR/primary.log"
  wait_ready "$REPLICA_PRIMARY_PORT" "$REPLICA_DIR/primary.log"

  # -R writes standby.signal and primary_conninfo; -X stream copies the WAL the backup needs;
  # -C -S creates the slot the standby then streams from. The copy has the primary's settings
  # and pg_hba.conf; only its port differs.
  as_postgres "$PG_BIN/pg_basebackup" -h 127.0.0.1 -p "$REPLICA_PRIMARY_PORT" -U postgres \
    -D "$STANDBY_DATA" -R -X stream -c fast -C -S "$SLOT" --no-sync \
    >"$REPLICA_DIR/basebackup.log" 2>&1 ||
    fail "pg_basebackup failed" "$REPLICA_DIR/basebackup.log"
  printf 'port = %s\n' "$REPLICA_PORT" >>"$STANDBY_DATA/postgresql.conf"
  as_postgres "$PG_BIN/pg_ctl" -D "$STANDBY_DATA" -l "$REPLICA_DIR/standby.log" -w -t 30 start \
    >/dev/null || fail "the standby did not start" "$REPLICA_DIR/standby.log"
  wait_ready "$REPLICA_PORT" "$REPLICA_DIR/standby.log"
  echo "primary on 127.0.0.1:$REPLICA_PRIMARY_PORT, hot standby on 127.0.0.1:$REPLICA_PORT"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *)
    echo "usage: $0 start|stop" >&2
    exit 2
    ;;
esac
