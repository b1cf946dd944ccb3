import { expect, type Page } from "@playwright/test";

/** Signs in through the real login form. */
export async function login(page: Page, name = "demo", password = "demo", path = "/artifacts") {
  await page.goto(path);
  await expect(page).toHaveURL(/\/login/);
  await page.getByLabel("Name").fill(name);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(new RegExp(path.replace("?", "\\?") + "$"));
}
