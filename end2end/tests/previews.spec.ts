import { expect, request, type Page } from "@playwright/test";
import { readFileSync } from "node:fs";
import path from "node:path";
import { deflateSync } from "node:zlib";
import { ingest, login, newUser, test } from "./helpers";

const shots = (name: string, project: string) => path.join(__dirname, "..", "test-results", "screenshots", `${project}-${name}.png`);

/** The preview page of each artifact of a conversation, by name. */
async function previewUrls(baseURL: string, token: string, conversation: string): Promise<Record<string, string>> {
  const api = await request.newContext({ baseURL, extraHTTPHeaders: { Authorization: `Bearer ${token}` } });
  const listing = await (await api.get(`/api/conversations/${conversation}/artifacts?size=100`)).json();
  await api.dispose();
  return Object.fromEntries(listing.items.map((a: { name: string; id: string }) => [a.name, `/artifacts/${conversation}/${a.id}`]));
}

/** Stores `files` for a new user, signs in as them; returns the preview URLs. */
async function own(page: Page, baseURL: string, files: Record<string, string | Buffer>) {
  const { name, token } = newUser("pv");
  const conversation = await ingest(baseURL, token, "Previews", files);
  await login(page, name, "pw");
  return previewUrls(baseURL, token, conversation);
}

/** A grey PNG of `size`×`size` pixels, made here: a few KB deflated, however large. */
function squarePng(size: number): Buffer {
  const table = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (bytes: Buffer) => {
    let c = 0xffffffff;
    for (const b of bytes) c = table[(c ^ b) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const typed = Buffer.concat([Buffer.from(type, "ascii"), data]);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const check = Buffer.alloc(4);
    check.writeUInt32BE(crc(typed));
    return Buffer.concat([length, typed, check]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header[8] = 8; // 8 bits a sample, greyscale (colour type 0), no interlace
  // Each row: filter byte 0, then mid-grey pixels.
  const rows = Buffer.alloc((size + 1) * size, 0x80);
  for (let y = 0; y < size; y++) rows[y * (size + 1)] = 0;
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([signature, chunk("IHDR", header), chunk("IDAT", deflateSync(rows)), chunk("IEND", Buffer.alloc(0))]);
}

/** WCAG contrast of two computed `rgb(…)` colours. */
function contrast(a: string, b: string): number {
  const luminance = (css: string) => {
    const [r, g, bl] = css.match(/[\d.]+/g)!.slice(0, 3).map((v) => {
      const c = Number(v) / 255;
      return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * bl;
  };
  const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p);
  return (x + 0.05) / (y + 0.05);
}

/** Every highlighted token's colour against its code box's background, as the browser computes them. */
async function tokenContrasts(page: Page, box: string) {
  return page.locator(box).first().evaluate((root) => {
    const background = getComputedStyle(root).backgroundColor;
    const seen = new Map<string, string>();
    root.querySelectorAll("[class^='hl-']").forEach((e) => seen.set(e.className, getComputedStyle(e).color));
    return { background, colours: [...seen.entries()] };
  });
}

test("a 1 MB one-line JSON gives a small page, indented, with a note", async ({ page, baseURL }, info) => {
  const items = Array.from({ length: 18_000 }, (_, i) => ({ id: i, name: `item ${i}`, tags: ["a", "b"], ok: true }));
  const urls = await own(page, baseURL!, { "data.json": JSON.stringify(items) });
  const response = await page.goto(urls["data.json"]);
  expect((await response!.body()).length).toBeLessThan(2_000_000);
  await expect(page.locator(".code .src")).toBeVisible();
  await expect(page.locator(".preview-body .note")).toContainText("Colours stop after line 5000");
  await expect(page.getByRole("link", { name: "Download the whole file" })).toHaveAttribute("href", /download=true$/);
  await expect(page.locator(".code .gutter")).toContainText("4999\n5000\n5001");
  await page.screenshot({ path: shots("preview-big-json", info.project.name) });
});

test("the hydrated preview keeps its body when the delete confirmation opens and closes", async ({ page }) => {
  await login(page);
  await page.goto("/artifacts?type=code");
  const href = await page.locator(".artifact-card").filter({ hasText: "analysis.py" }).locator("a.artifact-name").getAttribute("href");
  await page.goto(href!);
  const source = page.locator(".code .src");
  const text = await source.textContent();
  expect(text!.length).toBeGreaterThan(100);
  await page.getByRole("link", { name: "Delete…" }).click();
  await expect(page.getByRole("alertdialog")).toBeVisible();
  await expect(source).toHaveText(text!);
  await page.getByRole("link", { name: "Cancel" }).click();
  await expect(page.getByRole("alertdialog")).toHaveCount(0);
  await expect(source).toHaveText(text!);
});

for (const scheme of ["light", "dark"] as const) {
  test(`code and Markdown code blocks read at 4.5:1 in the ${scheme} theme`, async ({ page }, info) => {
    await page.emulateMedia({ colorScheme: scheme });
    await login(page);
    for (const [name, filter, box] of [
      ["analysis.py", "code", ".code"],
      ["README.md", "code", ".markdown pre"],
    ]) {
      await page.goto(`/artifacts?type=${filter}`);
      await page.locator(".artifact-card").filter({ hasText: name }).locator("a.artifact-name").click();
      await expect(page.locator(".meta-name")).toHaveText(name);
      const { background, colours } = await tokenContrasts(page, box);
      expect(colours.length).toBeGreaterThan(0);
      for (const [token, colour] of colours) {
        expect(contrast(colour, background), `${name} ${token} ${colour} on ${background}`).toBeGreaterThanOrEqual(4.5);
      }
      await page.screenshot({ path: shots(`contrast-${scheme}-${filter}-${name}`, info.project.name) });
    }
  });
}

test("Markdown: a wide table scrolls in its box, tasks have no bullet and a label, footnotes link both ways", async ({ page, baseURL }, info) => {
  await page.setViewportSize({ width: 390, height: 844 });
  const columns = Array.from({ length: 25 }, (_, i) => `Column ${i + 1}`);
  const markdown = [
    "# Report",
    "",
    `| ${columns.join(" | ")} |`,
    `|${columns.map(() => "---").join("|")}|`,
    `| ${columns.map((_, i) => `value ${i}`).join(" | ")} |`,
    "",
    "- [x] ship the release",
    "- [ ] write the docs",
    "",
    "Revenue grew[^growth].",
    "",
    "[^growth]: Compared with last year.",
    "",
  ].join("\n");
  const urls = await own(page, baseURL!, { "report.md": markdown });
  await page.goto(urls["report.md"]);
  const md = page.locator("article.markdown");
  await expect(md.locator("h1")).toHaveText("Report");

  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  const box = md.locator(".table-scroll");
  expect(await box.evaluate((e) => e.scrollWidth > e.clientWidth)).toBe(true);
  // Words stay whole: a cell is at least as wide as its longest word.
  expect(await md.locator("th").first().evaluate((e) => e.getBoundingClientRect().height)).toBeLessThan(60);

  const done = page.getByRole("checkbox", { name: "ship the release" });
  await expect(done).toBeChecked();
  await expect(page.getByRole("checkbox", { name: "write the docs" })).not.toBeChecked();
  expect(await done.evaluate((e) => getComputedStyle(e.closest("li")!).listStyleType)).toBe("none");

  const reference = md.locator("sup.footnote-ref a");
  await expect(reference).toHaveText("1");
  await reference.click();
  await expect(page).toHaveURL(/#md-fn-1$/);
  await expect(md.locator(".footnotes li#md-fn-1")).toContainText("Compared with last year.");
  await md.locator(".footnotes a.footnote-back").click();
  await expect(page).toHaveURL(/#md-fnref-1$/);
  await page.screenshot({ path: shots("preview-markdown-phone", info.project.name), fullPage: true });
});

test("an empty file and a broken image say what happened", async ({ page, baseURL }, info) => {
  const urls = await own(page, baseURL!, { "empty.txt": "", "chart.png": "<html>502 Bad Gateway</html>" });
  await page.goto(urls["empty.txt"]);
  await expect(page.getByRole("heading", { name: "This file is empty" })).toBeVisible();
  await expect(page.getByRole("button", { name: "Copy" })).toHaveCount(0);
  await page.screenshot({ path: shots("preview-empty", info.project.name) });

  await page.goto(urls["chart.png"]);
  await expect(page.getByRole("heading", { name: "This file cannot be shown" })).toBeVisible();
  await expect(page.locator(".preview-body img")).toHaveCount(0);
  await expect(page.locator(".preview-body a.button")).toHaveText("Download");
  await page.screenshot({ path: shots("preview-broken-image", info.project.name) });
});

test("a .skill lists its files, each opening at its link; a ZIP lists them", async ({ page }, info) => {
  await login(page);
  await page.goto("/artifacts?type=files");
  await page.locator(".artifact-card").filter({ hasText: "my-skill.skill" }).locator("a.artifact-name").click();
  await expect(page.locator(".archive")).toContainText("2 files in this archive");
  const member = page.locator(".archive a", { hasText: "SKILL.md" });
  const href = await member.getAttribute("href");
  expect(href).toMatch(/\/api\/threads\/[0-9a-f-]+\/artifacts\/mnt\/user-data\/outputs\/my-skill\.skill\/SKILL\.md$/);
  const opened = await page.request.get(href!);
  expect(opened.status()).toBe(200);
  expect(await opened.text()).toContain("name: my-skill");
  await page.screenshot({ path: shots("preview-skill", info.project.name) });

  await page.goto("/artifacts?type=files");
  await page.locator(".artifact-card").filter({ hasText: "churn-model-v3.zip" }).locator("a.artifact-name").click();
  await expect(page.locator(".archive")).toContainText("metrics.json");
  await expect(page.locator(".archive")).toContainText("Download the archive to open its files.");
});

test("a 5000×5000 image fits the viewport, and shows at 100% on a click, + or 0", async ({ page, baseURL }, info) => {
  const urls = await own(page, baseURL!, { "huge.png": squarePng(5000) });
  for (const [width, height] of [[1440, 900], [390, 844]]) {
    await page.setViewportSize({ width, height });
    await page.goto(urls["huge.png"]);
    const img = page.locator(".image-frame img");
    await expect.poll(() => img.evaluate((i: HTMLImageElement) => i.naturalWidth)).toBe(5000);
    const box = (await img.boundingBox())!;
    expect(box.width).toBeGreaterThan(100);
    expect(box.width).toBeLessThanOrEqual(width);
    expect(box.height).toBeLessThanOrEqual(height);
    expect(Math.abs(box.width - box.height)).toBeLessThan(2);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
    await page.screenshot({ path: shots(`preview-huge-image-${width}`, info.project.name) });
  }
  // Without JavaScript, the natural size is a link away.
  await expect(page.getByRole("link", { name: "Open at natural size" })).toHaveAttribute("href", /\/artifacts\//);
  if (info.project.name !== "js") return;

  const img = page.locator(".image-frame img");
  const frame = page.locator(".image-frame");
  // The zoom button appears once the page has hydrated: clicks count from then.
  await expect(page.getByRole("button", { name: "Show at 100% (+)" })).toBeVisible();
  await img.click();
  await expect(frame).toHaveClass(/natural/);
  await expect.poll(async () => (await img.boundingBox())!.width).toBe(5000);
  // The frame scrolls to pan; the page itself keeps the phone's width.
  const scrolled = await frame.evaluate((f) => {
    f.scrollTo(2000, 2000);
    return [f.scrollLeft, f.scrollTop];
  });
  expect(scrolled).toEqual([2000, 2000]);
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  await page.screenshot({ path: shots("preview-huge-image-natural", info.project.name) });
  await img.click();
  await expect(frame).not.toHaveClass(/natural/);
  await expect.poll(async () => (await img.boundingBox())!.width).toBeLessThanOrEqual(390);
  await page.keyboard.type("+");
  await expect(frame).toHaveClass(/natural/);
  await page.keyboard.type("0");
  await expect(frame).not.toHaveClass(/natural/);
  await page.getByRole("button", { name: "Show at 100% (+)" }).click();
  await expect(frame).toHaveClass(/natural/);
  await expect(page.getByRole("button", { name: "Fit to the space (−)" })).toBeVisible();
});

test("a long name is cut in the middle, its extension kept, the whole name in its title and read out", async ({ page, baseURL }, info) => {
  const long = "quarterly-revenue-report-for-the-board-meeting-in-december-final-v3.csv";
  const rtl = "تقرير المبيعات.csv";
  await own(page, baseURL!, { [long]: "a,b\n1,2\n", [rtl]: "a,b\n1,2\n" });
  await page.goto("/artifacts");
  const name = page.locator(`.artifact-card a.artifact-name[title="${long}"]`);
  await expect(name.locator('[aria-hidden="true"]')).toHaveText("quarterly-revenu…er-final-v3.csv");
  await expect(page.getByRole("link", { name: long, exact: true })).toHaveCount(1);
  await expect(name).toHaveAttribute("dir", "auto");
  await expect(page.locator(`.artifact-card a.artifact-name[title="${rtl}"]`)).toHaveText(rtl);
  await expect(page.locator(".artifact-card .artifact-source").first()).toHaveAttribute("dir", "auto");
  await page.screenshot({ path: shots("gallery-long-names", info.project.name) });

  await name.click();
  const heading = page.locator(".meta-name");
  await expect(heading).toHaveAttribute("title", long);
  await expect(heading.locator('[aria-hidden="true"]')).toHaveText("quarterly-revenue-report-for-t…ting-in-december-final-v3.csv");
  await expect(page.getByRole("heading", { name: long, exact: true })).toBeVisible();
  // One primary button among the preview's actions: Download.
  await expect(page.locator(".actions .button:not(.secondary):not(.danger)")).toHaveText(["Download"]);
});

test("Mermaid diagrams and KaTeX math are drawn inside the preview's sandboxed frame, never in the app's page", async ({ page, baseURL }, info) => {
  test.skip(info.project.name === "no-js", "the frame draws them with its own scripts");
  const urls = await own(page, baseURL!, {
    "flow.md": "# Plan\n\n```mermaid\nflowchart TD\n  A[Start] --> B{Ready?}\n  B -->|yes| C[Ship]\n```\n",
    "area.md": "# Area\n\nThe square:\n\n$$x^2$$\n",
  });
  await page.goto(urls["flow.md"]);
  const flow = page.frameLocator("iframe.html-frame");
  await expect(flow.locator("svg").first()).toBeVisible({ timeout: 15_000 });
  await expect(flow.locator("svg").first()).toContainText("Start");
  await expect(page.locator("script[src*='mermaid'], script[src*='katex']")).toHaveCount(0);
  await page.screenshot({ path: shots("preview-mermaid", info.project.name) });

  await page.goto(urls["area.md"]);
  const area = page.frameLocator("iframe.html-frame");
  await expect(area.locator(".katex").first()).toBeVisible({ timeout: 15_000 });
  await page.screenshot({ path: shots("preview-katex", info.project.name) });
});

test("the drawn frame is as tall as what it draws, so what follows a diagram is seen without scrolling inside it", async ({ page, baseURL }, info) => {
  test.skip(info.project.name === "no-js", "without scripts the frame keeps its height and scrolls inside");
  // Taller than the frame's height without scripts (75vh), so a fixed frame would cut "END" off.
  const steps = Array.from({ length: 8 }, (_, n) => `  S${n}[Step ${n}] --> S${n + 1}[Step ${n + 1}]`).join("\n");
  const urls = await own(page, baseURL!, { "long.md": `# Long\n\n\`\`\`mermaid\nflowchart TD\n${steps}\n\`\`\`\n\n$$\\sum_{i=1}^n i = \\frac{n(n+1)}{2}$$\n\nEND\n` });
  await page.goto(urls["long.md"]);
  const drawn = page.frameLocator("iframe.html-frame");
  await expect(drawn.locator("svg").first()).toContainText("Step 8", { timeout: 15_000 });
  await expect(drawn.locator(".katex").first()).toBeVisible();
  const frame = (await page.locator("iframe.html-frame").elementHandle())!;
  const inside = (await frame.contentFrame())!;
  await expect
    .poll(async () => (await frame.evaluate((f) => f.clientHeight)) - (await inside.evaluate(() => document.documentElement.scrollHeight)))
    .toBeGreaterThanOrEqual(0);
  expect(await frame.evaluate((f) => f.clientHeight)).toBeGreaterThan(page.viewportSize()!.height * 0.75);
  // "END" lies inside the frame's viewport, with the frame not scrolled.
  expect(await inside.evaluate(() => scrollY)).toBe(0);
  const end = await drawn.getByText("END", { exact: true }).evaluate((p) => ({ bottom: p.getBoundingClientRect().bottom, height: innerHeight }));
  expect(end.bottom).toBeLessThanOrEqual(end.height);
  await page.screenshot({ path: shots("preview-drawn-height", info.project.name), fullPage: true });
});

test("a DOCX preview shows its pictures, each loaded from the content origin", async ({ page, baseURL }, info) => {
  // Made by python-docx: a heading, two pictures, and one linked from outside (left out).
  const docx = readFileSync(path.join(__dirname, "..", "..", "tests", "fixtures", "previews", "pictures.docx"));
  const urls = await own(page, baseURL!, { "pictures.docx": docx });
  await page.goto(urls["pictures.docx"]);
  const doc = page.locator("article.markdown");
  await expect(doc.locator("h1")).toHaveText("Field report");
  await expect(doc.locator("img")).toHaveCount(2);
  const chart = doc.getByRole("img", { name: "Sales chart" });
  await expect(chart).toHaveAttribute("src", /\/pictures\.docx\/word\/media\/image1\.png$/);
  await expect.poll(() => chart.evaluate((i: HTMLImageElement) => i.naturalWidth)).toBeGreaterThan(0);
  await expect.poll(() => doc.locator("img").nth(1).evaluate((i: HTMLImageElement) => i.naturalWidth)).toBeGreaterThan(0);
  await page.screenshot({ path: shots("preview-docx-pictures", info.project.name) });
});

test("a notebook with math is drawn by KaTeX inside the preview's sandboxed frame", async ({ page, baseURL }, info) => {
  test.skip(info.project.name === "no-js", "the frame draws it with its own scripts");
  const notebook = {
    cells: [
      { cell_type: "markdown", metadata: {}, source: ["# Fit\n", "\n", "The loss is $\\alpha x^2$:\n", "\n", "$$L < 1$$\n"] },
      { cell_type: "code", execution_count: 1, metadata: {}, outputs: [], source: ["loss = 0.5"] },
    ],
    metadata: { kernelspec: { language: "python", name: "python3", display_name: "Python 3" } },
    nbformat: 4,
    nbformat_minor: 5,
  };
  const urls = await own(page, baseURL!, { "fit.ipynb": JSON.stringify(notebook) });
  await page.goto(urls["fit.ipynb"]);
  const frame = page.frameLocator("iframe.html-frame");
  await expect(frame.locator("h1")).toHaveText("Fit");
  await expect(frame.locator(".katex").first()).toBeVisible({ timeout: 15_000 });
  await expect(frame.locator(".katex")).toHaveCount(2);
  await expect(page.locator("script[src*='katex']")).toHaveCount(0);
  await page.screenshot({ path: shots("preview-notebook-katex", info.project.name) });
});
