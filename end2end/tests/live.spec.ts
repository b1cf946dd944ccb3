import { expect, request, type Page } from "@playwright/test";
import { ingest, login, newUser, test } from "./helpers";

test.beforeEach(({}, info) => {
  test.skip(info.project.name === "no-js", "live updates need the hydrated page");
});

/** Signs in as a new user with `files`, at `path`, once the page follows /api/events. */
async function openLive(page: Page, baseURL: string, files: Record<string, string>, path = "/artifacts") {
  const user = newUser("live");
  await ingest(baseURL, user.token, "Before", files);
  const stream = page.waitForResponse((r) => new URL(r.url()).pathname === "/api/events");
  await login(page, user.name, "pw", path);
  await stream;
  // Marks this document: a reload would lose it.
  await page.evaluate(() => ((window as unknown as { live: boolean }).live = true));
  return user.token;
}

const sameDocument = (page: Page) => page.evaluate(() => (window as unknown as { live?: boolean }).live === true);

test("an artifact ingested through the API appears in the open gallery, and goes when deleted", async ({ page, baseURL }) => {
  const token = await openLive(page, baseURL!, { "first.txt": "one" });
  await expect(page.locator(".artifact-card")).toHaveCount(1);

  const conversation = await ingest(baseURL!, token, "After", { "second.txt": "two" });
  await expect(page.locator(".artifact-card").filter({ hasText: "second.txt" })).toBeVisible();
  await expect(page.locator('.tab[data-filter="all"] .count')).toHaveText("2");
  expect(await sameDocument(page)).toBe(true);

  const api = await request.newContext({ baseURL, extraHTTPHeaders: { Authorization: `Bearer ${token}` } });
  const listing = await (await api.get(`/api/conversations/${conversation}/artifacts`)).json();
  expect((await api.delete(`/api/conversations/${conversation}/artifacts/${listing.items[0].id}`)).status()).toBe(204);
  await api.dispose();
  await expect(page.locator(".artifact-card").filter({ hasText: "second.txt" })).toHaveCount(0);
  await expect(page.locator('.tab[data-filter="all"] .count')).toHaveText("1");
  expect(await sameDocument(page)).toBe(true);
});

test("past page 1 the gallery counts new artifacts and links to page 1", async ({ page, baseURL }) => {
  const files = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`file-${i}.txt`, `${i}`]));
  const token = await openLive(page, baseURL!, files, "/artifacts?page=2");
  await ingest(baseURL!, token, "After", { "new.txt": "new" });
  const link = page.getByRole("link", { name: "1 new artifact" });
  await expect(link).toBeVisible();
  expect(await sameDocument(page)).toBe(true);
  await link.click();
  await expect(page.locator(".artifact-card").first()).toContainText("new.txt");
});
