// Sign-in end to end: the guard refuses the signed-out, a real OIDC issuer on loopback signs a
// user in with the role their groups map to, sign-out ends the session and the IdP's (so the next
// sign-in asks the IdP again), all of it audited; cookies, Origin checks and the CSP are what the
// issue asks; sign-in attempts are rate limited per client address, which a client-sent
// X-Forwarded-For does not change (only a trusted proxy's: AUTH_TRUSTED_PROXIES=127.0.0.2 here).
import http from "node:http";
import { expect, request, test, type APIRequestContext } from "@playwright/test";
import { signInWithOidc } from "./sign-in";
import { ADMIN_STATE, E2E_BASE_URL, E2E_OIDC, E2E_PORT, E2E_TRUSTED_PROXY, LOCAL_ADMIN, storageStatePath } from "./users";

interface AuditEntry {
  readonly actor: string;
  readonly action: string;
  readonly outcome: unknown;
  readonly clientIp: string | null;
  readonly userAgent: string | null;
}

async function auditEntries(api: APIRequestContext, filter: Record<string, string>): Promise<AuditEntry[]> {
  const response = await api.get("/api/v1/audit", { params: { limit: "50", ...filter } });
  expect(response.status(), await response.text()).toBe(200);
  return ((await response.json()) as { entries: AuditEntry[] }).entries;
}

test.describe("signed out", () => {
  test.use({ storageState: { cookies: [], origins: [] } });

  test("pages redirect to /signin and the API answers 401, audited", async ({ page, request: anonymous }) => {
    await page.goto("/queues/sandbox-rabbitmq/orders.dead-letter");
    await expect(page).toHaveURL(/\/signin\?next=%2Fqueues%2Fsandbox-rabbitmq%2Forders.dead-letter/);
    await expect(page.getByRole("heading", { name: "Sign in" })).toBeVisible();

    // A relative Location: the browser stays on the host it used (localhost and 127.0.0.1 keep different cookies).
    const redirect = await anonymous.get("/queues", { maxRedirects: 0 });
    expect(redirect.status()).toBe(307);
    expect(redirect.headers().location).toBe("/signin?next=%2Fqueues");

    // A made-up X-Forwarded-For from a client that is no trusted proxy: the audit row keeps the real address.
    const response = await anonymous.get("/api/v1/queues", { headers: { "user-agent": "e2e-anonymous-probe", "x-forwarded-for": "198.51.100.23" } });
    expect(response.status()).toBe(401);
    expect(await response.json()).toMatchObject({ error: { code: "unauthenticated" } });
    // A forged actor header changes nothing: the guard owns it.
    const forged = encodeURIComponent(JSON.stringify({ id: "mallory", role: "admin", grants: [{ role: "admin", brokers: ["*"], environments: ["*"] }] }));
    expect((await anonymous.get("/api/v1/audit", { headers: { "x-console-actor": forged } })).status()).toBe(401);
    // /metrics is rewritten to /api/metrics and guarded by that rule (public: the handler checks
    // its bearer token; off without METRICS_TOKEN), not sent to the sign-in page.
    const metrics = await anonymous.get("/metrics", { maxRedirects: 0 });
    expect(metrics.status()).toBe(404);
    expect(await metrics.json()).toMatchObject({ error: { code: "not-found" } });
    // An unknown API path is refused too, not passed to a handler.
    expect((await anonymous.get("/api/v1/no-such-route")).status()).toBe(404);

    const admin = await request.newContext({ baseURL: E2E_BASE_URL, storageState: ADMIN_STATE });
    const probe = (await auditEntries(admin, { action: "auth.refused", actor: "anonymous" })).find((entry) => entry.userAgent === "e2e-anonymous-probe");
    expect(probe?.clientIp).toBe("127.0.0.1");
    await admin.dispose();
  });

  test("a wrong local password is refused on the form; the right one signs in", async ({ page }) => {
    await page.goto("/signin");
    await page.getByLabel("Email").fill(LOCAL_ADMIN.email);
    await page.getByLabel("Password").fill("not-the-password");
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await expect(page.getByRole("alert").filter({ hasText: "Wrong email or password." })).toBeVisible();
    await page.getByLabel("Password").fill(LOCAL_ADMIN.password);
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await expect(page.getByRole("heading", { name: "Dead-letter queues" })).toBeVisible();
    await expect(page.getByTestId("user-menu")).toContainText(LOCAL_ADMIN.email);
    await expect(page.getByTestId("user-role")).toHaveText("admin");

    // A local account has no IdP session: sign-out goes straight back to /signin.
    const visited: string[] = [];
    page.on("framenavigated", (frame) => visited.push(frame.url()));
    await page.getByRole("button", { name: "Sign out" }).click();
    await expect(page).toHaveURL(/\/signin/);
    expect(visited.filter((url) => url.startsWith(E2E_OIDC.issuer))).toEqual([]);
  });

  test("OIDC: sign in through the loopback issuer, role from groups, sign out; all in the audit log", async ({ page, context }) => {
    await signInWithOidc(page, "otto");
    await expect(page.getByTestId("user-menu")).toContainText("otto@e2e.test");
    await expect(page.getByTestId("user-role")).toHaveText("operator");
    expect((await page.request.get("/api/v1/queues")).status()).toBe(200);

    // The session cookie: httpOnly, SameSite=Lax, not Secure only because this is plain-http loopback.
    const session = (await context.cookies()).find((cookie) => cookie.name.endsWith("session_token"));
    expect(session, "a session cookie").toBeDefined();
    expect(session).toMatchObject({ httpOnly: true, sameSite: "Lax", secure: false });
    expect(await page.evaluate(() => document.cookie)).not.toContain("session_token");

    const cookies = await context.storageState();
    await page.getByRole("button", { name: "Sign out" }).click();
    // RP-initiated logout: the IdP's end-session page (it knows the session from id_token_hint), then back to /signin.
    await page.waitForURL((url) => url.href.startsWith(`${E2E_OIDC.issuer}/session/end`));
    await page.getByRole("button", { name: "Yes, sign me out" }).click();
    await page.waitForURL((url) => url.href.startsWith(`${E2E_BASE_URL}/signin`));
    // The old cookie is dead on the server, not only gone from the browser.
    const replay = await request.newContext({ baseURL: E2E_BASE_URL, storageState: cookies });
    expect((await replay.get("/api/v1/queues")).status()).toBe(401);
    await replay.dispose();

    // Signing in again asks the IdP for a login: its session ended too, nothing is reused silently.
    await page.getByRole("button", { name: /Sign in with/ }).click();
    await page.waitForURL((url) => url.href.startsWith(E2E_OIDC.issuer));
    await expect(page.locator('input[name="login"]')).toBeVisible();
    expect(page.url().startsWith(E2E_BASE_URL)).toBe(false);

    const signedInAs = await request.newContext({ baseURL: E2E_BASE_URL, storageState: ADMIN_STATE });
    const otto = await auditEntries(signedInAs, { actor: "otto@e2e.test", action: "auth" });
    expect(otto.map((entry) => entry.action)).toEqual(expect.arrayContaining(["auth.sign-in", "auth.sign-out"]));
    const refusals = await auditEntries(signedInAs, { action: "auth.refused" });
    expect(refusals.some((entry) => entry.actor === "anonymous")).toBe(true);
    const failed = await auditEntries(signedInAs, { action: "auth.sign-in.refused" });
    expect(failed.some((entry) => entry.actor === LOCAL_ADMIN.email)).toBe(true);
    await signedInAs.dispose();
  });
});

test("a user cannot change their own groups or reach IdP tokens through better-auth's endpoints", async () => {
  const vera = await request.newContext({ baseURL: E2E_BASE_URL, storageState: storageStatePath("vera") });
  for (const endpoint of ["update-user", "change-email", "get-access-token", "account-info", "link-social"]) {
    const response = await vera.post(`/api/auth/${endpoint}`, { headers: { Origin: E2E_BASE_URL }, data: { groups: '["dlq-admins"]', providerId: "oidc" } });
    expect(response.status(), endpoint).toBe(404);
  }
  expect((await vera.get("/api/v1/audit/verify")).status()).toBe(403);
  const session = (await (await vera.get("/api/auth/get-session")).json()) as { user: { email: string; groups: string } };
  expect(session.user.email).toBe("vera@e2e.test");
  expect(JSON.parse(session.user.groups)).toEqual(["dlq-viewers"]);
  await vera.dispose();
});

test("mutations need the console's own Origin (CSRF)", async ({ request: admin }) => {
  const url = "/api/v1/brokers/sandbox-rabbitmq/queues/orders.dead-letter/preview";
  const variants: Array<Record<string, string>> = [{ Origin: "https://evil.example" }, {}, { Origin: "null" }];
  for (const headers of variants) {
    const response = await admin.post(url, { headers, data: { ids: ["order-1040"] } });
    expect(response.status(), JSON.stringify(headers)).toBe(403);
    expect(await response.json()).toMatchObject({ error: { code: "forbidden", message: expect.stringContaining("Origin") } });
  }
  const allowed = await admin.post(url, { headers: { Origin: E2E_BASE_URL }, data: { ids: ["order-1040"] } });
  expect([401, 403]).not.toContain(allowed.status());
});

test("pages carry a nonce-based CSP without inline scripts, and every script has the nonce", async ({ page }) => {
  const response = await page.goto("/");
  const policy = response?.headers()["content-security-policy"] ?? "";
  const scriptSrc = policy.split(";").map((part) => part.trim()).find((part) => part.startsWith("script-src")) ?? "";
  expect(scriptSrc).toMatch(/'nonce-[A-Za-z0-9+/=]+'/);
  expect(scriptSrc).not.toContain("'unsafe-inline'");
  expect(policy).toContain("object-src 'none'");
  expect(policy).toContain("frame-ancestors 'none'");
  const nonce = /'nonce-([^']+)'/.exec(scriptSrc)![1];
  await expect(page.getByRole("heading", { name: "Dead-letter queues" })).toBeVisible();
  const scripts = await page.locator("script").evaluateAll((elements) => elements.map((element) => (element as HTMLScriptElement).nonce));
  expect(scripts.length).toBeGreaterThan(0);
  for (const scriptNonce of scripts) expect(scriptNonce).toBe(nonce);
  expect(response?.headers()).toMatchObject({ "x-content-type-options": "nosniff", "x-frame-options": "DENY", "referrer-policy": "same-origin" });
  // API answers may load nothing at all.
  const api = await page.request.get("/api/v1/queues");
  expect(api.headers()["content-security-policy"]).toBe("default-src 'none'; frame-ancestors 'none'");
});

/** A sign-in attempt sent from `localAddress` (another loopback address: the "proxy" 127.0.0.2). */
function signInFrom(localAddress: string, forwardedFor: string, email: string): Promise<number> {
  const body = JSON.stringify({ email, password: "not-the-password-at-all" });
  return new Promise((resolve, reject) => {
    const outgoing = http.request(
      {
        host: "127.0.0.1",
        port: E2E_PORT,
        localAddress,
        method: "POST",
        path: "/api/auth/sign-in/email",
        headers: { Origin: E2E_BASE_URL, "Content-Type": "application/json", "Content-Length": Buffer.byteLength(body), "X-Forwarded-For": forwardedFor },
      },
      (response) => {
        response.resume();
        response.on("end", () => resolve(response.statusCode ?? 0));
      },
    );
    outgoing.on("error", reject);
    outgoing.end(body);
  });
}

test("behind a trusted proxy the limit and the audit log take the forwarded address", async () => {
  // Documentation addresses, fresh per run (the limit's window outlives a quick re-run).
  const client = `203.0.113.${1 + Math.floor(Math.random() * 120)}`;
  const other = `203.0.113.${130 + Math.floor(Math.random() * 120)}`;
  const email = `proxied-${Date.now()}@e2e.test`;
  const statuses: number[] = [];
  for (let attempt = 0; attempt < 11; attempt++) statuses.push(await signInFrom(E2E_TRUSTED_PROXY, `192.0.2.66, ${client}`, email));
  expect(statuses).toEqual([...Array<number>(10).fill(401), 429]);
  // Another client behind the same proxy has its own budget.
  expect(await signInFrom(E2E_TRUSTED_PROXY, other, email)).toBe(401);

  const admin = await request.newContext({ baseURL: E2E_BASE_URL, storageState: ADMIN_STATE });
  const refused = await auditEntries(admin, { action: "auth.sign-in.refused", actor: email });
  expect(new Set(refused.map((entry) => entry.clientIp))).toEqual(new Set([client, other]));
  await admin.dispose();
});

// Last in this file: it uses up the sign-in budget of this client for a minute.
test("sign-in attempts are rate limited, whatever X-Forwarded-For a client sends", async () => {
  const api = await request.newContext({ baseURL: E2E_BASE_URL });
  const statuses: number[] = [];
  for (let attempt = 0; attempt < 14; attempt++) {
    const response = await api.post("/api/auth/sign-in/email", {
      // A new made-up address each time: 127.0.0.1 is no trusted proxy, so the limit stays on it.
      headers: { Origin: E2E_BASE_URL, "X-Forwarded-For": `198.51.100.${attempt + 1}` },
      data: { email: "intruder@e2e.test", password: `guess-${attempt}-xxxxxxxx` },
    });
    statuses.push(response.status());
  }
  expect(statuses.slice(0, 3).every((status) => status === 401)).toBe(true);
  expect(statuses.slice(10)).toEqual([429, 429, 429, 429]);
  await api.dispose();
  const admin = await request.newContext({ baseURL: E2E_BASE_URL, storageState: ADMIN_STATE });
  const refused = await auditEntries(admin, { action: "auth.sign-in.refused" });
  expect(refused.some((entry) => (entry.outcome as { status?: number } | null)?.status === 429)).toBe(true);
  await admin.dispose();
});
