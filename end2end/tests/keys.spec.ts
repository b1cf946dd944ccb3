import { expect, type Locator, type Page } from "@playwright/test";
import path from "node:path";
import { ingest, login, newUser, test } from "./helpers";

const shots = (name: string, project: string) => path.join(__dirname, "..", "test-results", "screenshots", `${project}-${name}.png`);

/** Opens the preview of the card with this name from the gallery (under a filter, and a search). */
async function openPreview(page: Page, name: string, filter = "all", search = "") {
  const query = new URLSearchParams({ ...(filter === "all" ? {} : { type: filter }), ...(search ? { q: search } : {}) }).toString();
  await page.goto(query ? `/artifacts?${query}` : "/artifacts");
  await page.locator(`.artifact-card a.artifact-name[title="${name}"]`).click();
  await expect(page.locator(".meta-name")).toHaveText(name);
}

/** With JavaScript, waits for the wasm: its shortcuts listen from then. */
async function hydrated(page: Page, javaScript: boolean) {
  if (javaScript) await expect(page.getByLabel("Follow latest")).toBeVisible();
}

/** Fails if the page leaves `url` soon after a key press: the shortcuts navigate at once. */
async function staysAt(page: Page, url: string) {
  await page.waitForTimeout(500);
  expect(page.url()).toBe(url);
}

/** A previous or next artifact of the preview shown: the key that goes there, and its URL. */
async function neighbour(page: Page): Promise<[string, string]> {
  const next = page.locator('a[rel="next"]');
  const [key, link]: [string, Locator] =
    (await next.count()) > 0 ? ["ArrowRight", next] : ["ArrowLeft", page.locator('a[rel="prev"]')];
  return [key, new URL((await link.getAttribute("href"))!, page.url()).href];
}

test("← and → in a focused box that scrolls sideways scroll it and stay on the artifact", async ({ page, baseURL }, info) => {
  const { name, token } = newUser("keys");
  const columns = Array.from({ length: 30 }, (_, i) => `column ${i + 1}`);
  await ingest(baseURL!, token, "Wide files", {
    "first.txt": "first\n",
    "wide.js": `const line = "${"wide ".repeat(400)}";\nconsole.log(line);\n`,
    "wide.csv": `${columns.join(",")}\n${columns.map((_, i) => i).join(",")}\n`,
    "wide.md": `# Wide\n\n| ${columns.join(" | ")} |\n|${columns.map(() => "---").join("|")}|\n| ${columns.map((_, i) => i).join(" | ")} |\n`,
    "last.txt": "last\n",
  });
  await login(page, name, "pw");
  for (const [file, region] of [
    ["wide.js", "Code"],
    ["wide.csv", "Table"],
    // A Markdown table's own scroll box, named by the renderer (its only table).
    ["wide.md", "Table"],
  ]) {
    await openPreview(page, file);
    await hydrated(page, info.project.name === "js");
    await expect(page.locator('a[rel="next"], a[rel="prev"]').first()).toBeVisible();
    const url = page.url();
    const box = page.getByRole("region", { name: region, exact: true });
    expect(await box.evaluate((e) => e.scrollWidth > e.clientWidth), file).toBe(true);
    await box.focus();
    await page.keyboard.press("ArrowRight");
    await expect.poll(() => box.evaluate((e) => e.scrollLeft), file).toBeGreaterThan(0);
    await staysAt(page, url);
    await page.keyboard.press("ArrowLeft");
    await expect.poll(() => box.evaluate((e) => e.scrollLeft), file).toBe(0);
    await staysAt(page, url);
    await expect(page.locator(".meta-name")).toHaveText(file);
  }
});

test("← and → change artifact from the page, not from selected text nor from a zoomed image, which they pan", async ({ page }, info) => {
  test.skip(info.project.name === "no-js", "keyboard shortcuts need the hydrated page");
  await login(page);
  await openPreview(page, "illustrations/mountain-panorama.jpg", "images");
  await hydrated(page, true);
  const [key, target] = await neighbour(page);
  const url = page.url();

  await page.evaluate(() => getSelection()!.selectAllChildren(document.querySelector(".meta-name")!));
  await page.keyboard.press(key);
  await staysAt(page, url);
  await page.evaluate(() => getSelection()!.removeAllRanges());

  const frame = page.locator(".image-frame");
  await page.keyboard.type("+");
  await expect(frame).toHaveClass(/natural/);
  await expect(frame).toBeFocused();
  await expect.poll(() => frame.evaluate((f) => f.scrollWidth > f.clientWidth)).toBe(true);
  await page.keyboard.press("ArrowRight");
  await expect.poll(() => frame.evaluate((f) => f.scrollLeft)).toBeGreaterThan(0);
  // Also lets the smooth scroll end: Chromium dropped an ← pressed while it still ran.
  await staysAt(page, url);
  await page.keyboard.press("ArrowLeft");
  await expect.poll(() => frame.evaluate((f) => f.scrollLeft)).toBe(0);
  await staysAt(page, url);

  // Fitted again, the image has nothing to pan: the arrows are the page's, its box focused or not.
  await page.keyboard.type("0");
  await expect(frame).not.toHaveClass(/natural/);
  await expect(frame).toBeFocused();
  await page.keyboard.press(key);
  await expect(page).toHaveURL(target);
});

test("← and → on a focused audio player are the player's, and the page's once it is left", async ({ page }, info) => {
  test.skip(info.project.name === "no-js", "keyboard shortcuts need the hydrated page");
  await login(page);
  await openPreview(page, "alert.wav", "files");
  await hydrated(page, true);
  const [key, target] = await neighbour(page);
  const url = page.url();
  await page.locator(".preview-body audio").focus();
  await page.keyboard.press(key);
  await staysAt(page, url);
  await page.evaluate(() => (document.activeElement as HTMLElement).blur());
  await page.keyboard.press(key);
  await expect(page).toHaveURL(target);
});

/** The preview's name and its Download button, whole within a 390×844 viewport that has not scrolled. */
async function nameAndDownloadShown(page: Page, label: string) {
  expect(await page.evaluate(() => window.scrollY), label).toBe(0);
  const shown: Locator[] = [page.locator("h1.meta-name"), page.getByRole("link", { name: "Download", exact: true }).first()];
  for (const element of shown) {
    await expect(element, label).toBeVisible();
    const box = (await element.boundingBox())!;
    expect(box.y, label).toBeGreaterThanOrEqual(0);
    expect(box.y + box.height, label).toBeLessThanOrEqual(844);
  }
  expect(await page.evaluate(() => document.documentElement.scrollWidth), label).toBeLessThanOrEqual(390);
}

test("on a phone the preview's name and Download are above the fold", async ({ page }, info) => {
  await login(page);
  await page.setViewportSize({ width: 390, height: 844 });
  for (const name of ["illustrations/mountain-panorama.jpg", "queries/revenue_by_region.sql", "data/sales_2024.csv"]) {
    await page.goto(`/artifacts?q=${encodeURIComponent(name)}`);
    const href = await page.locator(`.artifact-card a.artifact-name[title="${name}"]`).getAttribute("href");
    await page.goto(href!);
    await hydrated(page, info.project.name === "js");
    await nameAndDownloadShown(page, name);
    await page.screenshot({ path: shots(`phone-head-${name.replaceAll("/", "-")}`, info.project.name) });
  }
});

test("on a phone a long name, cut, and Download stay above the fold", async ({ page, baseURL }, info) => {
  const long = "quarterly-revenue-report-for-the-board-meeting-in-december-final-v3.csv";
  const { name, token } = newUser("keys");
  await ingest(baseURL!, token, "Long names", { [long]: "a,b\n1,2\n" });
  await login(page, name, "pw");
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto((await page.locator(`.artifact-card a.artifact-name[title="${long}"]`).getAttribute("href"))!);
  await expect(page.getByRole("heading", { name: long, exact: true })).toBeVisible();
  await hydrated(page, info.project.name === "js");
  await nameAndDownloadShown(page, long);
  await page.screenshot({ path: shots("phone-head-long-name", info.project.name) });
});

/** The top bar's links, and those of them marked as the current page. */
const topLinks = (page: Page) => page.getByRole("navigation", { name: "Main", exact: true });
const current = (page: Page) => topLinks(page).locator('a[aria-current="page"]');

test("the top bar marks the current page, on its pages and after navigating", async ({ page }) => {
  await login(page);
  for (const [path, link] of [
    ["/artifacts", "Artifacts"],
    ["/artifacts?type=code", "Artifacts"],
    ["/conversations", "Conversations"],
    ["/settings", "Settings"],
  ]) {
    await page.goto(path);
    await expect(current(page), path).toHaveText([link]);
  }
  // Pages under a section: a preview, a conversation; reached by links (in the browser with JavaScript).
  await page.goto("/artifacts");
  await page.locator(".artifact-card a.artifact-name").first().click();
  await expect(page.locator(".meta-name")).toBeVisible();
  await expect(current(page)).toHaveText(["Artifacts"]);
  await topLinks(page).getByRole("link", { name: "Conversations" }).click();
  await expect(page).toHaveURL(/\/conversations$/);
  await expect(current(page)).toHaveText(["Conversations"]);
  await page.locator(".conversation-list a").first().click();
  await expect(page).toHaveURL(/\/conversations\/[0-9a-f-]+$/);
  await expect(current(page)).toHaveText(["Conversations"]);
  await topLinks(page).getByRole("link", { name: "Settings" }).click();
  await expect(page).toHaveURL(/\/settings$/);
  await expect(current(page)).toHaveText(["Settings"]);

  // Marked by more than colour: bold and underlined, in both themes. The line has the links' colour, which axe
  // checks at 4.5:1 on this bar (Sign out).
  for (const colorScheme of ["light", "dark"] as const) {
    await page.emulateMedia({ colorScheme });
    const style = (element: Locator) =>
      element.evaluate((e) => {
        const s = getComputedStyle(e);
        const [line, thickness, colour] = [s.textDecorationLine, s.textDecorationThickness, s.textDecorationColor];
        return { weight: Number(s.fontWeight), line, thickness, colour, text: s.color };
      });
    const marked = await style(current(page));
    const other = await style(topLinks(page).getByRole("link", { name: "Artifacts" }));
    const signOut = await style(page.getByRole("button", { name: "Sign out", exact: true }));
    expect(marked.weight, colorScheme).toBeGreaterThanOrEqual(600);
    expect([marked.line, marked.thickness], colorScheme).toEqual(["underline", "3px"]);
    expect(marked.colour, colorScheme).toBe(signOut.text);
    expect(other.weight, colorScheme).toBeLessThan(600);
    expect(other.line, colorScheme).toBe("none");
  }
});

test("a delete confirmation starts on Cancel, and Escape cancels it", async ({ page }, info) => {
  await login(page);
  // Found by search: tests that ran before may have pushed it off the gallery's first page.
  await openPreview(page, "analysis.py", "all", "analysis.py");
  const preview = page.url();
  // Opened as a page of its own (a link followed, or a reload): the browser focuses Cancel.
  await page.goto(`${preview}${preview.includes("?") ? "&" : "?"}confirm=delete`);
  const dialog = page.getByRole("alertdialog");
  await expect(dialog).toBeVisible();
  await expect(dialog.getByRole("link", { name: "Cancel" })).toBeFocused();
  await expect(dialog.getByRole("button", { name: "Delete" })).not.toBeFocused();
  if (info.project.name !== "js") return; // the shortcut needs the hydrated page
  await expect(page.getByLabel("Follow latest")).toBeVisible();
  await page.keyboard.press("Escape");
  await expect(dialog).toBeHidden();
  expect(page.url()).toBe(preview);
  await expect(page.locator(".meta-name")).toHaveText("analysis.py");
  // Escape without a confirmation still leaves for the gallery.
  await page.keyboard.press("Escape");
  await expect(page).toHaveURL(/\/artifacts(\?[^#]*)?#card-[0-9a-f-]+$/);
});

/** The page's own heading: the first in <main> (a Markdown preview's body has its own). */
const heading = (page: Page) => page.locator("main h1").first();

test("after a navigation in the app, focus is on the new page's heading", async ({ page }, info) => {
  test.skip(info.project.name !== "js", "without JavaScript every page is a page load, which the browser focuses");
  await login(page);
  await page.goto("/artifacts?type=code");
  const first = page.locator(".artifact-card a.artifact-name").first();
  const name = (await first.getAttribute("title"))!;
  await first.click();
  await expect(page.locator(".meta-name")).toHaveText(name);
  await expect(heading(page)).toBeFocused();
  await heading(page).press("ArrowRight");
  await expect(page.locator(".meta-name")).not.toHaveText(name);
  await expect(heading(page)).toBeFocused();
  await page.getByRole("navigation", { name: "Main", exact: true }).getByRole("link", { name: "Conversations" }).click();
  await expect(page).toHaveURL(/\/conversations$/);
  await expect(heading(page)).toHaveText("Conversations");
  await expect(heading(page)).toBeFocused();
});
