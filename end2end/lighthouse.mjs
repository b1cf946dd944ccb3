// Lighthouse (mobile, signed in as demo) on the gallery, a code preview and
// a conversation of the release build with fresh demo data, in Debian's
// Chromium, and (desktop) on the preview of a 1 MB one-line JSON, issue
// #11's "visible in under 1 s"; writes the scores into docs/benchmarks.md.
// `make lighthouse`.
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import * as chromeLauncher from "chrome-launcher";
import lighthouse from "lighthouse";
import desktop from "lighthouse/core/config/desktop-config.js";
import { computeMedianRun } from "lighthouse/core/lib/median-run.js";

const root = path.resolve(import.meta.dirname, "..");
const port = await new Promise((done) => {
  const s = createServer().listen(0, "127.0.0.1", () => {
    const { port } = s.address();
    s.close(() => done(port));
  });
});
const base = `http://127.0.0.1:${port}`;
const RUNS = Number(process.env.LIGHTHOUSE_RUNS ?? 5);
const data = mkdtempSync(path.join(tmpdir(), "vitrine-lighthouse-"));
const server = spawn(path.join(root, "target/release/vitrine"), ["serve", "--demo"], {
  cwd: root,
  env: { ...process.env, LEPTOS_SITE_ADDR: `127.0.0.1:${port}`, VITRINE_DATA_DIR: data, RUST_LOG: "warn" },
  stdio: ["ignore", "ignore", "inherit"],
});

try {
  for (let i = 0; ; i++) {
    const up = await fetch(`${base}/login`).then((r) => r.ok, () => false);
    if (up) break;
    if (i === 100) throw new Error("the server did not start");
    await new Promise((r) => setTimeout(r, 100));
  }
  const signIn = await fetch(`${base}/login`, {
    method: "POST",
    body: new URLSearchParams({ name: "demo", password: "demo", next: "/artifacts" }),
    redirect: "manual",
  });
  const cookie = signIn.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
  if (!cookie) throw new Error(`sign-in failed: ${signIn.status}`);
  const page = async (url) => (await fetch(`${base}${url}`, { headers: { cookie } })).text();
  const hrefOf = (html, pattern) => html.match(pattern)?.[1] ?? (() => { throw new Error(`no ${pattern}`); })();
  // The demo user's own upload: a token from the real CLI, then the JSON API.
  const bigJson = async () => {
    const token = execFileSync(path.join(root, "target/release/vitrine"), ["token", "add", "--user", "demo", "lighthouse"], {
      env: { ...process.env, VITRINE_DATA_DIR: data },
    }).toString().trim().split("\n").pop().trim();
    const api = (url, body) =>
      fetch(`${base}${url}`, { method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: JSON.stringify(body) })
        .then((r) => (r.ok ? r.json() : Promise.reject(new Error(`${url}: ${r.status}`))));
    const items = Array.from({ length: 18_000 }, (_, i) => ({ id: i, name: `item ${i}`, tags: ["a", "b"], ok: true }));
    const conversation = await api("/api/conversations", { title: "Lighthouse" });
    const stored = await api(`/api/conversations/${conversation.id}/tool-results`, {
      tool: "python", content: "done", artifacts: [{ name: "data.json", text: JSON.stringify(items) }],
    });
    return `/artifacts/${conversation.id}/${stored.artifacts[0].id}`;
  };
  const pages = [
    ["Gallery", "/artifacts"],
    ["Code preview (analysis.py)", hrefOf(await page("/artifacts?q=analysis.py"), /<a href="([^"]+)" title="analysis.py"/)],
    ["Conversation", hrefOf(await page("/conversations"), /href="(\/conversations\/[0-9a-f-]{36})"/)],
    // Performance only: Lighthouse's accessibility pass over its 5,000
    // highlighted lines outlasts the DevTools protocol's time limit.
    ["1 MB one-line JSON preview, desktop", await bigJson(), desktop, ["performance"]],
  ];

  const chrome = await chromeLauncher.launch({
    chromePath: "/usr/bin/chromium",
    chromeFlags: ["--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"],
  });
  const categories = ["performance", "accessibility", "best-practices"];
  const rows = [];
  try {
    for (const [name, url, config, only = categories] of pages) {
      const flags = { port: chrome.port, output: "json", logLevel: "error", onlyCategories: only, extraHeaders: { Cookie: cookie } };
      // Its scores vary from run to run: the run of median First
      // Contentful Paint and Time to Interactive (Lighthouse's own choice)
      // of RUNS, the performance scores of all in the last column.
      const runs = [];
      for (let i = 0; i < RUNS; i++) {
        const { lhr } = await lighthouse(`${base}${url}`, flags, config);
        if (lhr.runtimeError) throw new Error(`${url}: ${lhr.runtimeError.message}`);
        runs.push(lhr);
      }
      const { categories: scores, audits } = computeMedianRun(runs);
      const spread = runs.map((r) => Math.round(r.categories.performance.score * 100)).sort((a, b) => a - b);
      // The pass/fail audits that count towards a score, failed.
      const failed = only
        .flatMap((c) => scores[c].auditRefs.filter((r) => r.weight > 0).map((r) => audits[r.id]))
        .filter((a) => a.scoreDisplayMode === "binary" && a.score < 1)
        .map((a) => a.id);
      for (const item of audits["errors-in-console"]?.details?.items ?? []) console.log(`${name}: console: ${item.description} ${item.sourceLocation?.url ?? item.url ?? ""}`);
      for (const item of audits["font-size"]?.details?.items ?? []) console.log(`${name}: font-size: ${JSON.stringify(item).slice(0, 300)}`);
      rows.push(
        `| ${name} | ${categories.map((c) => (scores[c] ? Math.round(scores[c].score * 100) : "–")).join(" | ")} | ` +
          `${audits["first-contentful-paint"].displayValue} | ${audits["largest-contentful-paint"].displayValue} | ` +
          `${audits["total-blocking-time"].displayValue} | ${audits["cumulative-layout-shift"].displayValue} | ${failed.join(", ")} | ${spread.join(", ")} |`,
      );
      console.log(rows.at(-1));
    }
  } finally {
    await chrome.kill();
  }
  const { version } = JSON.parse(readFileSync(path.join(import.meta.dirname, "node_modules/lighthouse/package.json")));
  const section = `## Lighthouse

Made by \`make lighthouse\` (end2end/lighthouse.mjs) on ${new Date().toISOString().slice(0, 10)}: Lighthouse ${version},
mobile (its default emulated phone and simulated slow 4G), signed in as demo, against the release build with
fresh demo data on loopback, in Debian's Chromium; each page ${RUNS} times, the median run shown (Lighthouse's
\`computeMedianRun\`), every run's Performance in the last column. Targets: Performance ≥ 95, Accessibility and Best Practices
100. The last row is Lighthouse's desktop preset (simulated 10 Mbit/s, 40 ms) on the preview of an 18,000-record
JSON array written on one line (1 MB), for issue #11's "any artifact's preview visible in under 1 s": its Largest
Contentful Paint is that figure. A full \`make bench\` keeps this section as it is.

| Page | Performance | Accessibility | Best Practices | First Contentful Paint | Largest Contentful Paint | Total Blocking Time | Cumulative Layout Shift | Failed audits | Performance of the ${RUNS} runs |
|---|---|---|---|---|---|---|---|---|---|
${rows.join("\n")}

`;
  // Replaces the report's section, or goes before the hand-written notes (bench/NOTES.md's first heading).
  const file = path.join(root, "docs/benchmarks.md");
  const report = readFileSync(file, "utf8");
  const notes = readFileSync(path.join(root, "bench/NOTES.md"), "utf8").match(/^## .*$/m)[0];
  const start = report.indexOf("\n## Lighthouse\n");
  const next = start < 0 ? report.indexOf(`\n${notes}\n`) : report.indexOf("\n## ", start + 1);
  const end = next < 0 ? report.length : next;
  writeFileSync(file, report.slice(0, (start < 0 ? end : start) + 1) + section + report.slice(end + 1));
} finally {
  server.kill();
  rmSync(data, { recursive: true, force: true });
}
