import { expect, request, test as base, type Page } from "@playwright/test";
import { execFileSync } from "node:child_process";

/** Playwright's test, failing any test whose page throws (a hydration panic, say). */
export const test = base.extend({
  page: async ({ page }, use) => {
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    await use(page);
    expect(errors, "uncaught errors in the page").toEqual([]);
  },
});

/** Signs in through the real login form. */
export async function login(page: Page, name = "demo", password = "demo", path = "/artifacts") {
  await page.goto(path);
  await expect(page).toHaveURL(/\/login/);
  await page.getByLabel("Name").fill(name);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(new RegExp(path.replace("?", "\\?") + "$"));
}

/** Creates a user with the real CLI, on the test server's data; returns its name and API token. */
export function newUser(prefix: string, password = "pw"): { name: string; token: string } {
  const name = `${prefix}${Date.now()}${Math.floor(Math.random() * 1000)}`;
  const out = execFileSync(process.env.VITRINE_BIN!, ["user", "add", name, "--password", password], {
    env: { ...process.env, VITRINE_DATA_DIR: process.env.E2E_DATA_DIR! },
  });
  const token = out.toString().trim().split("\n").pop()!.trim();
  return { name, token };
}

/** Stores one tool result in a new conversation, through the JSON API: text files, and binary ones from Buffers. */
export async function ingest(baseURL: string, token: string, title: string, files: Record<string, string | Buffer>) {
  const api = await request.newContext({ baseURL, extraHTTPHeaders: { Authorization: `Bearer ${token}` } });
  const conversation = await (await api.post("/api/conversations", { data: { title } })).json();
  const artifacts = Object.entries(files).map(([name, body]) =>
    typeof body === "string" ? { name, text: body } : { name, content_base64: body.toString("base64") },
  );
  const stored = await api.post(`/api/conversations/${conversation.id}/tool-results`, {
    data: { tool: "python", content: "done", artifacts },
  });
  expect(stored.status()).toBe(201);
  await api.dispose();
  return conversation.id as string;
}
