#!/usr/bin/env bash
# Schemathesis, with every check, against a real Vitrine: the `vitrine`
# binary on a free loopback port with a fresh data directory, a user made by
# `vitrine user add`, and a conversation with a few artifacts (a .skill
# archive among them) so that paths exist. Fails on any finding.
#
# With `remote`, its artifacts are in a bucket and its records in PostgreSQL
# (the S3 + PostgreSQL mode): on a SeaweedFS and PostgreSQL pair of its own
# (`scripts/services.sh start schemathesis`), stopped, their data removed,
# however the run ends.
#
#   tests/schemathesis.sh [remote]
#
# VITRINE_BIN (default target/debug/vitrine), SCHEMATHESIS (default the one
# `make schemathesis` installs), SCHEMATHESIS_EXAMPLES (default 25 an
# operation) and SCHEMATHESIS_SEED (default 1, so that a run is repeatable).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
bin=${VITRINE_BIN:-$root/target/debug/vitrine}
schemathesis=${SCHEMATHESIS:-$root/.tools/schemathesis/bin/schemathesis}
examples=${SCHEMATHESIS_EXAMPLES:-25}

data=$(mktemp -d)
pid=
services=
stop() {
  if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  if [ -n "$services" ]; then "$root/scripts/services.sh" stop "$services"; fi
  rm -rf "$data"
}
trap stop EXIT

if [ "${1:-}" = remote ]; then
  services=schemathesis
  # A pair that a killed run left holds its user: a fresh one.
  "$root/scripts/services.sh" stop "$services"
  "$root/scripts/services.sh" start "$services" >/dev/null
  # shellcheck disable=SC1091
  source "$root/target/services-$services/env"
  export VITRINE_STORE=s3://$VITRINE_S3_BUCKET/schemathesis
fi
export VITRINE_DATA_DIR=$data LEPTOS_OUTPUT_NAME=vitrine RUST_LOG=error
token=$("$bin" user add schemathesis --password 'schemathesis-password' | tail -n 1)
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
base=http://127.0.0.1:$port
LEPTOS_SITE_ADDR=127.0.0.1:$port "$bin" serve >"$data/server.log" 2>&1 &
pid=$!
for _ in $(seq 600); do
  curl -sf -o /dev/null "$base/api/openapi.json" && break
  kill -0 "$pid" 2>/dev/null || { cat "$data/server.log"; exit 1; }
  sleep 0.1
done

auth="Authorization: Bearer $token"
api() { curl -sf -H "$auth" -H 'Content-Type: application/json' "$@"; }
conversation=$(api -d '{"title": "Schemathesis"}' "$base/api/conversations" | python3 -c 'import json, sys; print(json.load(sys.stdin)["id"])')
python3 - >"$data/tool-result.json" <<'EOF'
import base64, io, json, zipfile
skill = io.BytesIO()
with zipfile.ZipFile(skill, "w") as z:
    z.writestr("my-skill/SKILL.md", "# A skill\n")
    z.writestr("my-skill/scripts/install.sh", "echo hi\n")
print(json.dumps({"tool": "python_exec", "content": "made files", "artifacts": [
    {"name": "index.html", "text": "<h1>hi</h1>"},
    {"name": "plots/data.csv", "text": "a,b\n1,2\n"},
    {"name": "my-skill.skill", "content_base64": base64.b64encode(skill.getvalue()).decode()},
]}))
EOF
api -o /dev/null -d @"$data/tool-result.json" "$base/api/conversations/$conversation/tool-results"
printf 'uploaded\n' >"$data/notes.txt"
curl -sf -o /dev/null -H "$auth" -F files=@"$data/notes.txt" "$base/api/threads/$conversation/uploads"

# Most requests name the conversation and its files, so that they reach
# more than the 404 of a random id.
outputs=mnt/user-data/outputs
cat >"$data/schemathesis.toml" <<EOF
[parameters]
"path.id" = { dictionary = "conversations", probability = 0.8 }
"path.thread_id" = { dictionary = "conversations", probability = 0.8 }
"path.path" = { dictionary = "paths", probability = 0.7 }
"path.filename" = { dictionary = "uploads", probability = 0.5 }

[dictionaries.conversations]
values = ["$conversation"]

[dictionaries.uploads]
values = ["notes.txt"]

[dictionaries.paths]
values = ["$outputs/index.html", "$outputs/plots/data.csv", "$outputs/plots", "$outputs/my-skill.skill",
          "$outputs/my-skill.skill/SKILL.md", "$outputs/my-skill.skill/scripts/install.sh", "mnt/user-data/uploads/notes.txt"]

# Names are limited to 255 bytes of UTF-8, which JSON Schema cannot say
# (maxLength counts characters): they are generated in ASCII, where both agree.
[[operations]]
include-path-regex = "/tool-results\$|/uploads/[{]filename[}]\$"
generation.codec = "ascii"

# The event stream never ends: one event, or 2 s of silence after its first
# frame, is all there is to read.
[[operations]]
include-name = "GET /api/events"
max-stream-events = 1
request-timeout = 2

# A listing's cursor is opaque: one the server did not make (every one
# generated) or one given with page is a 400 that no schema can tell apart.
[[operations]]
include-path-regex = "/artifacts\$"
checks.positive_data_acceptance.expected-statuses = ["2xx", "3xx", "400", "401", "403", "404", "409", "429", "5xx"]

# Over a count or size limit is a rejection too: 413.
[checks.negative_data_rejection]
expected-statuses = [400, 401, 403, 404, 405, 406, 409, 413, 415, 422, 428, 429, "5xx"]
EOF

# Its caches (.schemathesis, .hypothesis) go to the temp directory, not the tree.
cd "$data"
# Revoking a token is tested last and alone: schemathesis learns ids from
# answers (GET /api/tokens lists the run's own token), and once that token is
# revoked every later request would only meet 401.
revoke="DELETE /api/tokens/{id}"
run() {
  "$schemathesis" --config-file "$data/schemathesis.toml" run "$base/api/openapi.json" \
    --checks all \
    --header "$auth" \
    --max-examples "$examples" \
    --seed "${SCHEMATHESIS_SEED:-1}" \
    --workers 1 \
    --request-timeout 30 \
    --suppress-health-check too_slow,filter_too_much \
    "$@"
}
run --exclude-name "$revoke"
run --include-name "$revoke"
