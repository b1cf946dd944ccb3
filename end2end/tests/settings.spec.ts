import { expect, request } from "@playwright/test";
import { login, newUser, test } from "./helpers";

test("a token made on the settings page is shown once, works, and stops when revoked", async ({ page, baseURL }) => {
  const { name } = newUser("tokens");
  await login(page, name, "pw", "/settings");
  await page.getByLabel("Name").fill("CI uploads");
  await page.getByLabel("Access").selectOption("read");
  await page.getByRole("button", { name: "Create token" }).click();
  // With JavaScript the form's answer shows it; without, the page it redirects to, once.
  const note = page.getByRole("status").filter({ hasText: "copy it now" });
  await expect(note).toContainText("Token “CI uploads” (read)");
  const token = (await note.locator("code").textContent())!.trim();
  const revoke = page.getByRole("button", { name: "Revoke CI uploads", exact: true });
  await expect(revoke).toBeVisible();
  await expect(page.getByRole("cell", { name: "CI uploads", exact: true })).toBeVisible();

  const api = await request.newContext({ baseURL, extraHTTPHeaders: { Authorization: `Bearer ${token}` } });
  expect((await api.get("/api/conversations")).status()).toBe(200);
  expect((await api.post("/api/conversations", { data: { title: "No" } })).status()).toBe(403);

  await revoke.click();
  await expect(revoke).toHaveCount(0);
  await expect(page.getByRole("cell", { name: "CI uploads", exact: true })).toHaveCount(0);
  expect((await api.get("/api/conversations")).status()).toBe(401);
  await api.dispose();
});
