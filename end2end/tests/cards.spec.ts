import { expect, request, type Locator, type Page } from "@playwright/test";
import { readFileSync } from "node:fs";
import path from "node:path";
import { ingest, login, newUser, test } from "./helpers";

// One artifact of each card kind and each preview kind, from files made by
// real producers (tests/fixtures, the demo's files): each card shows its
// kind's face, not the generic icon, and each preview its kind's body.
// Screenshots of each, at a desktop's and a phone's width, go to
// end2end/screenshots/ to be looked at.

const root = path.resolve(__dirname, "..", "..");
const read = (...parts: string[]) => readFileSync(path.join(root, ...parts));
const folder = path.join(__dirname, "..", "screenshots");
const widths = [
  [1440, 900],
  [390, 844],
] as const;

const files: Record<string, string | Buffer> = {
  "chart.png": read("src/server/demo/files/sales/plots/quarterly_revenue.png"),
  "logo.svg": read("src/server/demo/files/landing/landing/logo.svg"),
  "report.pdf": read("tests/fixtures/cards/report.pdf"),
  "sample.ttf": read("tests/fixtures/cards/sample.ttf"),
  "clean.py": "import csv\n\n\ndef main():\n    with open('orders.csv') as f:\n        print(sum(1 for _ in csv.reader(f)))\n",
  "analysis.ipynb": read("tests/fixtures/previews/analysis.ipynb"),
  "data.csv": "region,q1,q2\nNorth,120,135\nSouth,98,101\n",
  "sales.xlsx": read("tests/fixtures/cards/sales.xlsx"),
  "budget.ods": read("tests/fixtures/cards/budget.ods"),
  "budget.xlsx": read("tests/fixtures/previews/budget.xlsx"),
  "plan.docx": read("tests/fixtures/previews/plan.docx"),
  "roadmap.pptx": read("tests/fixtures/previews/roadmap.pptx"),
  "q4.html":
    "<!doctype html><html><head><title>Q4 report</title></head>" +
    '<body><h1>Sales by region</h1><p>North grew 12%.</p><img src="chart.png" alt="Revenue" width="400"></body></html>',
  "churn-model-v3.zip": read("src/server/demo/files/churn/dist/churn-model-v3.zip"),
  "my-skill.skill": read("src/server/demo/files/etl/my-skill.skill"),
  "tone.wav": read("tests/fixtures/cards/tone.wav"),
  "clip.mp4": read("tests/fixtures/cards/clip.mp4"),
  "config.json": JSON.stringify({ name: "etl", retries: 3, stages: ["extract", "load"], owner: { team: "data" } }),
  "events.jsonl": '{"event":"start","n":1}\n{"event":"load","n":2}\n{"event":"done","n":3}\n',
  "notes.md":
    "# Plan\n\n```mermaid\nflowchart TD\n  A[Start] --> B{Ready?}\n  B -->|yes| C[Ship]\n```\n\nThe area is $$\\pi r^2$$\n",
  "flow.mmd": "flowchart LR\n  Extract --> Load --> Report\n",
};

/** Per worker: a new user owning all of `files` in one conversation; its preview URLs by name. */
let stored: Promise<{ name: string; urls: Record<string, string> }> | undefined;
function own(baseURL: string) {
  stored ??= (async () => {
    const { name, token } = newUser("cards");
    const conversation = await ingest(baseURL, token, "Every kind", files);
    const api = await request.newContext({ baseURL, extraHTTPHeaders: { Authorization: `Bearer ${token}` } });
    const listing = await (await api.get(`/api/conversations/${conversation}/artifacts?size=100`)).json();
    await api.dispose();
    const urls = Object.fromEntries(
      listing.items.map((a: { name: string; id: string }) => [a.name, `/artifacts/${conversation}/${a.id}`]),
    );
    return { name, urls };
  })();
  return stored;
}

const shot = (name: string) => path.join(folder, `${name}.png`);

/** `img`'s picture has loaded (a lazy one once scrolled to), in the page or a frame. */
async function loaded(img: Locator) {
  await img.scrollIntoViewIfNeeded();
  await expect.poll(() => img.evaluate((i: HTMLImageElement) => i.complete && i.naturalWidth)).toBeGreaterThan(0);
}

/** Each card's face (`data-face`) and what it shows. Media cards draw their kind's glyph, with the duration. */
const cards: Record<string, [string, string[]]> = {
  "chart.png": ["picture", []],
  "logo.svg": ["picture", []],
  "report.pdf": ["picture", ["3 pages"]],
  "sample.ttf": ["picture", ["DejaVu Sans"]],
  "clean.py": ["lines", ["import csv", "def main():", "Python"]],
  "analysis.ipynb": ["lines", ["# Sales analysis", "Jupyter notebook (python)"]],
  "config.json": ["lines", ['"retries"', "JSON"]],
  "notes.md": ["lines", ["# Plan", "Markdown"]],
  "events.jsonl": ["lines", ['{"event":"start","n":1}', "JSON"]],
  "flow.mmd": ["lines", ["Extract --> Load --> Report"]],
  "data.csv": ["table", ["region", "North", "135"]],
  "sales.xlsx": ["table", ["Region", "North", "135", "Sales · Notes"]],
  "budget.ods": ["table", ["Item", "Rent", "1200", "Budget · Plan"]],
  "q4.html": ["page", ["Q4 report", "Sales by region", "North grew 12%."]],
  "plan.docx": ["page", ["Quarterly plan", "Goals", "Revenue grew in every region."]],
  "roadmap.pptx": ["page", ["Roadmap 2027", "Goals", "Where we go next"]],
  "churn-model-v3.zip": ["archive", ["model_card.md", "metrics.json", "3 files"]],
  "my-skill.skill": ["archive", ["my-skill", "Re-runs the nightly ETL", "SKILL.md", "2 files"]],
  "tone.wav": ["media", ["WAV audio · 0:02"]],
  "clip.mp4": ["media", ["MP4 video · 0:03"]],
};

test("each card shows its kind's face, not the generic icon", async ({ page, baseURL }, info) => {
  test.setTimeout(120_000);
  const { name } = await own(baseURL!);
  await login(page, name, "pw");
  for (const [width, height] of widths) {
    await page.setViewportSize({ width, height });
    await page.goto("/artifacts?size=100");
    await expect(page.locator(".artifact-card")).toHaveCount(Object.keys(files).length);
    for (const [file, [face, shows]] of Object.entries(cards)) {
      const card = page.locator(".artifact-card").filter({ has: page.locator(`a.artifact-name[title="${file}"]`) });
      const visual = card.locator("a.visual");
      await expect(visual, file).toHaveAttribute("data-face", face);
      for (const text of shows) await expect(visual, file).toContainText(text);
      if (face === "media") {
        await expect(visual.locator("svg.icon")).toHaveAttribute("data-glyph", file.endsWith(".wav") ? "audio" : "video");
      } else {
        await expect(visual.locator(":scope > svg.icon"), `${file} shows an icon`).toHaveCount(0);
      }
      if (face === "picture") await loaded(visual.locator("img.thumb"));
      if (face === "table") await expect(visual.locator("table.face-table tr")).not.toHaveCount(0);
      if (file === "q4.html") await loaded(visual.locator("img.face-image"));
      if (info.project.name === "js") await card.screenshot({ path: shot(`card-${file.replace(/\W/g, "-")}-${width}`) });
    }
    if (width < 500) expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
    if (info.project.name !== "js") continue;
    for (const colorScheme of ["light", "dark"] as const) {
      await page.emulateMedia({ colorScheme });
      await page.screenshot({ path: shot(`cards-gallery-${width}-${colorScheme}`), fullPage: true });
    }
    await page.emulateMedia({ colorScheme: "light" });
  }
});

/**
 * The drawn frame has drawn in `colorScheme` (its `data-drawn`, set by draw.js once Mermaid has drawn again after
 * the scheme changed), and the page has fitted the frame to the height it then told (draw.js's formula, at least
 * the 150 px drawn.rs keeps): until both, a screenshot may catch the diagram half redrawn or the frame mid-resize.
 */
async function drawnIn(page: Page, colorScheme: "light" | "dark") {
  const frame = page.locator(".preview-body iframe.html-frame");
  const inside = page.frameLocator(".preview-body iframe.html-frame").locator("html");
  await expect(inside).toHaveAttribute("data-drawn", colorScheme, { timeout: 15_000 });
  const told = () =>
    inside.evaluate((html) => Math.ceil(document.body.getBoundingClientRect().height) + innerHeight - html.clientHeight);
  await expect.poll(async () => (await frame.evaluate((f) => f.clientHeight)) - Math.max(150, await told())).toBe(0);
}

/**
 * Each preview kind: the file, and what its body must show (`script`: the page's wasm runs). `js` when drawn by the
 * frame's scripts.
 */
const previews: Record<
  string,
  { file: string; js?: boolean; query?: string; check: (page: Page, script: boolean) => Promise<void> }
> = {
  pdf: {
    file: "report.pdf",
    check: async (page) => {
      const frame = page.locator(".preview-body[data-kind='pdf'] iframe.pdf-frame");
      await expect(frame).toBeVisible();
      const served = await page.request.get((await frame.getAttribute("src"))!);
      expect(served.headers()["content-type"]).toBe("application/pdf");
    },
  },
  "svg-picture": {
    file: "logo.svg",
    check: async (page) => {
      await expect(page.locator(".tabs a[aria-current='page']")).toHaveText("Picture");
      await loaded(page.locator(".preview-body[data-kind='svg'] .image-frame img"));
    },
  },
  "svg-source": {
    file: "logo.svg",
    query: "?view=source",
    check: async (page) => {
      await expect(page.locator(".tabs a[aria-current='page']")).toHaveText("Source");
      await expect(page.locator(".code[data-language='XML'] .src")).toContainText('<svg xmlns="http://www.w3.org/2000/svg"');
      await expect(page.locator(".image-frame")).toHaveCount(0);
    },
  },
  csv: {
    file: "data.csv",
    check: async (page) => {
      const table = page.locator(".preview-body[data-kind='table'] table");
      await expect(table.locator("th").first()).toHaveText("region");
      await expect(table).toContainText("North");
    },
  },
  xlsx: {
    file: "budget.xlsx",
    check: async (page, script) => {
      const tabs = page.getByRole("navigation", { name: "Sheets" }).getByRole("link");
      await expect(tabs).toHaveText(["Revenue", "Costs & <fees>"]);
      await expect(page.locator("#sheet-1")).toContainText("south");
      await tabs.nth(1).click();
      await expect(page).toHaveURL(/#sheet-2$/);
      await expect(page.locator("#sheet-2")).toContainText("servers");
      await expect(page.locator("#sheet-1")).toBeHidden();
      const background = (tab: Locator) => tab.evaluate((a) => getComputedStyle(a).backgroundColor);
      expect(await background(tabs.nth(1)), "the picked sheet's tab is marked").not.toBe(await background(tabs.nth(0)));
      if (script) {
        await expect(tabs.nth(1)).toHaveAttribute("aria-current", "true");
        await expect(tabs.nth(0)).not.toHaveAttribute("aria-current", /.*/);
      }
    },
  },
  docx: {
    file: "plan.docx",
    check: async (page) => {
      const doc = page.locator(".preview-body[data-kind='document'] article.markdown");
      await expect(doc.locator("h1")).toHaveText("Quarterly plan");
      await expect(doc.locator("h2").first()).toHaveText("Goals");
      await expect(doc.locator("td").first()).toBeVisible();
    },
  },
  pptx: {
    file: "roadmap.pptx",
    check: async (page) => {
      const doc = page.locator(".preview-body[data-kind='document'] article.markdown");
      await expect(doc.locator("h2").first()).toHaveText("1. Roadmap 2027");
      await expect(doc.locator("h2").nth(1)).toHaveText("2. Goals");
    },
  },
  notebook: {
    file: "analysis.ipynb",
    check: async (page) => {
      await expect(page.locator(".code-language")).toHaveText("Jupyter notebook (Python) · 7 cells");
      const notebook = page.locator("article.notebook");
      await expect(notebook.locator("h1")).toHaveText("Sales analysis");
      await expect(notebook).toContainText("ZeroDivisionError");
      // Its PNG and SVG outputs (the fixture's other image is a hostile HTML output's, pointing nowhere).
      const outputs = notebook.locator("img.nb-output");
      await expect(outputs).toHaveCount(2);
      for (const img of await outputs.all()) await loaded(img);
    },
  },
  json: {
    file: "config.json",
    check: async (page) => {
      const tree = page.locator(".preview-body[data-kind='tree'] .json-tree");
      await expect(tree).toContainText('"retries": 3');
      const stages = tree.locator("summary").filter({ hasText: '"stages"' });
      await expect(stages).toContainText("2 items");
      const list = stages.locator("xpath=..");
      await expect(list).toContainText('"extract"');
      // It folds and unfolds.
      const open = await list.evaluate((d: HTMLDetailsElement) => d.open);
      for (const shown of [!open, open]) {
        await stages.click();
        await expect.poll(() => list.evaluate((d: HTMLDetailsElement) => d.open)).toBe(shown);
      }
    },
  },
  jsonl: {
    file: "events.jsonl",
    check: async (page) => {
      const records = page.locator(".preview-body[data-kind='tree'] details.json-record");
      await expect(records).toHaveCount(3);
      await expect(records.first().locator(":scope > summary")).toContainText('"start"');
    },
  },
  "markdown-mermaid-math": {
    file: "notes.md",
    js: true,
    check: async (page) => {
      const frame = page.frameLocator(".preview-body iframe.html-frame");
      await expect(frame.locator("svg").first()).toContainText("Start", { timeout: 15_000 });
      await expect(frame.locator(".katex").first()).toBeVisible();
    },
  },
  mermaid: {
    file: "flow.mmd",
    js: true,
    check: async (page) => {
      const frame = page.frameLocator(".preview-body iframe.html-frame");
      await expect(frame.locator("svg").first()).toContainText("Report", { timeout: 15_000 });
    },
  },
  html: {
    file: "q4.html",
    check: async (page) => {
      const frame = page.frameLocator(".preview-body[data-kind='html'] iframe.html-frame");
      await expect(frame.locator("h1")).toHaveText("Sales by region");
      // Its sibling file loads beside it.
      await loaded(frame.locator("img"));
    },
  },
  zip: {
    file: "churn-model-v3.zip",
    check: async (page) => {
      const archive = page.locator(".preview-body[data-kind='archive'] .archive");
      await expect(archive).toContainText("3 files in this archive.");
      await expect(archive.locator("td").filter({ hasText: "metrics.json" })).toBeVisible();
    },
  },
  skill: {
    file: "my-skill.skill",
    check: async (page) => {
      const archive = page.locator(".preview-body[data-kind='archive'] .archive");
      await expect(archive).toContainText("2 files in this archive. Open a file to see it.");
      await expect(archive.getByRole("link", { name: "SKILL.md" })).toBeVisible();
    },
  },
  image: {
    file: "chart.png",
    check: async (page) => {
      await loaded(page.locator(".preview-body[data-kind='image'] .image-frame img"));
    },
  },
  audio: {
    file: "tone.wav",
    check: async (page) => {
      const audio = page.locator(".preview-body[data-kind='audio'] audio[controls]");
      await expect.poll(() => audio.evaluate((a: HTMLAudioElement) => a.duration)).toBeCloseTo(2, 1);
    },
  },
  video: {
    file: "clip.mp4",
    check: async (page) => {
      const video = page.locator(".preview-body[data-kind='video'] video[controls]");
      await expect.poll(() => video.evaluate((v: HTMLVideoElement) => v.duration)).toBeCloseTo(3, 1);
    },
  },
  code: {
    file: "clean.py",
    check: async (page) => {
      await expect(page.locator(".code[data-language='Python'] .src")).toContainText("def main():");
      await expect(page.locator(".code .src [class^='hl-']")).not.toHaveCount(0);
    },
  },
};

for (const [kind, { file, js, query, check }] of Object.entries(previews)) {
  test(`the ${kind} preview shows its kind's body`, async ({ page, baseURL }, info) => {
    test.skip(js === true && info.project.name !== "js", "drawn by the frame's scripts");
    const { name, urls } = await own(baseURL!);
    await login(page, name, "pw");
    for (const [width, height] of widths) {
      await page.setViewportSize({ width, height });
      await page.goto(urls[file] + (query ?? ""));
      await expect(page.getByRole("heading", { level: 1, name: file, exact: true })).toBeVisible();
      await check(page, info.project.name === "js");
      if (width < 500) expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
      if (info.project.name !== "js") continue;
      for (const colorScheme of ["light", "dark"] as const) {
        await page.emulateMedia({ colorScheme });
        if (js) await drawnIn(page, colorScheme);
        await page.screenshot({ path: shot(`kind-${kind}-${width}-${colorScheme}`), fullPage: true });
      }
      await page.emulateMedia({ colorScheme: "light" });
    }
  });
}

test("a transcript's cards show their own versions' faces, and a picture's second version shows in the gallery", async ({
  page,
  baseURL,
}) => {
  const { name, token } = newUser("versions-faces");
  const api = await request.newContext({ baseURL, extraHTTPHeaders: { Authorization: `Bearer ${token}` } });
  const conversation = (await (await api.post("/api/conversations", { data: { title: "Two rounds" } })).json()).id;
  const logo = files["logo.svg"].toString();
  for (const [round, code, svg] of [
    [1, "print('first round')\n", logo],
    [2, "print('second round')\n", logo.replace("<svg", '<svg data-round="2"')],
  ] as const) {
    const artifacts = [
      { name: "step.py", text: code },
      { name: "logo.svg", content_base64: Buffer.from(svg).toString("base64") },
    ];
    const stored = await api.post(`/api/conversations/${conversation}/tool-results`, {
      data: { tool: "python", content: `round ${round}`, artifacts },
    });
    expect(stored.status()).toBe(201);
    expect((await stored.json()).artifacts[1].version).toBe(round);
  }
  await api.dispose();
  await login(page, name, "pw");

  await page.goto("/artifacts");
  const galleryLogo = page.locator(".artifact-card").filter({ has: page.locator('a.artifact-name[title="logo.svg"]') });
  await expect(galleryLogo.locator("a.visual")).toHaveAttribute("data-face", "picture");
  await loaded(galleryLogo.locator("img.thumb"));

  await page.goto(`/conversations/${conversation}`);
  const cards = page.locator(".artifact-card");
  await expect(cards).toHaveCount(4);
  for (const [at, round] of [
    [0, "first"],
    [2, "second"],
  ] as const) {
    const code = cards.nth(at).locator("a.visual");
    await expect(code).toHaveAttribute("data-face", "lines");
    await expect(code).toContainText(`print('${round} round')`);
    const picture = cards.nth(at + 1).locator("a.visual");
    await expect(picture).toHaveAttribute("data-face", "picture");
    await expect(picture.locator("img.thumb")).toHaveAttribute("src", new RegExp(`/thumbnail\\?version=${at / 2 + 1}$`));
    await loaded(picture.locator("img.thumb"));
  }
});
