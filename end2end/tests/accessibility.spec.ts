import AxeBuilder from "@axe-core/playwright";
import { expect, request, type Page } from "@playwright/test";
import { readFileSync } from "node:fs";
import path from "node:path";
import { ingest, login, newUser, test } from "./helpers";

// axe-core on every page, in the light and the dark theme: any violation
// fails. Only with JavaScript: axe runs as a script in the page, and the
// server's HTML is the same with or without it.
test.skip(({ javaScriptEnabled }) => !javaScriptEnabled, "axe needs JavaScript");

/** One demo artifact of each preview kind, by name. */
const previews: Record<string, string> = {
  image: "plots/quarterly_revenue.png",
  html: "report.html",
  pdf: "summary.pdf",
  audio: "alert.wav",
  code: "analysis.py",
  markdown: "README.md",
  table: "data/sales_2024.csv",
  text: "notes.txt",
  archive: "dist/churn-model-v3.zip",
  binary: "model.bin",
};

/** The violations on the page as loaded, in both themes, one line each. */
async function violations(page: Page): Promise<string[]> {
  const found: string[] = [];
  for (const colorScheme of ["light", "dark"] as const) {
    await page.emulateMedia({ colorScheme });
    // What is inside these frames is the agent's document (or the browser's
    // PDF viewer), not the app's page.
    const results = await new AxeBuilder({ page }).exclude(".html-frame").exclude(".pdf-frame").analyze();
    for (const v of results.violations) {
      found.push(`${colorScheme}: ${v.id} (${v.help}) at ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
    }
  }
  return found;
}

async function check(page: Page, path: string) {
  await page.goto(path);
  await page.waitForLoadState("networkidle");
  expect(await violations(page), path).toEqual([]);
}

/** The href of the demo card with this name, found by the gallery's search. */
async function previewPath(page: Page, name: string): Promise<string> {
  await page.goto(`/artifacts?q=${encodeURIComponent(name)}`);
  return (await page.locator(`.artifact-card a.artifact-name[title="${name}"]`).getAttribute("href"))!;
}

test("the login page", async ({ page }) => {
  await check(page, "/login");
});

for (const path of ["/artifacts", "/artifacts?type=images", "/conversations", "/settings"]) {
  test(`the page ${path}`, async ({ page }) => {
    await login(page);
    await check(page, path);
  });
}

test("a conversation", async ({ page }) => {
  await login(page);
  await page.goto("/conversations");
  await page.getByRole("link", { name: "Landing page draft" }).first().click();
  await expect(page).toHaveURL(/\/conversations\/[0-9a-f-]+$/);
  await check(page, new URL(page.url()).pathname);
});

for (const [kind, name] of Object.entries(previews)) {
  test(`the ${kind} preview`, async ({ page }) => {
    // axe takes seconds over the table's 500 rows, once per theme.
    test.slow(kind === "table", "axe on a 500-row table");
    await login(page);
    await check(page, await previewPath(page, name));
  });
}

/** The preview of a file of tests/fixtures/previews, stored for a new user, who is signed in. */
async function fixturePreview(page: Page, baseURL: string, file: string): Promise<string> {
  const { name, token } = newUser("axe");
  const bytes = readFileSync(path.join(__dirname, "..", "..", "tests", "fixtures", "previews", file));
  const conversation = await ingest(baseURL, token, file, { [file]: bytes });
  await login(page, name, "pw");
  await page.goto(`/conversations/${conversation}`);
  return (await page.locator(`.artifact-card a.artifact-name[title="${file}"]`).getAttribute("href"))!;
}

test("a spreadsheet's preview, a table a sheet", async ({ page, baseURL }) => {
  await check(page, await fixturePreview(page, baseURL!, "budget.xlsx"));
  await expect(page.locator(".sheet")).not.toHaveCount(1);
});

test("a notebook's preview, its HTML output's picture without alt text", async ({ page, baseURL }) => {
  await check(page, await fixturePreview(page, baseURL!, "analysis.ipynb"));
  await expect(page.locator(".nb-html img")).toHaveAttribute("alt", "");
});

test("a delete confirmation", async ({ page }) => {
  await login(page);
  const preview = await previewPath(page, "analysis.py");
  await check(page, `${preview}${preview.includes("?") ? "&" : "?"}confirm=delete`);
  await expect(page.getByRole("alertdialog")).toBeVisible();
});

test("a share link's page", async ({ page, baseURL }) => {
  const { token } = newUser("axe");
  const conversation = await ingest(baseURL!, token, "Shared", { "notes/report.md": "# Notes\n\n```python\nprint(1)\n```\n" });
  const api = await request.newContext({ baseURL, extraHTTPHeaders: { Authorization: `Bearer ${token}` } });
  const listing = await (await api.get(`/api/conversations/${conversation}/artifacts`)).json();
  const share = await api.post("/api/shares", { data: { artifact_id: listing.items[0].id, expires_in_seconds: 86400 } });
  expect(share.status()).toBe(201);
  const { url } = await share.json();
  await api.dispose();
  await check(page, new URL(url, baseURL).pathname);
});
