import { expect, request, type Page } from "@playwright/test";
import { createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { login, newUser, test } from "./helpers";

// Agent files on the content origin (usercontent.localhost on the test
// server's port, which Chromium resolves to loopback), at capability URLs:
// an HTML report whose image, stylesheet, script and data are its siblings.
// Content-origin URLs are only ever opened by the browser: Node's resolver
// may not know *.localhost.

const port = process.env.E2E_PORT!;
const app = `http://127.0.0.1:${port}`;
const contentOrigin = `http://usercontent.localhost:${port}`;
/** A valid 1×1 PNG. */
const png = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";

/** The agent's page: it shows its sibling image, loads its sibling stylesheet
 * and data, and probes what it can reach of the app. */
const report = `<!doctype html>
<html><head><meta charset="utf-8"><title>Report</title><link rel="stylesheet" href="assets/style.css"></head>
<body>
<h1>Quarterly report</h1>
<img id="chart" src="chart.png" alt="the chart">
<a id="data-link" href="data.csv">data</a>
<p id="script">the script did not run</p>
<pre id="data"></pre>
<pre id="probe" data-state="running"></pre>
<script>
  document.getElementById("script").textContent = "the script ran";
  (async () => {
    const lines = [];
    try {
      document.getElementById("data").textContent = await (await fetch("data.csv")).text();
    } catch (error) {
      document.getElementById("data").textContent = "error " + error;
    }
    try {
      lines.push("cookie: " + JSON.stringify(document.cookie));
    } catch (error) {
      lines.push("cookie: error " + error);
    }
    try {
      const response = await fetch("${app}/api/artifacts", { credentials: "include" });
      lines.push("api: HTTP " + response.status);
    } catch (error) {
      lines.push("api: error " + error);
    }
    try {
      lines.push("parent: " + (window.parent === window ? "none" : window.parent.document.title));
    } catch (error) {
      lines.push("parent: error " + error);
    }
    const probe = document.getElementById("probe");
    probe.textContent = lines.join("\\n");
    probe.dataset.state = "done";
  })();
</script>
</body></html>
`;

/** A new user with the report in one conversation and a secret in another;
 * signed in on the report's preview. */
async function setup(page: Page) {
  const user = newUser("origin");
  const api = await request.newContext({ baseURL: app, extraHTTPHeaders: { Authorization: `Bearer ${user.token}` } });
  const store = async (title: string, artifacts: object[]) => {
    const conversation = await (await api.post("/api/conversations", { data: { title } })).json();
    const stored = await api.post(`/api/conversations/${conversation.id}/tool-results`, {
      data: { tool: "python_exec", content: "done", artifacts },
    });
    expect(stored.status()).toBe(201);
    return { conversation: conversation.id as string, artifacts: (await stored.json()).artifacts as { id: string }[] };
  };
  const mine = await store("Report", [
    { name: "out/report.html", text: report },
    { name: "out/chart.png", content_base64: png },
    { name: "out/data.csv", text: "region,sales\nnorth,42\n" },
    { name: "out/assets/style.css", text: "body { background: rgb(1, 2, 3); }" },
  ]);
  const other = await store("Other", [{ name: "secret.txt", text: "another conversation" }]);
  await api.dispose();
  const preview = `/artifacts/${mine.conversation}/${mine.artifacts[0].id}`;
  await login(page, user.name, "pw", preview);
  return { other: other.conversation, report: mine.conversation };
}

/** The report, wherever it is shown, rendered whole from its siblings. */
async function expectRendered(frame: Page | ReturnType<Page["frameLocator"]>) {
  await expect(frame.locator("#script")).toHaveText("the script ran");
  await expect(frame.locator("#data")).toHaveText(/^region,sales\nnorth,42/);
  const chart = frame.locator("#chart");
  await expect.poll(() => chart.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(1);
  expect(await frame.locator("body").evaluate((b) => getComputedStyle(b).backgroundColor)).toBe("rgb(1, 2, 3)");
  // What the page could reach of the app: nothing.
  const probe = frame.locator("#probe");
  await expect(probe).toHaveAttribute("data-state", "done");
  const text = (await probe.textContent())!;
  expect(text).toMatch(/^cookie: (error .*|"")$/m);
  expect(text).toMatch(/^api: (error .*|HTTP 401)$/m);
  expect(text).toMatch(/^parent: (error .*|none)$/m);
}

/** The report's capability URL, as the preview's "Open raw" has it. */
async function rawUrl(page: Page) {
  const raw = (await page.getByRole("link", { name: "Open raw" }).getAttribute("href"))!;
  expect(raw.startsWith(`${contentOrigin}/`)).toBe(true);
  return new URL(raw);
}

test("the report renders with its image, stylesheet, data and script: in the preview, raw, and in a new tab", async ({
  page,
  context,
}, info) => {
  test.skip(info.project.name === "no-js", "the agent's page is a script");
  await setup(page);
  const frame = page.locator("iframe.html-frame");
  await expect(frame).toHaveAttribute("sandbox", "allow-scripts");
  expect((await frame.getAttribute("src"))!.startsWith(`${contentOrigin}/`)).toBe(true);
  await expectRendered(page.frameLocator("iframe.html-frame"));
  const raw = await rawUrl(page);

  const [tab] = await Promise.all([context.waitForEvent("page"), page.getByRole("link", { name: "Open raw" }).click()]);
  await tab.waitForLoadState();
  expect(tab.url()).toBe(raw.href);
  await expectRendered(tab);
  await tab.close();

  await page.goto(raw.href);
  await expectRendered(page);
  // The sibling link leads to the sibling file.
  expect(await page.locator("#data-link").evaluate((a: HTMLAnchorElement) => a.href)).toBe(new URL("data.csv", raw).href);
  // The app's session cookie never reaches the content origin.
  expect(await context.cookies(contentOrigin)).toEqual([]);
  expect((await context.cookies(app)).length).toBeGreaterThan(0);
});

test("a report opened at its thread path loads its image from the content origin", async ({ page }, info) => {
  test.skip(info.project.name === "no-js", "the agent's page is a script");
  const { report } = await setup(page);
  const response = await page.goto(`/api/threads/${report}/artifacts/mnt/user-data/outputs/out/report.html`);
  expect(response!.status()).toBe(200);
  const opened = new URL(page.url());
  expect(opened.origin).toBe(contentOrigin);
  expect(opened.pathname.endsWith("/mnt/user-data/outputs/out/report.html")).toBe(true);
  const chart = page.locator("#chart");
  await expect
    .poll(() => chart.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth))
    .toBeGreaterThan(0);
  await expectRendered(page);
});

test("a capability URL edited into another conversation or past the thread's root is refused", async ({ page }) => {
  const { other } = await setup(page);
  const raw = await rawUrl(page);
  const [, token] = raw.pathname.split("/");
  const bytes = Buffer.from(token, "base64url");
  Buffer.from(other.replaceAll("-", ""), "hex").copy(bytes, 16);
  const edited = bytes.toString("base64url");

  let response = await page.goto(`${contentOrigin}/${edited}/mnt/user-data/outputs/secret.txt`);
  expect(response!.status()).toBe(403);
  await expect(page.locator("h1")).toHaveText("This link is not valid");

  for (const past of [
    "mnt/user-data/outputs/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
    "mnt/user-data/outputs/..%2f..%2f..%2fetc/passwd",
    "mnt/user-data/outputs/%252e%252e/%252e%252e/x",
    `mnt/user-data/%2e%2e/%2e%2e/conversations/${other}`,
  ]) {
    response = await page.goto(`${contentOrigin}/${token}/${past}`);
    expect(response!.status(), past).toBe(403);
    await expect(page.locator("body")).not.toContainText("root:");
  }
  // The other conversation's file is not in this one.
  response = await page.goto(`${contentOrigin}/${token}/mnt/user-data/outputs/secret.txt`);
  expect(response!.status()).toBe(404);
  await expect(page.locator("body")).not.toContainText("another conversation");
  // Never the app's sign-in page.
  await expect(page.getByRole("button", { name: "Sign in" })).toHaveCount(0);
});

test("an expired capability URL shows that it expired", async ({ page }) => {
  await setup(page);
  const raw = await rawUrl(page);
  const [, token, ...rest] = raw.pathname.split("/");
  // The same grant with an expiry in the past, signed with the server's key
  // (its data directory's content.key) as the server signs.
  // (the signed part is all but the last 32 bytes, the HMAC; the expiry is at 32..40)
  const signed = Buffer.from(token, "base64url");
  const payload = Buffer.from(signed.subarray(0, signed.length - 32));
  payload.writeBigInt64BE(BigInt(Math.floor(Date.now() / 1000) - 60), 32);
  const key = readFileSync(path.join(process.env.E2E_DATA_DIR!, "content.key"));
  const mac = createHmac("sha256", key).update(payload).digest();
  const expired = Buffer.concat([payload, mac]).toString("base64url");

  const response = await page.goto(`${contentOrigin}/${expired}/${rest.join("/")}`);
  expect(response!.status()).toBe(410);
  await expect(page.locator("h1")).toHaveText("This link has expired");
  await expect(page.getByRole("button", { name: "Sign in" })).toHaveCount(0);
  // The fresh URL of the same file still works.
  expect((await page.goto(raw.href))!.status()).toBe(200);
});

test("an open preview renews its capability URLs before they expire", async ({ page }, info) => {
  test.skip(info.project.name === "no-js", "the renewal is the page's script");
  // The page's timers run on Playwright's clock, which can jump ahead.
  await page.clock.install();
  await setup(page);
  await expectRendered(page.frameLocator("iframe.html-frame"));
  const frame = page.locator("iframe.html-frame");
  const renewed = page.waitForResponse(
    (r) => new URL(r.url()).pathname.startsWith("/api/fn/get_preview") && r.status() === 200,
  );
  await page.clock.fastForward("26:00");
  await renewed;
  // The page rendered again with a capability URL made now (the same one
  // when made within the same second), and the report loads from it.
  const renewedUrl = (await frame.getAttribute("src"))!;
  expect(renewedUrl.startsWith(`${contentOrigin}/`)).toBe(true);
  const tab = await page.context().newPage();
  await tab.goto(renewedUrl);
  await expectRendered(tab);
  await tab.close();
});
