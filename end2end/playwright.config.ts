import { defineConfig } from "@playwright/test";
import { execFileSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

// One server for the whole run, on a free loopback port, with fresh demo
// data. Decided once in the main process; workers inherit the environment.
// `make test-e2e-cluster` sets E2E_CLUSTER, E2E_PORT (nginx's) and
// E2E_DATA_DIR (scripts/cluster.sh run): its cluster is the server.
if (!process.env.E2E_PORT) {
  process.env.E2E_PORT = execFileSync(process.execPath, [
    "-e",
    "const s = require('net').createServer(); s.listen(0, '127.0.0.1', () => { console.log(s.address().port); s.close(); });",
  ])
    .toString()
    .trim();
  process.env.E2E_DATA_DIR = mkdtempSync(path.join(tmpdir(), "vitrine-e2e-"));
}
const port = process.env.E2E_PORT;
const root = path.resolve(__dirname, "..");
// The server and CLI the tests run: the release build's unless VITRINE_BIN
// names another (make test: its debug build, Makefile e2e-build).
process.env.VITRINE_BIN ??= path.join(root, "target/release/vitrine");

export default defineConfig({
  testDir: "./tests",
  outputDir: "./test-results",
  timeout: 30_000,
  expect: { timeout: 10_000 },
  fullyParallel: true,
  workers: 2,
  reporter: [["list"]],
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    screenshot: "only-on-failure",
    // No traces: recording one for every test cost a quarter of the run's
    // CPU (Chromium is what the suite waits on), and CI keeps no files.
    trace: "off",
    launchOptions: {
      // Debian's Chromium: nothing here downloads a browser.
      executablePath: "/usr/bin/chromium",
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    },
  },
  // Every test runs with JavaScript on (hydrated) and off (server HTML only).
  projects: [
    { name: "js", use: { javaScriptEnabled: true } },
    { name: "no-js", use: { javaScriptEnabled: false } },
  ],
  webServer: process.env.E2E_CLUSTER ? undefined : {
    command: `${process.env.VITRINE_BIN} serve --demo`,
    cwd: root,
    env: {
      LEPTOS_SITE_ADDR: `127.0.0.1:${port}`,
      VITRINE_DATA_DIR: process.env.E2E_DATA_DIR!,
      RUST_LOG: "warn",
      // Every test signs in, most as demo, all from this address.
      VITRINE_SIGN_IN_PER_ACCOUNT: "1000",
      VITRINE_SIGN_IN_PER_ADDRESS: "1000",
    },
    url: `http://127.0.0.1:${port}/login`,
    reuseExistingServer: false,
    timeout: 60_000,
  },
});
