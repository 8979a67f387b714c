// Signing in for the e2e tests: the local admin through better-auth's JSON endpoint, and OIDC
// users through the real loopback issuer's login and consent pages in a browser.
import { expect, type APIRequestContext, type Page } from "@playwright/test";
import { E2E_BASE_URL, E2E_OIDC, LOCAL_ADMIN } from "./users";

/** Sign the request context in as the local admin; throws with the answer when refused. */
export async function signInLocalAdmin(api: APIRequestContext): Promise<void> {
  const response = await api.post("/api/auth/sign-in/email", {
    data: { email: LOCAL_ADMIN.email, password: LOCAL_ADMIN.password },
    headers: { Origin: E2E_BASE_URL },
  });
  if (!response.ok()) throw new Error(`local admin sign-in: ${response.status()} ${await response.text()}`);
}

/** Sign the page in through the OIDC issuer as `login`; ends back on the console. */
export async function signInWithOidc(page: Page, login: string): Promise<void> {
  await page.goto("/signin");
  await page.getByRole("button", { name: /Sign in with/ }).click();
  await page.waitForURL((url) => url.href.startsWith(E2E_OIDC.issuer)).catch(async (error: unknown) => {
    // Say where the browser ended up instead of a bare timeout (a refusal, a rate limit, an error page).
    const text = (await page.locator("body").innerText().catch(() => "")).slice(0, 500);
    throw new Error(`OIDC sign-in of ${login} did not reach the issuer; the browser is at ${page.url()}: ${text}`, { cause: error });
  });
  await page.locator('input[name="login"]').fill(login);
  await page.locator('input[name="password"]').fill("any-password");
  await page.getByRole("button", { name: "Sign-in" }).click();
  const consent = page.getByRole("button", { name: "Continue" });
  await page.waitForURL((url) => url.href.startsWith(E2E_BASE_URL) || url.pathname.includes("/interaction/"));
  if (page.url().startsWith(E2E_OIDC.issuer)) await consent.click();
  await page.waitForURL((url) => url.href.startsWith(E2E_BASE_URL) && !url.pathname.startsWith("/signin"));
  await expect(page.getByTestId("user-menu")).toBeVisible();
}
