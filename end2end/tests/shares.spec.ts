import { expect, request } from "@playwright/test";
import { ingest, login, newUser, test } from "./helpers";

test("a share link made from the preview opens, with its preview and download, in a browser without a session", async ({
  page,
  browser,
  baseURL,
}) => {
  const { name, token } = newUser("share");
  const conversation = await ingest(baseURL!, token, "Shared", { "notes/report.md": "# Quarterly notes\n\nRevenue is up.\n" });
  const api = await request.newContext({ baseURL, extraHTTPHeaders: { Authorization: `Bearer ${token}` } });
  const listing = await (await api.get(`/api/conversations/${conversation}/artifacts`)).json();
  await api.dispose();
  await login(page, name, "pw");
  await page.goto(`/artifacts/${conversation}/${listing.items[0].id}`);

  await page.getByText("Share…").click();
  await page.getByLabel("Shows").selectOption("version");
  await page.getByLabel("Expires").selectOption("86400");
  await page.getByRole("button", { name: "Create link" }).click();
  const link = page.locator(".share-url");
  await expect(link).toBeVisible();
  const href = (await link.getAttribute("href"))!;
  expect(href).toMatch(/\/s\/[A-Za-z0-9_-]{43}$/);
  const url = new URL(href, baseURL).toString();

  // Someone else: a fresh browser context, no cookies.
  const stranger = await browser.newContext();
  const other = await stranger.newPage();
  const response = await other.goto(url);
  expect(response!.status()).toBe(200);
  await expect(other).toHaveURL(url);
  await expect(other.locator("article.markdown h1")).toHaveText("Quarterly notes");
  await expect(other.locator(".meta-name")).toHaveText("notes/report.md");
  await expect(other.getByRole("button", { name: "Sign out" })).toHaveCount(0);
  const download = other.waitForEvent("download");
  await other.getByRole("link", { name: "Download", exact: true }).click();
  expect((await download).suggestedFilename()).toBe("report.md");
  expect(await stranger.cookies()).toEqual([]);
  await stranger.close();
});
