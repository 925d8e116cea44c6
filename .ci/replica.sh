#!/usr/bin/env bash
# A throwaway hot standby of the local PostgreSQL primary, for the read-replica tests.
#
#   .ci/replica.sh start   pg_basebackup -R the primary into a scratch directory, start it as a
#                          hot standby on REPLICA_PORT and wait until it accepts connections
#   .ci/replica.sh stop    stop it and delete the scratch directory
#
# Runs as root (pg commands then run as the postgres OS user) or as postgres. The primary must
# accept replication connections from 127.0.0.1: if its pg_hba.conf has no such line, one
# (trust, like the test connections) is added once and the configuration reloaded.
set -euo pipefail

PRIMARY_HOST=${PRIMARY_HOST:-127.0.0.1}
PRIMARY_PORT=${PRIMARY_PORT:-5432}
REPLICA_PORT=${REPLICA_PORT:-5433}
REPLICA_DIR=${REPLICA_DIR:-/tmp/floorlight-replica-$REPLICA_PORT}
PG_VERSION=${PG_VERSION:-$(ls /usr/lib/postgresql | sort -V | tail -1)}
PG_BIN=/usr/lib/postgresql/$PG_VERSION/bin
# The primary keeps the WAL the standby has not received yet in this slot, so a standby that
# falls behind a busy primary (or is stopped for an outage test) catches up instead of being
# left behind; `stop` drops it, or the primary would keep WAL forever.
SLOT=floorlight_standby_$REPLICA_PORT

as_postgres() {
  if [ "$(id -un)" = postgres ]; then "$@"; else runuser -u postgres -- "$@"; fi
}

psql_primary() {
  as_postgres psql -h "$PRIMARY_HOST" -p "$PRIMARY_PORT" -U postgres -d postgres -Atqc "$1"
}

allow_replication() {
  local hba
  hba=$(psql_primary "SHOW hba_file")
  if ! grep -Eq "^[[:space:]]*host[[:space:]]+replication[[:space:]]+all[[:space:]]+127\.0\.0\.1/32" "$hba"; then
    printf '\n# Local hot standbys (Floorlight read-replica tests).\nhost replication all 127.0.0.1/32 trust\n' >>"$hba"
    psql_primary "SELECT pg_reload_conf()" >/dev/null
  fi
}

start() {
  if as_postgres "$PG_BIN/pg_isready" -h 127.0.0.1 -p "$REPLICA_PORT" -q; then
    echo "standby already running on port $REPLICA_PORT"
    return
  fi
  allow_replication
  drop_slot
  rm -rf "$REPLICA_DIR"
  install -d -o postgres -g postgres -m 700 "$REPLICA_DIR"
  # -R writes standby.signal and primary_conninfo; -X stream copies the WAL the backup needs.
  # A second try when a busy shared primary drops the copy's connection midway.
  local attempt
  for attempt in 1 2; do
    as_postgres "$PG_BIN/pg_basebackup" -h "$PRIMARY_HOST" -p "$PRIMARY_PORT" -U postgres \
      -D "$REPLICA_DIR/data" -R -X stream -c fast -C -S "$SLOT" && break
    drop_slot
    [ "$attempt" = 2 ] && return 1
  done
  # Debian keeps the primary's postgresql.conf and pg_hba.conf outside its data directory, so
  # the copy gets its own: a port, a socket directory it can write, trust from this machine, and
  # the limits a hot standby must not set below the primary's.
  local limits=""
  for name in max_connections max_worker_processes max_wal_senders max_prepared_transactions \
    max_locks_per_transaction; do
    limits+="$name = $(psql_primary "SHOW $name")"$'\n'
  done
  cat >"$REPLICA_DIR/data/postgresql.conf" <<CONF
port = $REPLICA_PORT
listen_addresses = '127.0.0.1'
unix_socket_directories = '$REPLICA_DIR'
hot_standby = on
hot_standby_feedback = on
$limits
CONF
  printf 'local all all trust\nhost all all 127.0.0.1/32 trust\n' >"$REPLICA_DIR/data/pg_hba.conf"
  : >"$REPLICA_DIR/data/pg_ident.conf"
  chown postgres:postgres "$REPLICA_DIR/data/postgresql.conf" "$REPLICA_DIR/data/pg_hba.conf" \
    "$REPLICA_DIR/data/pg_ident.conf"
  # Up to 120 s: on a busy primary the new standby first replays the WAL written meanwhile.
  as_postgres "$PG_BIN/pg_ctl" -D "$REPLICA_DIR/data" -l "$REPLICA_DIR/standby.log" -w -t 120 start >/dev/null
  for _ in $(seq 1 30); do
    as_postgres "$PG_BIN/pg_isready" -h 127.0.0.1 -p "$REPLICA_PORT" -q && break
    sleep 1
  done
  as_postgres "$PG_BIN/pg_isready" -h 127.0.0.1 -p "$REPLICA_PORT"
}

drop_slot() {
  # The stopped standby's WAL sender may take a moment to let go of the slot.
  for _ in $(seq 1 20); do
    [ -z "$(psql_primary "SELECT 1 FROM pg_replication_slots WHERE slot_name = '$SLOT'")" ] && return
    psql_primary "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots
                  WHERE slot_name = '$SLOT' AND NOT active" >/dev/null
    sleep 0.5
  done
  echo "replication slot $SLOT is still in use" >&2
  return 1
}

stop() {
  if [ -d "$REPLICA_DIR/data" ]; then
    as_postgres "$PG_BIN/pg_ctl" -D "$REPLICA_DIR/data" -m fast -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$REPLICA_DIR"
  drop_slot
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
