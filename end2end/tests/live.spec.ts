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

test("a tool result with ten files reloads the open gallery once", async ({ page, baseURL }) => {
  const token = await openLive(page, baseURL!, { "first.txt": "one" });
  let reloads = 0;
  page.on("request", (r) => {
    reloads += new URL(r.url()).pathname.startsWith("/api/fn/list_artifacts") ? 1 : 0;
  });
  const files = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`burst-${i}.txt`, `${i}`]));
  await ingest(baseURL!, token, "Burst", files);
  await expect(page.locator(".artifact-card")).toHaveCount(11);
  // Ten events, published together: one reload, even a while later.
  await page.waitForTimeout(1000);
  expect(reloads).toBe(1);
  expect(await sameDocument(page)).toBe(true);
});

/** What the page's own stream has recorded: artifacts' names, in order, and the last event id. */
type Recorder = { names: string[]; lastId: string; follow: (url: string) => void; source: EventSource };

test("an event stream interrupted and resumed after its last id loses no event", async ({ page, baseURL }) => {
  const token = await openLive(page, baseURL!, { "first.txt": "one" });
  // A stream of the page's own, which records each artifact's name and the last id it saw.
  await page.evaluate(() => {
    const w = window as unknown as Recorder;
    w.names = [];
    w.lastId = "";
    w.follow = (url) => {
      const source = new EventSource(url);
      for (const kind of ["conversation.created", "message.created", "artifact.created", "reload"]) {
        source.addEventListener(kind, (e) => {
          const event = e as MessageEvent;
          w.lastId = event.lastEventId;
          w.names.push(kind === "artifact.created" ? JSON.parse(event.data).name : kind === "reload" ? "reload" : "");
        });
      }
      w.source = source;
    };
    w.follow("/api/events");
  });
  const names = () => page.evaluate(() => (window as unknown as Recorder).names.filter((n) => n !== "").sort());
  // Open (the server has subscribed it) before the first ingestion.
  const state = () => page.evaluate(() => (window as unknown as Recorder).source.readyState);
  await expect.poll(state).toBe(1);
  await ingest(baseURL!, token, "Before the cut", { "a1.txt": "a1" });
  await expect.poll(names).toEqual(["a1.txt"]);

  // Cut: nothing is read while these are written…
  const lastId = await page.evaluate(() => {
    const w = window as unknown as Recorder;
    w.source.close();
    return w.lastId;
  });
  expect(lastId).toMatch(/^\d+$/);
  await ingest(baseURL!, token, "During the cut", { "b1.txt": "b1", "b2.txt": "b2" });
  await ingest(baseURL!, token, "Also during", { "b3.txt": "b3" });

  // …then resumed after the last id seen, and more written.
  await page.evaluate((id) => {
    (window as unknown as Recorder).follow(`/api/events?last_event_id=${id}`);
  }, lastId);
  await ingest(baseURL!, token, "After the cut", { "c1.txt": "c1" });
  await expect.poll(names).toEqual(["a1.txt", "b1.txt", "b2.txt", "b3.txt", "c1.txt"]);
  // Nothing arrives twice later either.
  await page.waitForTimeout(500);
  expect(await names()).toEqual(["a1.txt", "b1.txt", "b2.txt", "b3.txt", "c1.txt"]);
});
