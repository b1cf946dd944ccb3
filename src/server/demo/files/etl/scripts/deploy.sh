#!/usr/bin/env bash
# Builds the ETL and installs it on the job host; the systemd timer picks the
# new release up on its next run.
set -euo pipefail

HOST="${DEPLOY_HOST:-etl-01.internal}"
TARGET="/opt/nightly-etl"
VERSION="$(node -p "require('./package.json').version")"
RELEASE="${TARGET}/releases/${VERSION}"

echo "==> building nightly-etl ${VERSION}"
npm ci --silent
npm run build --silent
npm test --silent

echo "==> copying to ${HOST}:${RELEASE}"
ssh "$HOST" "mkdir -p '${RELEASE}'"
rsync -a --delete --relative dist config package.json package-lock.json "${HOST}:${RELEASE}/"
ssh "$HOST" "cd '${RELEASE}' && npm ci --omit=dev --silent"

echo "==> switching current -> ${VERSION}"
ssh "$HOST" "ln -sfn '${RELEASE}' '${TARGET}/current' && systemctl --user restart nightly-etl.timer"
echo "done"
