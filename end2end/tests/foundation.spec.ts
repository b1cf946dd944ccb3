import { expect } from "@playwright/test";
import { login, test } from "./helpers";

test("signed-out visitors are sent to the login page", async ({ page }) => {
  await page.goto("/artifacts?type=images");
  await expect(page).toHaveURL(/\/login\?next=%2Fartifacts%3Ftype%3Dimages$/);
  await expect(page.getByRole("button", { name: "Sign in" })).toBeVisible();
});

test("a wrong password says so", async ({ page }) => {
  await page.goto("/login");
  await page.getByLabel("Name").fill("demo");
  await page.getByLabel("Password").fill("not-the-password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert")).toHaveText("Wrong name or password.");
});

test("demo sees the demo artifacts on /artifacts, newest first", async ({ page }) => {
  await login(page);
  await expect(page.getByRole("heading", { name: "Artifacts" })).toBeVisible();
  const cards = page.locator(".artifact-card");
  await expect(cards).toHaveCount(24);
  // The newest conversation's artifacts come first.
  await expect(cards.first()).toContainText("Churn model training");
  await expect(page.locator('.tab[data-filter="all"] .count')).toHaveText("27");
  await page.getByRole("link", { name: "Next →" }).click();
  await expect(page).toHaveURL(/page=2/);
  await expect(cards).toHaveCount(3);
  await expect(cards.last()).toContainText("data/sales_2024.csv");
});

test("signing out ends the session", async ({ page }) => {
  await login(page);
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/login$/);
  await page.goto("/artifacts");
  await expect(page).toHaveURL(/\/login/);
});
