#!/usr/bin/env bash
# `make run-cluster` (docs/scaling.md): two `vitrine serve` on the bucket and
# database of scripts/services.sh, behind Debian's nginx on
# http://127.0.0.1:${PORT:-3000} (user demo, password demo). The demo is
# seeded once, before either instance starts. Ctrl-C stops the instances,
# nginx and the services (their data goes with them). State and logs are in
# target/cluster. `run` starts the same on a pair of services of its own
# (fresh: a previous run's are removed first) and nginx on a free port
# unless PORT is given, waits until nginx answers, runs COMMAND, stops
# everything and exits with COMMAND's status (`make test-e2e-cluster`).
# COMMAND gets the services' variables, CLUSTER_PORT (nginx's port) and
# CLUSTER_DATA_DIR (a data directory with the cluster's content key, for
# `vitrine` commands such as `user add` on its database). `nginx-conf`
# prints nginx's configuration alone (the cluster tests,
# tests/it/common/cluster.rs, run nginx with it).
#
#   scripts/cluster.sh        (VITRINE_BIN: another build than the release one)
#   scripts/cluster.sh run COMMAND…
#   scripts/cluster.sh nginx-conf DIR PORT UPSTREAM_PORT…
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)

say() { echo "cluster: $*" >&2; }

# nginx on 127.0.0.1:PORT in front of the instances on the other ports
# (round-robin), its pid, logs and temp folders in DIR. One server for both
# host names (the app's and the content origin's): the instances tell them
# apart by Host, kept with its port for their same-origin check of writes.
# Tool results take up to 1 GiB of JSON; event streams are not buffered.
nginx_conf() {
  local dir=$1 port=$2
  shift 2
  # As root, the workers would otherwise be nobody, who cannot write DIR.
  [ "$(id -u)" != 0 ] || echo "user root;"
  cat <<EOF
worker_processes 2;
pid $dir/nginx.pid;
error_log $dir/nginx-error.log warn;
events { worker_connections 1024; }
http {
  access_log $dir/nginx-access.log;
  client_body_temp_path $dir/nginx-body;
  proxy_temp_path $dir/nginx-proxy;
  fastcgi_temp_path $dir/nginx-fastcgi;
  uwsgi_temp_path $dir/nginx-uwsgi;
  scgi_temp_path $dir/nginx-scgi;
  upstream vitrine {
$(for p in "$@"; do echo "    server 127.0.0.1:$p;"; done)
    keepalive 16;
  }
  server {
    listen 127.0.0.1:$port;
    client_max_body_size 1100m;
    proxy_request_buffering off;
    proxy_http_version 1.1;
    proxy_set_header Connection "";
    proxy_set_header Host \$http_host;
    proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
    location / { proxy_pass http://vitrine; }
    location /api/events { proxy_pass http://vitrine; proxy_buffering off; proxy_read_timeout 1h; }
  }
}
EOF
}

if [ "${1:-}" = nginx-conf ]; then
  shift
  nginx_conf "$@"
  exit
fi

# n free loopback ports, found together so that none is given twice.
free_ports() {
  python3 -c 'import socket, sys
socks = [socket.socket() for _ in range(int(sys.argv[1]))]
for s in socks: s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in socks))' "$1"
}

cd "$ROOT"
BIN=${VITRINE_BIN:-$ROOT/target/release/vitrine}
DIR=$ROOT/target/cluster
# shellcheck disable=SC2207
ports=($(free_ports 3))
pair=
if [ "${1:-}" = run ]; then
  shift
  pair=cluster
  PORT=${PORT:-${ports[2]}}
  scripts/services.sh stop "$pair"
fi
PORT=${PORT:-3000}

# Each process in a session of its own, so that Ctrl-C reaches this script
# only, which stops them in order.
pids=()
stop() {
  # SIGTERM: the instances' graceful stop, nginx's fast one.
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait || true
  scripts/services.sh stop ${pair:+"$pair"}
}
trap stop EXIT
trap 'exit 130' INT TERM

scripts/services.sh start ${pair:+"$pair"}
# shellcheck disable=SC1091
source "target/services${pair:+-$pair}/env"
rm -rf "$DIR"
mkdir -p "$DIR"
# Both instances: the whole bucket, the database, and the content origin's
# address as the browser sees it (nginx's), not each instance's own.
export VITRINE_STORE=s3://$VITRINE_S3_BUCKET VITRINE_CONTENT_ORIGIN=http://usercontent.localhost:$PORT
# Sign-in limits count each client as nginx saw it, not nginx itself.
export VITRINE_CLIENT_IP_SOURCE=RightmostXForwardedFor
export LEPTOS_OUTPUT_NAME=vitrine

VITRINE_DATA_DIR=$DIR/seed "$BIN" seed-demo

for i in 0 1; do
  name=$([ "$i" = 0 ] && echo a || echo b)
  mkdir -p "$DIR/$name"
  VITRINE_INSTANCE=$name VITRINE_DATA_DIR=$DIR/$name VITRINE_SPOOL_DIR=$DIR/spool-$name \
    LEPTOS_SITE_ADDR=127.0.0.1:${ports[$i]} setsid "$BIN" serve >"$DIR/$name.log" 2>&1 &
  pids+=($!)
done
for port in "${ports[@]:0:2}"; do
  for _ in $(seq 600); do
    curl -sf -o /dev/null "http://127.0.0.1:$port/healthz" && break
    for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null || { say "an instance stopped: see $DIR/*.log"; exit 1; }; done
    sleep 0.1
  done
done

nginx_conf "$DIR" "$PORT" "${ports[@]:0:2}" >"$DIR/nginx.conf"
setsid nginx -p "$DIR" -c "$DIR/nginx.conf" -g 'daemon off;' &
pids+=($!)

if [ -n "$pair" ]; then
  until curl -sf -o /dev/null "http://127.0.0.1:$PORT/healthz"; do
    kill -0 "${pids[2]}" 2>/dev/null || { say "nginx stopped: see $DIR/nginx-error.log"; exit 1; }
    sleep 0.1
  done
  # The key is the database's (bytea), not a data directory's: written
  # where a command that signs content URLs as the instances do finds it.
  mkdir -p "$DIR/seed"
  psql "$VITRINE_DATABASE_URL" -Atc "SELECT encode(value, 'hex') FROM settings WHERE name = 'content_key'" |
    python3 -c 'import sys; sys.stdout.buffer.write(bytes.fromhex(sys.stdin.read()))' >"$DIR/seed/content.key"
  CLUSTER_PORT=$PORT CLUSTER_DATA_DIR=$DIR/seed "$@"
  exit
fi

echo "Vitrine cluster: http://127.0.0.1:$PORT (instances a on ${ports[0]}, b on ${ports[1]}); user demo, password demo"
echo "Logs: $DIR/a.log, $DIR/b.log, $DIR/nginx-*.log; Ctrl-C stops everything"
# Until Ctrl-C, or until one of them stops.
wait -n
say "a process stopped: see $DIR/*.log"
