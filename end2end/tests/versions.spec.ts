import { expect, request, type Page } from "@playwright/test";
import { login, newUser, test } from "./helpers";

/** A new user's conversation where `notes.txt` was written once per entry of `texts`; signed in as them. */
async function drafts(page: Page, baseURL: string, texts: string[]) {
  const { name, token } = newUser("ver");
  const api = await request.newContext({ baseURL, extraHTTPHeaders: { Authorization: `Bearer ${token}` } });
  const conversation = (await (await api.post("/api/conversations", { data: { title: "Drafts" } })).json()).id;
  let id = "";
  for (const text of texts) {
    const stored = await api.post(`/api/conversations/${conversation}/tool-results`, {
      data: { tool: "python", content: "wrote notes", artifacts: [{ name: "notes.txt", text }] },
    });
    expect(stored.status()).toBe(201);
    id = (await stored.json()).artifacts[0].id;
  }
  await api.dispose();
  await login(page, name, "pw");
  return { conversation, preview: `/artifacts/${conversation}/${id}` };
}

test("pick a version, compare it with the previous one, restore it", async ({ page, baseURL }) => {
  const { preview } = await drafts(page, baseURL!, ["alpha\nbeta\ngamma\n", "alpha\nBETA\ngamma\ndelta\n"]);
  await page.goto(preview);
  await expect(page.locator(".preview-body")).toContainText("BETA");
  const versions = page.getByRole("region", { name: "Versions" });

  await versions.getByRole("link", { name: "v1", exact: true }).click();
  await expect(page).toHaveURL(new RegExp(`${preview}\\?version=1$`));
  await expect(page.locator(".preview-body")).toContainText("beta");
  await expect(page.locator(".preview-body")).not.toContainText("BETA");
  await expect(page.locator(".meta")).toContainText("1 of 2");

  await page.goto(`${preview}?version=2`);
  await versions.getByRole("link", { name: "Compare with previous" }).click();
  await expect(page).toHaveURL(new RegExp(`${preview}\\?version=2&compare=1$`));
  await expect(page.locator(".compare-title")).toHaveText("Changes from v1 to v2");
  await expect(page.locator(".diff-summary")).toHaveText("2 lines added, 1 removed.");
  await expect(page.locator("table.diff tr.del .line")).toHaveText(["beta"]);
  await expect(page.locator("table.diff tr.ins .line")).toHaveText(["BETA", "delta"]);
  await expect(page.locator("table.diff tr.ins .mark").first()).toHaveText("+");

  await page.goto(`${preview}?version=1`);
  await versions.getByRole("button", { name: "Restore this version" }).click();
  await expect(page).toHaveURL(new RegExp(`${preview}$`));
  await expect(page.locator(".meta")).toContainText("3 of 3");
  await expect(page.locator(".preview-body")).toContainText("beta");
  await expect(versions.getByRole("link", { name: "v3", exact: true })).toHaveAttribute("aria-current", "page");
});

test("the transcript links each message's card to the version it made", async ({ page, baseURL }) => {
  const { conversation, preview } = await drafts(page, baseURL!, ["one\n", "two\n"]);
  await page.goto(`/conversations/${conversation}`);
  const cards = page.locator(".transcript .artifact-card");
  await expect(cards).toHaveCount(2);
  await expect(cards.nth(0).locator(".badge.version")).toHaveText("v1");
  await expect(cards.nth(1).locator(".badge.version")).toHaveText("v2");
  await cards.nth(0).locator("a.artifact-name").click();
  await expect(page).toHaveURL(new RegExp(`${preview}\\?version=1$`));
  await expect(page.locator(".preview-body")).toContainText("one");
});
