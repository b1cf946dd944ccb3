import { expect, type Page } from "@playwright/test";
import { login, test } from "./helpers";

// Keeping one's place: Back from a preview (the browser's, the page's link,
// Escape) returns to the card it was opened from, scrolled as it was; the
// search box shows the URL's search after Back; the link to an artifact's
// conversation shows the tool that made it.

const phone = { width: 390, height: 844 };

test.beforeEach(async ({ page }) => {
  await login(page);
});

/** On a phone, scrolls the gallery (in name order) to its 18th card, far down, and opens it: the card's id and the scroll. */
async function openFarCard(page: Page) {
  await page.setViewportSize(phone);
  await page.goto("/artifacts?sort=name");
  const card = page.locator(".artifact-card").nth(17);
  // At the top (under its scroll margin), where a link to its id lands it too.
  await card.evaluate((c) => c.scrollIntoView({ block: "start" }));
  const id = (await card.getAttribute("id"))!;
  expect(id).toMatch(/^card-[0-9a-f-]+$/);
  const scrolled = await page.evaluate(() => window.scrollY);
  expect(scrolled).toBeGreaterThan(1500);
  await card.locator("a.artifact-name").click();
  await expect(page.locator(".meta-name")).toBeVisible();
  return { id, scrolled };
}

/** Back in the gallery with its query, at the card opened, scrolled as it was; focus on the card's link (with JavaScript). */
async function expectBackAt(page: Page, project: string, id: string, scrolled: number) {
  await expect(page).toHaveURL(new RegExp(`/artifacts\\?sort=name(#${id})?$`));
  const card = page.locator(`#${id}`);
  await expect(card).toBeInViewport({ ratio: 1 });
  await expect.poll(async () => Math.abs((await page.evaluate(() => window.scrollY)) - scrolled)).toBeLessThan(40);
  // Without JavaScript nothing moves focus: the browser scrolls to the fragment (or back) only.
  if (project === "js") await expect(card.locator("a.artifact-name")).toBeFocused();
}

test("the browser's Back returns to the card opened, scrolled as it was", async ({ page }, info) => {
  const { id, scrolled } = await openFarCard(page);
  await page.goBack();
  await expectBackAt(page, info.project.name, id, scrolled);
});

test("the preview's Back link returns to the card opened, scrolled as it was", async ({ page }, info) => {
  const { id, scrolled } = await openFarCard(page);
  await page.locator("a.close").click();
  await expect(page).toHaveURL(new RegExp(`#${id}$`));
  await expectBackAt(page, info.project.name, id, scrolled);
});

test("Escape on a preview returns to the card opened, scrolled as it was", async ({ page }, info) => {
  test.skip(info.project.name === "no-js", "keyboard shortcuts need the hydrated page");
  const { id, scrolled } = await openFarCard(page);
  await page.keyboard.press("Escape");
  await expect(page).toHaveURL(new RegExp(`#${id}$`));
  await expectBackAt(page, info.project.name, id, scrolled);
});

test("after Back, the search box shows the URL's search", async ({ page }) => {
  await page.goto("/artifacts");
  const all = await page.locator(".artifact-card").count();
  const box = page.getByLabel("Search names and conversations");
  await box.fill("app");
  await page.getByRole("button", { name: "Search" }).click();
  await expect(page).toHaveURL(/\/artifacts\?q=app$/);
  // Back to the page where "app" was typed: its box shows its URL's (empty) search, over all the cards.
  await page.goBack();
  await expect(page).toHaveURL(/\/artifacts$/);
  await expect(page.locator(".artifact-card")).toHaveCount(all);
  await expect(box).toHaveValue("");
  await page.goForward();
  await expect(page).toHaveURL(/\/artifacts\?q=app$/);
  await expect(box).toHaveValue("app");
  // Text typed and not searched gives way to the URL's search too, either way.
  await box.fill("zzz");
  await page.getByRole("link", { name: "Clear", exact: true }).click();
  await expect(page).toHaveURL(/\/artifacts$/);
  await expect(box).toHaveValue("");
  await page.goBack();
  await expect(page).toHaveURL(/\/artifacts\?q=app$/);
  await expect(box).toHaveValue("app");
});

test("the link to an artifact's conversation shows the tool's name and output with the artifact", async ({ page }) => {
  for (const viewport of [phone, { width: 1280, height: 720 }]) {
    await page.setViewportSize(viewport);
    await page.goto("/artifacts?type=code");
    await page.locator('.artifact-card a.artifact-name[title="landing/app.js"]').click();
    await expect(page.locator(".meta-name")).toHaveText("landing/app.js");
    await page.locator("a.source").click();
    await expect(page).toHaveURL(/\/conversations\/[0-9a-f-]+#artifact-[0-9a-f-]+-v\d+$/);
    const card = page.locator(`#${new URL(page.url()).hash.slice(1)}`);
    const message = page.locator(".message", { has: card });
    await expect(message.locator(".tool")).toHaveText("code_exec");
    await expect(card).toBeInViewport({ ratio: 1 });
    await expect(message.locator(".tool")).toBeInViewport({ ratio: 1 });
    await expect(message.locator(".tool-output")).toBeInViewport();
    await expect(message.locator(".tool-output")).toContainText("node --check landing/app.js");
  }
});
