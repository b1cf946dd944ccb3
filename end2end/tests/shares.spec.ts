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

test("a conversation's folder is shared from its page, shows only that folder, and stops when revoked", async ({
  page,
  browser,
  baseURL,
}) => {
  const { name, token } = newUser("sharefolder");
  const conversation = await ingest(baseURL!, token, "Folders", {
    "out/report.md": "# Report\n",
    "out/plots/points.csv": "x,y\n1,2\n",
    "notes.txt": "not in the folder",
  });
  await login(page, name, "pw", `/conversations/${conversation}`);

  await page.getByText("Share…").click();
  const shows = page.getByLabel("Shows");
  await expect(shows.locator("option")).toHaveText(["The whole conversation", "The folder out/", "The folder out/plots/"]);
  await shows.selectOption("out");
  await page.getByLabel("Expires").selectOption("3600");
  await page.getByRole("button", { name: "Create link" }).click();
  // With JavaScript the URL shows in the form; without, once on the settings page.
  const link = page.locator(".share-url");
  await expect(link).toBeVisible();
  const url = new URL((await link.getAttribute("href"))!, baseURL).toString();

  const stranger = await browser.newContext();
  const other = await stranger.newPage();
  expect((await other.goto(url))!.status()).toBe(200);
  await expect(other.getByRole("heading", { level: 1 })).toHaveText("out");
  await expect(other.getByRole("link", { name: "out/report.md", exact: true })).toBeVisible();
  await expect(other.getByRole("link", { name: "out/plots/points.csv", exact: true })).toBeVisible();
  await expect(other.getByText("notes.txt")).toHaveCount(0);

  await page.goto("/settings");
  await page.getByRole("button", { name: "Revoke the link to Folder out", exact: true }).click();
  await expect(page.getByRole("cell", { name: "Revoked", exact: true })).toBeVisible();
  await expect(page.getByRole("button", { name: "Revoke the link to Folder out", exact: true })).toHaveCount(0);
  expect((await other.goto(url))!.status()).toBe(410);
  await expect(other.locator("h1")).toHaveText("This link no longer works");
  await stranger.close();
});
