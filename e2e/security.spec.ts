// The server is the guard: every API route × every role, against the running console, must
// refuse exactly what the role may not do (the permission table is the spec, the users' roles
// come from a real OIDC sign-in). Every response of that walk is scanned for the configured
// secrets. And payloads from an XSS corpus render as text: nothing in them runs.
import { readFileSync } from "node:fs";
import path from "node:path";
import { expect, request, test, type APIRequestContext, type APIResponse } from "@playwright/test";
import { ROUTE_PERMISSIONS, type RouteRule } from "../lib/auth/permissions";
import { PERMISSIONS, roleIncludes } from "../lib/auth/roles";
import { rabbitmqSecrets } from "../lib/brokers/rabbitmq/options";
import { servicebusSecrets } from "../lib/brokers/servicebus/options";
import { sqsSecrets } from "../lib/brokers/sqs/options";
import { SANDBOX_VHOST } from "./rabbitmq-management";
import { ADMIN_STATE, E2E_BASE_URL, E2E_OIDC, E2E_USERS, LOCAL_ADMIN, storageStatePath, type E2eRole } from "./users";

const DATA_DIR = path.join(process.cwd(), ".data", "e2e");

/** Every secret of the config the e2e server runs with: broker connections, session secret, passwords. */
function configuredSecrets(): string[] {
  type Broker = { kind: string; connection: Record<string, unknown> };
  const { brokers } = JSON.parse(readFileSync(path.join(DATA_DIR, "sandbox-brokers.json"), "utf8")) as { brokers: Broker[] };
  const secrets = brokers.flatMap((broker) => {
    if (broker.kind === "rabbitmq") return rabbitmqSecrets(broker.connection as never);
    if (broker.kind === "sqs") return sqsSecrets(broker.connection as never);
    if (broker.kind === "servicebus") return servicebusSecrets(broker.connection as never);
    return [];
  });
  secrets.push(readFileSync(path.join(DATA_DIR, "auth-secret"), "utf8").trim(), LOCAL_ADMIN.password, E2E_OIDC.clientSecret);
  return [...new Set(secrets.filter((secret) => secret.length >= 4))];
}

interface Caller {
  readonly name: string;
  readonly state: string | null;
  /** Unscoped role; null: signed in without access; undefined: not signed in. */
  readonly role: E2eRole | null | undefined;
  readonly onBroker: Readonly<Record<string, E2eRole>>;
  /** An API token's caller: `Authorization: Bearer`, no cookie, and no Origin even on mutations. */
  readonly token?: string;
}

const CALLERS: readonly Caller[] = [
  { name: "anonymous", state: null, role: undefined, onBroker: {} },
  { name: "local admin", state: ADMIN_STATE, role: "admin", onBroker: {} },
  ...E2E_USERS.map((user) => ({ name: `${user.login} (${user.groups.join(",")})`, state: storageStatePath(user.login), role: user.role, onBroker: user.onBroker ?? {} })),
];

const BROKERS = ["sandbox-rabbitmq", "sqs-sandbox", "servicebus-sandbox"];

function roleOf(caller: Caller, broker: string | null): E2eRole | null {
  const base = caller.role ?? null;
  const scoped = broker ? caller.onBroker[broker] : undefined;
  if (!scoped) return base;
  return base && roleIncludes(base, scoped) ? base : scoped;
}

/** The status class the permission table promises for this caller: refused (401/403) or let through. */
function expected(rule: RouteRule, caller: Caller, broker: string | null): "401" | "403" | "through" {
  if (rule.permission === "public") return "through";
  if (caller.role === undefined) return "401";
  if (rule.permission === "signed-in") return "through";
  const needed = PERMISSIONS[rule.permission];
  if (rule.broker.from === "any") {
    const roles = [roleOf(caller, null), ...BROKERS.map((name) => roleOf(caller, name))];
    return roles.some((role) => role && roleIncludes(role, needed)) ? "through" : "403";
  }
  const role = roleOf(caller, broker);
  return role && roleIncludes(role, needed) ? "through" : "403";
}

interface Target {
  readonly url: string;
  readonly broker: string | null;
}

/** Concrete URLs for a rule: one per sandbox broker for broker-scoped routes. */
function targets(rule: RouteRule, queues: ReadonlyMap<string, string>): Target[] {
  const fill = (broker: string | null) =>
    rule.pattern
      .replace(":broker", encodeURIComponent(broker ?? "sandbox-rabbitmq"))
      .replace(":queue", encodeURIComponent(queues.get(broker ?? "sandbox-rabbitmq") ?? "orders.dead-letter"))
      .replace(":id", encodeURIComponent(rule.broker.from === "operation" || rule.broker.from === "job" ? "00000000-0000-4000-8000-000000000000" : "order-1040"))
      .replace("*all", "get-session");
  if (rule.broker.from === "path") return BROKERS.map((broker) => ({ url: fill(broker), broker }));
  return [{ url: fill(null), broker: null }];
}

async function call(api: APIRequestContext, rule: RouteRule, url: string, token?: string): Promise<APIResponse> {
  const auth: Record<string, string> = token ? { Authorization: `Bearer ${token}` } : {};
  if (rule.method === "GET") return api.get(url, { headers: auth, maxRedirects: 0 });
  // Not JSON: a handler that gets this far answers 400 before it does anything. A script with a
  // token sends no Origin: the CSRF check is for browsers' cookies.
  const origin: Record<string, string> = token ? {} : { Origin: E2E_BASE_URL };
  return api.fetch(url, { method: rule.method, headers: { ...auth, ...origin, "Content-Type": "application/json" }, data: "{not json", maxRedirects: 0 });
}

/**
 * API tokens as callers of the matrix, each created by its owner's session: a viewer's, an
 * operator's scoped to one broker, the local admin's reader token, and a revoked one. A token
 * acts with its own role and scope (within its owner's); a revoked one is nobody.
 */
async function tokenCallers(): Promise<Caller[]> {
  const create = async (state: string, data: Record<string, unknown>, revoke = false) => {
    const owner = await request.newContext({ baseURL: E2E_BASE_URL, storageState: state });
    const response = await owner.post("/api/v1/tokens", { headers: { Origin: E2E_BASE_URL }, data: { expiresInDays: 1, ...data } });
    expect(response.status(), await response.text()).toBe(201);
    const created = (await response.json()) as { token: { id: string }; secret: string };
    if (revoke) expect((await owner.delete(`/api/v1/tokens/${created.token.id}`, { headers: { Origin: E2E_BASE_URL } })).status()).toBe(200);
    await owner.dispose();
    return created.secret;
  };
  return [
    { name: "vera's viewer token", state: null, role: "viewer", onBroker: {}, token: await create(storageStatePath("vera"), { name: "matrix viewer", role: "viewer" }) },
    { name: "otto's operator token on sqs-sandbox", state: null, role: null, onBroker: { "sqs-sandbox": "operator" }, token: await create(storageStatePath("otto"), { name: "matrix sqs operator", role: "operator", brokers: ["sqs-sandbox"] }) },
    { name: "the local admin's reader token", state: null, role: "reader", onBroker: {}, token: await create(ADMIN_STATE, { name: "matrix reader", role: "reader" }) },
    { name: "a revoked admin token", state: null, role: undefined, onBroker: {}, token: await create(ADMIN_STATE, { name: "matrix revoked", role: "admin" }, true) },
  ];
}

test("route × role matrix: every route refuses every role it should, and no response carries a secret", async () => {
  test.setTimeout(240_000);
  const secrets = configuredSecrets();
  expect(secrets.length).toBeGreaterThan(3);
  const admin = await request.newContext({ baseURL: E2E_BASE_URL, storageState: ADMIN_STATE });
  const overview = (await (await admin.get("/api/v1/queues")).json()) as { brokers: Array<{ name: string; queues: Array<{ id: string }> }> };
  const queues = new Map(overview.brokers.filter((broker) => broker.queues[0]).map((broker) => [broker.name, broker.queues[0]!.id]));
  await admin.dispose();

  const tokens = await tokenCallers();
  // A token's secret is shown once, at creation: no response of the walk may carry one.
  secrets.push(...tokens.map((caller) => caller.token!));
  const failures: string[] = [];
  let checked = 0;
  for (const caller of [...CALLERS, ...tokens]) {
    const api = await request.newContext({ baseURL: E2E_BASE_URL, ...(caller.state ? { storageState: caller.state } : { storageState: { cookies: [], origins: [] } }) });
    for (const rule of ROUTE_PERMISSIONS) {
      if (rule.permission === "public" && rule.method !== "GET") continue; // sign-in itself: auth.spec.ts
      for (const target of targets(rule, queues)) {
        const response = await call(api, rule, target.url, caller.token);
        const status = response.status();
        const want = expected(rule, caller, target.broker);
        const label = `${caller.name}: ${rule.method} ${target.url} → ${status}, expected ${want} (${rule.permission})`;
        if (want === "401" && status !== 401) failures.push(label);
        if (want === "403" && status !== 403) failures.push(label);
        if (want === "through" && (status === 401 || status === 403)) failures.push(label);
        const text = `${JSON.stringify(response.headers())}\n${await response.text()}`;
        for (const secret of secrets) if (text.includes(secret)) failures.push(`${caller.name}: ${rule.method} ${target.url} leaks a configured secret (${secret.slice(0, 3)}…)`);
        checked++;
      }
    }
    await api.dispose();
  }
  expect(failures, failures.join("\n")).toEqual([]);
  expect(checked).toBeGreaterThan((CALLERS.length + tokens.length) * 10);
});

test("/api/v1/me tells the UI each broker's role and permissions, as scoped grants give them", async () => {
  const sam = await request.newContext({ baseURL: E2E_BASE_URL, storageState: storageStatePath("sam") });
  const me = (await (await sam.get("/api/v1/me")).json()) as { id: string; global: { role: string }; brokers: Array<{ name: string; role: string; permissions: string[] }> };
  expect(me.id).toBe("sam@e2e.test");
  expect(me.global.role).toBe("viewer");
  const byName = new Map(me.brokers.map((broker) => [broker.name, broker]));
  expect(byName.get("sqs-sandbox")).toMatchObject({ role: "operator", permissions: expect.arrayContaining(["messages.replay", "messages.read"]) });
  expect(byName.get("sandbox-rabbitmq")).toMatchObject({ role: "viewer", permissions: ["queues.read"] });
  await sam.dispose();
});

test("pages carry no configured secret either", async ({ page }) => {
  const secrets = configuredSecrets();
  for (const url of ["/", "/queues/sandbox-rabbitmq/orders.dead-letter", "/queues/sandbox-rabbitmq/orders.dead-letter/messages/order-1040", "/signin"]) {
    const response = await page.goto(url);
    await page.waitForLoadState("networkidle");
    const html = `${(await response?.text()) ?? ""}\n${await page.content()}`;
    for (const secret of secrets) expect(html.includes(secret), `${url} shows a configured secret (${secret.slice(0, 3)}…)`).toBe(false);
  }
});

// ---- XSS corpus: hostile payloads in a sandbox RabbitMQ DLQ, opened in the browser.

const XSS_DLQ = "xss.dead-letter";
const XSS_SOURCE = "xss.process";
const CORPUS = [
  `<script>window.__xss.push("script")</script>`,
  `<img src=x onerror="window.__xss.push('img')">`,
  `<a href="javascript:window.__xss.push('link')">click me</a>`,
  `<svg onload="window.__xss.push('svg')"></svg>`,
  `"><iframe srcdoc="<script>parent.__xss.push('iframe')</script>"></iframe>`,
  `<details open ontoggle="window.__xss.push('details')">`,
  `javascript:window.__xss.push('bare')`,
  `{{constructor.constructor('window.__xss.push("template")')()}}`,
];

const MANAGEMENT = process.env.RABBITMQ_MANAGEMENT_URL ?? "http://127.0.0.1:15672";
const MANAGEMENT_AUTH = `Basic ${Buffer.from("guest:guest").toString("base64")}`;

async function management(method: string, apiPath: string, body?: unknown): Promise<Response> {
  const response = await fetch(`${MANAGEMENT}/api/${apiPath}`, {
    method,
    headers: { Authorization: MANAGEMENT_AUTH, "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok && !(method === "DELETE" && response.status === 404)) throw new Error(`management ${method} ${apiPath}: ${response.status} ${await response.text()}`);
  return response;
}

/** Through RabbitMQ's management API: a DLQ fed by a source queue, each corpus message expiring into it. */
async function seedXssCorpus(): Promise<void> {
  const vhost = encodeURIComponent(SANDBOX_VHOST);
  await management("DELETE", `queues/${vhost}/${encodeURIComponent(XSS_DLQ)}`);
  await management("PUT", `exchanges/${vhost}/xss.dlx`, { type: "direct", durable: true });
  await management("PUT", `queues/${vhost}/${encodeURIComponent(XSS_DLQ)}`, { durable: true });
  await management("POST", `bindings/${vhost}/e/xss.dlx/q/${encodeURIComponent(XSS_DLQ)}`, { routing_key: "dead" });
  await management("PUT", `queues/${vhost}/${encodeURIComponent(XSS_SOURCE)}`, {
    durable: true,
    arguments: { "x-dead-letter-exchange": "xss.dlx", "x-dead-letter-routing-key": "dead" },
  });
  for (const [index, payload] of CORPUS.entries()) {
    const json = index % 2 === 0;
    const published = await management("POST", `exchanges/${vhost}/amq.default/publish`, {
      routing_key: XSS_SOURCE,
      payload: json ? JSON.stringify({ html: payload, note: payload }) : payload,
      payload_encoding: "string",
      properties: {
        message_id: `xss-${index}`,
        content_type: json ? "application/json" : "text/html",
        correlation_id: payload,
        type: payload,
        expiration: "1",
        headers: { "x-exception-message": payload, "x-html": payload },
      },
    });
    expect(((await published.json()) as { routed: boolean }).routed).toBe(true);
  }
  await expect
    .poll(async () => ((await (await management("GET", `queues/${vhost}/${encodeURIComponent(XSS_DLQ)}`)).json()) as { messages?: number }).messages ?? 0, {
      timeout: 20_000,
    })
    .toBe(CORPUS.length);
}

test("messages from an XSS corpus render as text and nothing in them executes", async ({ page }) => {
  test.setTimeout(120_000);
  await seedXssCorpus();
  await page.addInitScript(() => {
    (window as unknown as { __xss: string[] }).__xss = [];
  });
  const dialogs: string[] = [];
  page.on("dialog", (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  const fired = () => page.evaluate(() => (window as unknown as { __xss: string[] }).__xss);

  await page.goto(`/queues/sandbox-rabbitmq/${encodeURIComponent(XSS_DLQ)}`);
  await expect(page.getByText("xss-0").first()).toBeVisible();
  expect(await fired()).toEqual([]);

  for (const [index, payload] of CORPUS.entries()) {
    await page.goto(`/queues/sandbox-rabbitmq/${encodeURIComponent(XSS_DLQ)}/messages/xss-${index}`);
    // The payload is there, as text (the raw markup is visible, so it was not parsed as HTML).
    await expect(page.getByText(payload, { exact: false }).first()).toBeVisible();
    expect(await page.locator('main a[href^="javascript:"]').count(), `xss-${index}: a javascript: link`).toBe(0);
    expect(await page.locator("main iframe, main svg[onload], main img[onerror], main details[ontoggle]").count(), `xss-${index}: injected elements`).toBe(0);
    // Click every link the message page shows (none may run code).
    for (const link of await page.locator("main a").all()) {
      const href = (await link.getAttribute("href")) ?? "";
      expect(href.trim().toLowerCase().startsWith("javascript:"), `xss-${index}: ${href}`).toBe(false);
    }
    expect(await fired(), `xss-${index}`).toEqual([]);
  }
  expect(dialogs).toEqual([]);
});
