import { expect, request, type Page } from "@playwright/test";
import path from "node:path";
import { ingest, login, newUser, test } from "./helpers";

// Every page at a desktop's and a phone's width, light and dark, kept in
// end2end/screenshots/{page}-{width}-{theme}.png to be looked at. The server's
// HTML is the same without JavaScript: the hydrated pages are the ones shot.
test.skip(({ javaScriptEnabled }) => !javaScriptEnabled, "shot once, with JavaScript");

const folder = path.join(__dirname, "..", "screenshots");
const widths = [
  [1440, 900],
  [390, 844],
] as const;

/** The pictures a full-page shot should show: lazy images load only when scrolled to. */
async function loadImages(page: Page) {
  await page.evaluate(async () => {
    const images = [...document.querySelectorAll("img")];
    images.forEach((img) => (img.loading = "eager"));
    await Promise.all(images.map((img) => img.decode().catch(() => undefined)));
  });
}

/**
 * Opens `url` at each width in each theme; it has a first-level heading
 * `heading`, and on a phone the page does not scroll sideways. Returns the
 * last response's status.
 */
async function shoot(page: Page, name: string, url: string, heading: string) {
  let status = 0;
  for (const [width, height] of widths) {
    for (const colorScheme of ["light", "dark"] as const) {
      await page.setViewportSize({ width, height });
      await page.emulateMedia({ colorScheme });
      status = (await page.goto(url))!.status();
      await expect(page.getByRole("heading", { level: 1, name: heading, exact: true })).toBeVisible();
      await loadImages(page);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      if (width < 500) expect(overflow, `${name} scrolls sideways at ${width} px`).toBeLessThanOrEqual(0);
      await page.screenshot({ path: path.join(folder, `${name}-${width}-${colorScheme}.png`), fullPage: true });
    }
  }
  return status;
}

test("the login page", async ({ page }) => {
  await shoot(page, "login", "/login", "Vitrine");
});

const gallery: Record<string, string> = {
  "gallery-all": "/artifacts",
  "gallery-images": "/artifacts?type=images",
  "gallery-html": "/artifacts?type=html",
  "gallery-code": "/artifacts?type=code",
  "gallery-files": "/artifacts?type=files",
  "gallery-no-result": "/artifacts?q=no-such-artifact",
  "gallery-page-2": "/artifacts?page=2",
};

for (const [name, url] of Object.entries(gallery)) {
  test(`the gallery: ${name}`, async ({ page }) => {
    await login(page);
    await shoot(page, name, url, "Artifacts");
    if (name === "gallery-no-result") await expect(page.locator("p.empty")).toBeVisible();
    else await expect(page.locator(".artifact-card").first()).toBeVisible();
    if (name === "gallery-page-2") await expect(page.locator(".pager")).toContainText("Page 2 of 2");
  });
}

/** One demo artifact of each preview kind the demo has, by the kind its body shows. */
const previews: Record<string, [string, string]> = {
  image: ["plots/quarterly_revenue.png", "image"],
  svg: ["landing/logo.svg", "svg"],
  html: ["report.html", "html"],
  pdf: ["summary.pdf", "pdf"],
  audio: ["alert.wav", "audio"],
  code: ["analysis.py", "code"],
  markdown: ["README.md", "markdown"],
  table: ["data/sales_2024.csv", "table"],
  tsv: ["data/region_targets.tsv", "table"],
  text: ["notes.txt", "text"],
  json: ["package.json", "tree"],
  zip: ["dist/churn-model-v3.zip", "archive"],
  skill: ["my-skill.skill", "archive"],
  binary: ["model.bin", "binary"],
};

for (const [kind, [name, body]] of Object.entries(previews)) {
  test(`the ${kind} preview`, async ({ page }) => {
    await login(page);
    await page.goto(`/artifacts?q=${encodeURIComponent(name)}`);
    const href = (await page.locator(`.artifact-card a.artifact-name[title="${name}"]`).getAttribute("href"))!;
    await shoot(page, `preview-${kind}`, href, name);
    await expect(page.locator(`.preview-body[data-kind="${body}"]`)).toBeVisible();
  });
}

test("a version comparison", async ({ page, baseURL }) => {
  const { name, token } = newUser("shots");
  const api = await request.newContext({ baseURL, extraHTTPHeaders: { Authorization: `Bearer ${token}` } });
  const conversation = (await (await api.post("/api/conversations", { data: { title: "Drafts" } })).json()).id;
  let id = "";
  for (const text of ["alpha\nbeta\ngamma\n", "alpha\nBETA\ngamma\ndelta\n"]) {
    const stored = await api.post(`/api/conversations/${conversation}/tool-results`, {
      data: { tool: "python", content: "wrote notes", artifacts: [{ name: "notes.txt", text }] },
    });
    id = (await stored.json()).artifacts[0].id;
  }
  await api.dispose();
  await login(page, name, "pw");
  await shoot(page, "compare", `/artifacts/${conversation}/${id}?version=2&compare=1`, "notes.txt");
  await expect(page.locator(".compare-title")).toHaveText("Changes from v1 to v2");
});

test("the conversations and a conversation", async ({ page }) => {
  await login(page);
  await shoot(page, "conversations", "/conversations", "Conversations");
  const href = (await page.getByRole("link", { name: "Landing page draft" }).first().getAttribute("href"))!;
  await shoot(page, "conversation", href, "Landing page draft");
});

test("the settings", async ({ page }) => {
  await login(page);
  await shoot(page, "settings", "/settings", "Settings");
});

test("a share link's page, and its page once revoked", async ({ page, baseURL }) => {
  const { token } = newUser("shots");
  const conversation = await ingest(baseURL!, token, "Shared", { "notes/report.md": "# Quarterly notes\n\nRevenue is up.\n" });
  const api = await request.newContext({ baseURL, extraHTTPHeaders: { Authorization: `Bearer ${token}` } });
  const listing = await (await api.get(`/api/conversations/${conversation}/artifacts`)).json();
  const share = await (await api.post("/api/shares", { data: { artifact_id: listing.items[0].id, expires_in_seconds: 86400 } })).json();
  const url = new URL(share.url, baseURL).pathname;
  // Signed out: what anyone with the link sees.
  expect(await shoot(page, "share", url, "notes/report.md")).toBe(200);
  expect((await api.delete(`/api/shares/${share.id}`)).status()).toBe(204);
  await api.dispose();
  expect(await shoot(page, "share-revoked", url, "This link no longer works")).toBe(410);
});

test("the page of an address that is nothing", async ({ page }) => {
  await login(page);
  expect(await shoot(page, "not-found", "/no-such-page", "Not found")).toBe(404);
});
