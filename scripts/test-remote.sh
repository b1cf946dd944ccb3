#!/usr/bin/env bash
# The integration tests with their data in make services' bucket
# (VITRINE_TEST_BACKEND=remote, docs/scaling.md "Tests"): starts the services,
# runs `cargo test --test it` with their variables, and stops them however
# the tests end (their data goes with them). Arguments go to the test binary
# (a filter, --test-threads …). `make test-rust` runs it after the local run.
#
#   scripts/test-remote.sh [TEST ARGS…]
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
# The fault tests' own pair too (tests/it/faults.rs starts it).
trap 'scripts/services.sh stop; scripts/services.sh stop faults' EXIT
scripts/services.sh start
# shellcheck disable=SC1091
source target/services/env
VITRINE_TEST_BACKEND=remote cargo test --features ssr,demo --test it -- "$@"
