import { expect, request, type Page } from "@playwright/test";
import path from "node:path";
import { ingest, login, newUser, test } from "./helpers";

const shots = (name: string, project: string) => path.join(__dirname, "..", "test-results", "screenshots", `${project}-${name}.png`);

/** Opens the preview of the card with this name from the gallery (under a filter). */
async function openPreview(page: Page, name: string, filter = "all") {
  await page.goto(filter === "all" ? "/artifacts" : `/artifacts?type=${filter}`);
  // By the card's name link alone: another card's face may show this name
  // (notes.txt mentions data/sales_2024.csv).
  await page.locator(`.artifact-card a.artifact-name[title="${name}"]`).click();
  await expect(page.locator(".meta-name")).toHaveText(name);
}

test.beforeEach(async ({ page }) => {
  await login(page);
});

test("each filter tab shows only its types, with the right count", async ({ page }, info) => {
  for (const filter of ["images", "html", "code", "files"]) {
    await page.locator(`.tab[data-filter="${filter}"]`).click();
    await expect(page).toHaveURL(new RegExp(`type=${filter}$`));
    await expect(page.locator(`.tab[data-filter="${filter}"]`)).toHaveAttribute("aria-current", "page");
    const count = Number(await page.locator(`.tab[data-filter="${filter}"] .count`).textContent());
    const cards = page.locator(".artifact-card");
    await expect(cards).toHaveCount(count);
    expect(count).toBeGreaterThan(0);
    for (const type of await cards.evaluateAll((els) => els.map((e) => e.getAttribute("data-type")))) {
      expect(type).toBe(filter);
    }
    await page.screenshot({ path: shots(`gallery-${filter}`, info.project.name), fullPage: true });
  }
  const sum = async (f: string) => Number(await page.locator(`.tab[data-filter="${f}"] .count`).textContent());
  expect((await sum("images")) + (await sum("html")) + (await sum("code")) + (await sum("files"))).toBe(await sum("all"));
});

test("image cards have server-made thumbnails", async ({ page, request }) => {
  await page.goto("/artifacts?type=images");
  const thumb = page.locator(".artifact-card").filter({ hasText: "mountain-panorama.jpg" }).locator("img.thumb");
  const src = await thumb.getAttribute("src");
  expect(src).toMatch(/\/thumbnail$/);
  const cookies = await page.context().cookies();
  const res = await request.get(src!, { headers: { cookie: cookies.map((c) => `${c.name}=${c.value}`).join("; ") } });
  expect(res.headers()["content-type"]).toBe("image/webp");
  expect((await res.body()).length).toBeLessThan(100_000);
});

test("an image preview fits its space, and is at full resolution a click away", async ({ page }, info) => {
  await openPreview(page, "illustrations/mountain-panorama.jpg", "images");
  const img = page.locator(".image-frame img");
  await expect(img).toBeVisible();
  await expect.poll(() => img.evaluate((i: HTMLImageElement) => i.naturalWidth)).toBe(2400);
  const box = await img.boundingBox();
  expect(box!.width).toBeLessThanOrEqual(page.viewportSize()!.width);
  await page.screenshot({ path: shots("preview-image", info.project.name) });
  if (info.project.name === "js") {
    await expect(page.getByRole("button", { name: "Show at 100% (+)" })).toBeVisible();
    await img.click();
    await expect.poll(async () => (await img.boundingBox())!.width).toBe(2400);
  }
});

test("an HTML preview runs in a sandbox without same-origin", async ({ page }, info) => {
  await openPreview(page, "report.html", "html");
  const frame = page.locator("iframe.html-frame");
  await expect(frame).toHaveAttribute("sandbox", "allow-scripts");
  expect(await frame.getAttribute("sandbox")).not.toContain("allow-same-origin");
  if (info.project.name === "js") {
    // Its own script ran, inside the sandbox.
    await expect(page.frameLocator("iframe.html-frame").locator("#best-note")).toContainText("Q4");
  }
  await page.screenshot({ path: shots("preview-html", info.project.name) });
});

test("code is highlighted on the server, with line numbers", async ({ page }, info) => {
  await openPreview(page, "analysis.py", "code");
  await expect(page.locator(".code")).toHaveAttribute("data-language", "Python");
  expect(await page.locator(".code .src [class^='hl-']").count()).toBeGreaterThan(10);
  await expect(page.locator(".code .gutter")).toContainText("1\n2\n3");
  await page.screenshot({ path: shots("preview-code", info.project.name) });
  await openPreview(page, "tools/run", "files");
  await expect(page.locator(".code")).toHaveAttribute("data-language", "Python");
});

test("Markdown is rendered, with tables, and raw script is removed", async ({ page }, info) => {
  await openPreview(page, "README.md", "code");
  const md = page.locator("article.markdown");
  await expect(md.locator("h1")).toHaveText("Nightly ETL");
  await expect(md.locator("h2").first()).toBeVisible();
  await expect(md.locator("table th").first()).toHaveText("Step");
  expect(await md.locator("script").count()).toBe(0);
  await page.screenshot({ path: shots("preview-markdown", info.project.name) });
});

test("CSV shows as a table, text as text, binaries as a download", async ({ page, request }, info) => {
  await openPreview(page, "data/sales_2024.csv", "files");
  await expect(page.locator("table.data tbody tr")).toHaveCount(300);
  await page.screenshot({ path: shots("preview-table", info.project.name) });
  await openPreview(page, "run.log", "files");
  await expect(page.locator("pre.text")).toBeVisible();
  await openPreview(page, "notes.txt", "files");
  await expect(page.locator("pre.text")).toContainText("Revenue for the year: $348,431.");
  await openPreview(page, "model.bin", "files");
  const download = page.locator(".binary a.button");
  await expect(download).toHaveText("Download");
  const href = await download.getAttribute("href");
  expect(href).toMatch(/\?download=true$/);
  const cookies = await page.context().cookies();
  const res = await request.get(href!, { headers: { cookie: cookies.map((c) => `${c.name}=${c.value}`).join("; ") } });
  expect(res.headers()["content-disposition"]).toMatch(/^attachment; filename="model.bin"/);
  await page.screenshot({ path: shots("preview-binary", info.project.name) });
});

test("the source link lands on the highlighted artifact in its conversation", async ({ page }, info) => {
  await openPreview(page, "landing/app.js", "code");
  await page.locator("a.source").click();
  await expect(page).toHaveURL(/\/conversations\/[0-9a-f-]+#artifact-[0-9a-f-]+-v\d+$/);
  await expect(page.locator("h1")).toHaveText("Landing page draft");
  const id = new URL(page.url()).hash.slice(1);
  const card = page.locator(`#${id}`);
  await expect(card).toContainText("landing/app.js");
  await expect(card).toBeInViewport();
  // :target after a full load (no JS); the page's own mark after client-side navigation.
  expect(await card.evaluate((e) => e.matches(":target") || e.classList.contains("highlight"))).toBe(true);
  await page.screenshot({ path: shots("conversation", info.project.name) });
});

test("filters and previews survive reload and back/forward", async ({ page }) => {
  await page.goto("/artifacts?type=code");
  await page.locator(".artifact-card a.artifact-name").first().click();
  await expect(page).toHaveURL(/\/artifacts\/[0-9a-f-]+\/[0-9a-f-]+\?type=code$/);
  const name = await page.locator(".meta-name").textContent();
  await page.reload();
  await expect(page.locator(".meta-name")).toHaveText(name!);
  await page.goBack();
  await expect(page).toHaveURL(/\/artifacts\?type=code$/);
  await expect(page.locator('.tab[data-filter="code"]')).toHaveAttribute("aria-current", "page");
  await page.goForward();
  await expect(page.locator(".meta-name")).toHaveText(name!);
});

test("going back before the page has hydrated shows the page gone back to", async ({ page }, info) => {
  test.skip(info.project.name === "no-js", "same-document history entries come from the hydrated router");
  await page.goto("/artifacts?type=code");
  await page.locator(".artifact-card a.artifact-name").first().click();
  await expect(page).toHaveURL(/\/artifacts\/[0-9a-f-]+\/[0-9a-f-]+\?type=code$/);
  // Reload with the wasm held back, go back while the page is server HTML
  // only (the URL changes, the HTML does not), then let the wasm in.
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  await page.route(/\.wasm$/, async (route) => {
    await held;
    await route.continue();
  });
  await page.reload({ waitUntil: "domcontentloaded" });
  await expect(page.locator(".meta-name")).toBeVisible();
  await page.goBack({ waitUntil: "commit" });
  await expect(page).toHaveURL(/\/artifacts\?type=code$/);
  await expect(page.locator(".meta-name")).toBeVisible();
  release();
  await expect(page.locator('.tab[data-filter="code"]')).toHaveAttribute("aria-current", "page");
  await expect(page.locator(".meta-name")).toHaveCount(0);
  // Hydrated: the filter tabs navigate without a page load.
  await page.locator('.tab[data-filter="images"]').click();
  await expect(page.locator(".artifact-card").first()).toHaveAttribute("data-type", "images");
});

test("keyboard: arrows walk the filter, Escape closes", async ({ page }, info) => {
  test.skip(info.project.name === "no-js", "keyboard shortcuts need the hydrated page");
  await page.goto("/artifacts?type=images");
  // Full names: cards show long ones cut in the middle.
  const names = await page.locator(".artifact-card a.artifact-name").evaluateAll((links) => links.map((a) => a.getAttribute("title")));
  await page.locator(".artifact-card a.artifact-name").first().click();
  await expect(page.locator(".meta-name")).toHaveText(names[0]);
  await page.keyboard.press("ArrowRight");
  await expect(page.locator(".meta-name")).toHaveText(names[1]);
  await page.keyboard.press("ArrowLeft");
  await expect(page.locator(".meta-name")).toHaveText(names[0]);
  await page.keyboard.press("Escape");
  await expect(page).toHaveURL(/\/artifacts\?type=images#card-[0-9a-f-]+$/);
});

test("another user sees none of demo's artifacts", async ({ browser }) => {
  const { name } = newUser("eve");
  const context = await browser.newContext();
  const page = await context.newPage();
  await login(page, name, "pw");
  await expect(page.locator(".artifact-card")).toHaveCount(0);
  await expect(page.locator('.tab[data-filter="all"] .count')).toHaveText("0");
  await expect(page.locator(".empty")).toContainText("No artifacts yet");
  await page.goto("/conversations");
  await expect(page.locator(".empty")).toContainText("No conversations yet");
  await context.close();
});

test("search by file name or conversation title keeps the filter; sorting orders the cards", async ({ page }, info) => {
  await page.goto("/artifacts?type=code");
  await page.getByLabel("Search names and conversations").fill("app");
  await page.getByRole("button", { name: "Search" }).click();
  await expect(page).toHaveURL(/\/artifacts\?(?=.*type=code)(?=.*q=app)/);
  const cards = page.locator(".artifact-card");
  await expect(cards.first()).toBeVisible();
  for (const name of await cards.locator("a.artifact-name").allTextContents()) {
    expect(name.toLowerCase()).toContain("app");
  }
  await expect(page.locator('.tab[data-filter="code"] .count')).toHaveText(String(await cards.count()));
  await page.screenshot({ path: shots("gallery-search", info.project.name), fullPage: true });
  // A conversation's title finds its artifacts, whatever their names.
  await page.goto("/artifacts?q=NIGHTLY");
  const sources = await page.locator(".artifact-card .artifact-source").allTextContents();
  expect(sources.length).toBeGreaterThan(1);
  expect(new Set(sources)).toEqual(new Set(["Nightly ETL job"]));
  await expect(page.locator(".toolbar > .button")).toHaveText(`Download ${sources.length} files (.zip)`);

  await page.goto("/artifacts");
  await page.locator('.sorts a[data-sort="name"]').click();
  await expect(page).toHaveURL(/sort=name/);
  await expect(page.locator('.sorts a[data-sort="name"]')).toHaveAttribute("aria-current", "true");
  const byName = await page.locator(".artifact-card a.artifact-name").allTextContents();
  const lower = byName.map((n) => n.toLowerCase());
  expect(lower).toEqual([...lower].sort());

  await page.locator('.sorts a[data-sort="size"]').click();
  await expect(page).toHaveURL(/sort=size/);
  // The order is marked once its cards are in (the old ones stay until then).
  await expect(page.locator('.sorts a[data-sort="size"]')).toHaveAttribute("aria-current", "true");
  await page.locator(".artifact-card a.artifact-name").first().click();
  await expect(page).toHaveURL(/sort=size/);
  await page.locator("a.close").click();
  await expect(page).toHaveURL(/\/artifacts\?sort=size#card-[0-9a-f-]+$/);

  await page.goto("/artifacts?q=no-such-file-anywhere");
  await expect(page.locator(".empty")).toContainText("No artifacts with “no-such-file-anywhere” in their name");
  await expect(page.locator(".toolbar > .button")).toHaveText("Download 0 files (.zip)");
  await expect(page.locator(".toolbar > .button")).toHaveAttribute("aria-disabled", "true");
  await expect(page.locator(".toolbar > .button")).not.toHaveAttribute("href");
});

test("cards show a relative time with the exact time on hover", async ({ page }) => {
  const time = page.locator(".artifact-card time").first();
  await expect(time).toHaveText(/^(just now|\d+ minutes? ago|\d+ hours? ago|yesterday|\d+ days ago)$/);
  await expect(time).toHaveAttribute("title", /^\d{4}-\d\d-\d\d \d\d:\d\d UTC$/);
  await expect(time).toHaveAttribute("datetime", /^\d{4}-\d\d-\d\dT/);
});

test("deleting an artifact asks first, then removes it everywhere", async ({ browser, baseURL }, info) => {
  const { name, token } = newUser("del");
  await ingest(baseURL!, token, "Cleanup", { "keep.txt": "keep me", "drop.txt": "drop me" });
  const context = await browser.newContext();
  const page = await context.newPage();
  await login(page, name, "pw");
  await expect(page.locator('.tab[data-filter="all"] .count')).toHaveText("2");
  await page.locator(".artifact-card").filter({ hasText: "drop.txt" }).locator("a.artifact-name").click();
  const raw = await page.getByRole("link", { name: "Open raw" }).getAttribute("href");

  await page.getByRole("link", { name: "Delete…" }).click();
  await expect(page).toHaveURL(/confirm=delete/);
  await expect(page.getByRole("alertdialog")).toContainText("Delete drop.txt?");
  await page.screenshot({ path: shots("delete-confirm", info.project.name) });
  await page.getByRole("link", { name: "Cancel" }).click();
  await expect(page.getByRole("alertdialog")).toHaveCount(0);
  await expect(page.locator(".meta-name")).toHaveText("drop.txt");

  await page.getByRole("link", { name: "Delete…" }).click();
  await page.getByRole("button", { name: "Delete", exact: true }).click();
  await expect(page).toHaveURL(/\/artifacts$/);
  await expect(page.locator('.tab[data-filter="all"] .count')).toHaveText("1");
  await expect(page.locator(".artifact-card")).toHaveText([/keep\.txt/]);
  // The raw URL is on the content origin, which only the browser resolves.
  expect((await page.goto(raw!))!.status()).toBe(404);
  await context.close();
});

test("an agent's script can neither read the session nor call the API as the user", async ({ page }, info) => {
  test.skip(info.project.name === "no-js", "the probe is a script");
  const expectNothing = async (result: ReturnType<Page["locator"]>) => {
    await expect(result).toHaveAttribute("data-state", "done");
    const text = (await result.textContent())!;
    // On the content origin: its own host has no API (403 if a sandbox
    // were lost), the app's answers no other origin, no cookie reaches it.
    expect(text).toMatch(/^fetch: (error .*|HTTP 40[13])$/m);
    expect(text).toMatch(/^app fetch: (error .*|HTTP 401)$/m);
    expect(text).toMatch(/^cookie: (error .*|"")$/m);
    expect(text).toMatch(/^parent: (error .*|none)$/m);
  };
  await openPreview(page, "probe.html", "html");
  await expectNothing(page.frameLocator("iframe.html-frame").locator("#probe-result"));
  await page.screenshot({ path: shots("preview-probe", info.project.name) });
  // Opened directly, the raw file runs under its sandbox CSP: an opaque
  // origin, on the content origin.
  const raw = await page.getByRole("link", { name: "Open raw" }).getAttribute("href");
  expect(new URL(raw!).hostname).toBe("usercontent.localhost");
  await page.goto(raw!);
  await expectNothing(page.locator("#probe-result"));
});

test("audio plays in the browser's player and seeks by Range", async ({ page }, info) => {
  await openPreview(page, "alert.wav", "files");
  const audio = page.locator(".preview-body audio");
  await expect(audio).toHaveAttribute("controls", "");
  const src = await audio.getAttribute("src");
  const part = await page.request.get(src!, { headers: { Range: "bytes=44-1043" } });
  expect(part.status()).toBe(206);
  expect((await part.body()).length).toBe(1000);
  if (info.project.name === "js") {
    const duration = await audio.evaluate(
      (a: HTMLAudioElement) =>
        new Promise<number>((done) => (a.readyState >= 1 ? done(a.duration) : a.addEventListener("loadedmetadata", () => done(a.duration)))),
    );
    expect(duration).toBeCloseTo(0.6, 1);
  }
  await page.screenshot({ path: shots("preview-audio", info.project.name) });
});

test("Copy puts the code on the clipboard", async ({ page, context }, info) => {
  test.skip(info.project.name === "no-js", "copying needs the hydrated page");
  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  await openPreview(page, "landing/app.js", "code");
  await page.getByRole("button", { name: "Copy" }).click();
  await expect(page.getByRole("button", { name: "Copied" })).toBeVisible();
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  expect(copied).toBe(await page.locator("#copy-source").textContent());
  expect(copied).toContain("function revealOnScroll");
});

test("the gallery and a preview fit a phone's width", async ({ page }, info) => {
  await page.setViewportSize({ width: 390, height: 844 });
  for (const url of ["/artifacts", "/artifacts?type=code"]) {
    await page.goto(url);
    await expect(page.locator(".artifact-card").first()).toBeVisible();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  }
  await page.goto("/artifacts");
  // Two cards a row; the tabs one row, the search under them; under 200 px from the tabs to the first card.
  const cards = await page
    .locator(".artifact-card")
    .evaluateAll((all) => all.slice(0, 3).map((c) => ({ top: c.getBoundingClientRect().top, left: c.getBoundingClientRect().left })));
  expect(cards[1].top).toBe(cards[0].top);
  expect(cards[1].left).toBeGreaterThan(cards[0].left);
  expect(cards[2].top).toBeGreaterThan(cards[0].top);
  const tabTops = await page.locator(".tab").evaluateAll((tabs) => tabs.map((t) => t.getBoundingClientRect().top));
  expect(new Set(tabTops).size).toBe(1);
  const tabs = (await page.locator(".tabs").boundingBox())!;
  const search = (await page.locator("form.search").boundingBox())!;
  expect(search.y).toBeGreaterThanOrEqual(tabs.y + tabs.height);
  expect(search.width).toBeGreaterThan(300);
  expect(cards[0].top - tabs.y).toBeLessThan(200);
  // "Sign out" on one line.
  const [height, line] = await page
    .getByRole("button", { name: "Sign out", exact: true })
    .evaluate((b) => [b.getBoundingClientRect().height, parseFloat(getComputedStyle(b).lineHeight)]);
  expect(height).toBeLessThan(line * 1.5);
  await page.screenshot({ path: shots("phone-gallery", info.project.name), fullPage: true });
  await page.locator(".artifact-card a.artifact-name").first().click();
  await expect(page.locator(".meta-name")).toBeVisible();
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  await page.screenshot({ path: shots("phone-preview", info.project.name), fullPage: true });
});

test("another user's conversation is the 404 page", async ({ page, browser }) => {
  await page.goto("/conversations");
  const href = await page.locator(".conversation-list a").first().getAttribute("href");
  const { name } = newUser("mallory");
  const context = await browser.newContext();
  const other = await context.newPage();
  await login(other, name, "pw");
  const response = await other.goto(href!);
  expect(response!.status()).toBe(404);
  await expect(other.locator("main")).toContainText(/not found/i);
  await context.close();
});

test("changing tab keeps the old cards, with a busy bar, until the new ones are in", async ({ page }, info) => {
  test.skip(info.project.name !== "js", "without JavaScript a tab is a page load");
  await page.goto("/artifacts");
  // Hydrated (the wasm in): else the tab's link is a page load.
  await page.waitForLoadState("networkidle");
  const first = await page.locator(".artifact-card a.artifact-name").first().textContent();
  // Hold the listing's answer until the old view has been looked at.
  let release: () => void = () => {};
  const held = new Promise<void>((r) => (release = r));
  await page.route("**/api/fn/list_artifacts*", async (route) => {
    await held;
    await route.continue();
  });
  await page.locator('.tab[data-filter="images"]').click();
  await expect(page.locator(".busy")).toBeVisible();
  await expect(page.locator(".artifact-card a.artifact-name").first()).toHaveText(first!);
  await expect(page.getByText("Loading artifacts…")).toHaveCount(0);
  release();
  await expect(page.locator(".busy")).toBeHidden();
  await expect(page.locator('.tab[data-filter="images"]')).toHaveAttribute("aria-current", /.+/);
  for (const type of await page.locator(".artifact-card").evaluateAll((cards) => cards.map((c) => c.getAttribute("data-type")))) {
    expect(type).toBe("images");
  }
});

test("a conversation's download says how many files its ZIP holds, and is disabled without any", async ({ browser, baseURL }) => {
  const { name, token } = newUser("zip");
  const conversation = await ingest(baseURL!, token, "Two files", { "a.txt": "a", "b.txt": "b" });
  // A second version of a.txt: still two files in the ZIP.
  const api = await request.newContext({ baseURL, extraHTTPHeaders: { Authorization: `Bearer ${token}` } });
  const stored = await api.post(`/api/conversations/${conversation}/tool-results`, {
    data: { tool: "python", content: "again", artifacts: [{ name: "a.txt", text: "a2" }] },
  });
  expect(stored.status()).toBe(201);
  const empty = (await (await api.post("/api/conversations", { data: { title: "Nothing yet" } })).json()).id;
  await api.dispose();
  const context = await browser.newContext();
  const page = await context.newPage();
  await login(page, name, "pw");
  await page.goto(`/conversations/${conversation}`);
  const zip = page.getByRole("link", { name: /^Download \d+ files? \(\.zip\)$/ });
  await expect(zip).toHaveText("Download 2 files (.zip)");
  await expect(zip).toHaveAttribute("href", `/api/conversations/${conversation}/artifacts.zip`);
  await page.goto(`/conversations/${empty}`);
  await expect(zip).toHaveText("Download 0 files (.zip)");
  await expect(zip).toHaveAttribute("aria-disabled", "true");
  await expect(zip).not.toHaveAttribute("href");
  await context.close();
});
