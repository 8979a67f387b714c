// API tokens end to end on a real Postgres and a real RabbitMQ queue pair: created through the
// routes (as the guard hands them a signed-in user), then presented to the route guard as
// `Authorization: Bearer` and, where the guard lets them through, to the replay handler. Roles,
// revocation, expiry, the Origin rule, the creator's ceiling, the hashed secret and the audit trail.
import { createHash } from "node:crypto";
import { NextRequest, type NextResponse } from "next/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as replay } from "@/app/api/v1/brokers/[broker]/queues/[queue]/replay/route";
import { verifyAuditLog } from "@/lib/audit/query";
import { guardApiRequest } from "@/lib/auth/guard";
import { ACTOR_HEADER, encodeActor } from "@/lib/auth/request-actor";
import { globalRole } from "@/lib/auth/roles";
import { grantsOf } from "@/lib/auth/session";
import { createRabbitFixture, TEST_URL, type RabbitFixture } from "@/lib/brokers/rabbitmq/test-fixture";
import { getConfig } from "@/lib/config";
import { db } from "@/lib/db/client";
import { setupTestDatabase } from "@/lib/operations/testing/database";
import { DELETE as revoke } from "./[id]/route";
import { GET as list, POST as create } from "./route";

const database = setupTestDatabase("tokens");

const BROKER = "tok-rabbit";
const ORIGIN = "http://localhost:3000";
let fixture: RabbitFixture;

interface TestUser {
  readonly email: string;
  readonly groups: readonly string[];
  readonly local?: boolean;
}
const ALICE: TestUser = { email: "alice@example.com", groups: ["ops-staging", "everyone"] };
const VIC: TestUser = { email: "vic@example.com", groups: ["everyone"] };
const ADMIN: TestUser = { email: "admin@console.local", groups: [], local: true };

/** The actor header the guard sets for this user's session, so the handlers see a signed-in user. */
function sessionHeaders(user: TestUser): Record<string, string> {
  const grants = grantsOf({ local: user.local === true, groups: user.groups }, getConfig().auth);
  return { [ACTOR_HEADER]: encodeActor({ id: user.email, role: globalRole(grants), grants }), "user-agent": "tokens-test" };
}

const url = (path: string) => `http://localhost:3000${path}`;
const replayPath = () => `/api/v1/brokers/${BROKER}/queues/${encodeURIComponent(fixture.dlq.id)}/replay`;

interface Created {
  readonly token: { id: string; name: string; status: string };
  readonly secret: string;
}

async function createToken(user: TestUser, body: Record<string, unknown>): Promise<NextResponse> {
  return create(new NextRequest(url("/api/v1/tokens"), { method: "POST", body: JSON.stringify(body), headers: { ...sessionHeaders(user), "content-type": "application/json" } }));
}

async function created(user: TestUser, body: Record<string, unknown>): Promise<Created> {
  const response = await createToken(user, body);
  expect(response.status, JSON.stringify(await response.clone().json())).toBe(201);
  return (await response.json()) as Created;
}

/** A request as it reaches proxy.ts: a script's (bearer token, no Origin, no cookie) unless told otherwise. */
function apiRequest(path: string, options: { method?: string; token?: string; body?: unknown; headers?: Record<string, string> } = {}): NextRequest {
  const headers: Record<string, string> = { "content-type": "application/json", "user-agent": "deploy-pipeline/1.0", ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  return new NextRequest(url(path), { method: options.method ?? "POST", headers, ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }) });
}

/** The request headers the guard forwards to the handler (NextResponse.next({ request: { headers } })). */
function forwardedHeaders(response: NextResponse): Headers {
  expect(response.headers.get("x-middleware-next")).toBe("1");
  const headers = new Headers();
  for (const name of (response.headers.get("x-middleware-override-headers") ?? "").split(",").filter(Boolean)) {
    headers.set(name, response.headers.get(`x-middleware-request-${name}`) ?? "");
  }
  return headers;
}

const refusalsOf = (via: string) => db().auditEntry.findMany({ where: { action: "auth.refused", via }, orderBy: { id: "asc" } });

beforeAll(async () => {
  fixture = await createRabbitFixture();
  // Read by lib/config on first use, after this hook.
  process.env.BROKERS = JSON.stringify({ brokers: [{ name: BROKER, kind: "rabbitmq", environment: "staging", connection: { url: TEST_URL } }] });
  process.env.AUTH_ROLE_MAPPINGS = JSON.stringify([
    { group: "ops-staging", role: "operator", environments: ["staging"] },
    { group: "everyone", role: "viewer" },
  ]);
  process.env.PUBLIC_URL = ORIGIN;
  for (const [index, user] of [ALICE, VIC, ADMIN].entries()) {
    await db().authUser.create({ data: { id: `user-${index}`, name: user.email, email: user.email, groups: JSON.stringify(user.groups), local: user.local === true } });
  }
  await fixture.deadLetter(["tok-1", "tok-2", "tok-3"].map((messageId) => ({ messageId, body: new TextEncoder().encode(`{"id":"${messageId}"}`), contentType: "application/json" })));
});
afterAll(async () => {
  await fixture?.cleanup();
});

describe("API tokens", () => {
  it("shows the secret once: only its SHA-256 is stored, and no list, audit row or later answer carries it", async () => {
    const { token, secret } = await created(ALICE, { name: "deploy", role: "operator", brokers: [BROKER], environments: ["staging"], expiresInDays: 7 });
    expect(secret).toMatch(new RegExp(`^dlq_${token.id}_[A-Za-z0-9_-]{43}$`));
    expect(token).toMatchObject({ name: "deploy", status: "active" });

    const [row] = await database.sql("SELECT * FROM api_token WHERE id = $1", [token.id]);
    expect(row!.secret_hash).toBe(createHash("sha256").update(secret).digest("hex"));
    const secretPart = secret.slice(`dlq_${token.id}_`.length);
    expect(JSON.stringify(row)).not.toContain(secretPart);
    const expires = (row!.expires_at as Date).getTime() - (row!.created_at as Date).getTime();
    expect(expires).toBe(7 * 86_400_000);

    const listed = await list(new NextRequest(url("/api/v1/tokens"), { headers: sessionHeaders(ALICE) }));
    const listedText = await listed.text();
    expect(listedText).toContain(token.id);
    expect(listedText).not.toContain(secretPart);
    const audit = await database.sql("SELECT actor, action, request, outcome FROM audit_log");
    expect(audit).toContainEqual(expect.objectContaining({ actor: ALICE.email, action: "token.create" }));
    expect(JSON.stringify(audit)).not.toContain(secretPart);

    // Vic lists only his own (none); the admin lists everyone's.
    expect(((await (await list(new NextRequest(url("/api/v1/tokens"), { headers: sessionHeaders(VIC) }))).json()) as { tokens: unknown[] }).tokens).toEqual([]);
    const all = (await (await list(new NextRequest(url("/api/v1/tokens"), { headers: sessionHeaders(ADMIN) }))).json()) as { tokens: { id: string }[] };
    expect(all.tokens.map((entry) => entry.id)).toContain(token.id);
  });

  it("never gives a token more than its creator's role on its scope; only admins make service-account tokens", async () => {
    // Alice is operator on staging, viewer elsewhere; Vic is viewer everywhere.
    expect((await createToken(ALICE, { name: "too much", role: "operator" })).status).toBe(403);
    expect((await createToken(ALICE, { name: "too much", role: "admin", environments: ["staging"] })).status).toBe(403);
    expect((await createToken(ALICE, { name: "too much", role: "reader", brokers: [BROKER] })).status).toBe(403);
    expect((await createToken(VIC, { name: "too much", role: "operator", brokers: [BROKER] })).status).toBe(403);
    expect((await createToken(ALICE, { name: "svc", role: "viewer", serviceAccount: "deploy-bot" })).status).toBe(403);
    expect((await createToken(ALICE, { name: "forever", role: "viewer", expiresInDays: 3650 })).status).toBe(400);
    const refused = await db().auditEntry.count({ where: { action: "token.create.refused" } });
    expect(refused).toBe(5);

    const service = await created(ADMIN, { name: "pipeline", role: "operator", serviceAccount: "deploy-bot" });
    const rows = await db().apiToken.findUnique({ where: { id: service.token.id } });
    expect(rows).toMatchObject({ owner: "service:deploy-bot", ownerUserId: null, createdBy: ADMIN.email });
    const defaultDays = (rows!.expiresAt.getTime() - rows!.createdAt.getTime()) / 86_400_000;
    expect(defaultDays).toBe(90);
  });

  it("answers 403 to a viewer token's replay, audited under the owner with the token", async () => {
    const { token, secret } = await created(ALICE, { name: "read-only", role: "viewer" });
    const response = await guardApiRequest(apiRequest(replayPath(), { token: secret, body: { operationId: "tok-op-viewer", ids: ["tok-1"] } }));
    expect(response.status).toBe(403);
    const [refusal] = await refusalsOf(`token ${token.id} (read-only)`);
    expect(refusal).toMatchObject({ actor: ALICE.email, broker: BROKER });
    expect(JSON.parse(refusal!.outcome)).toMatchObject({ status: 403, reason: "role" });
    // The same token may read what a viewer may.
    expect((await guardApiRequest(apiRequest("/api/v1/queues", { method: "GET", token: secret }))).status).toBe(200);
  });

  it("lets a token request through without an Origin, while a cookie request without one is still refused", async () => {
    const { secret } = await created(ALICE, { name: "csrf-check", role: "operator", brokers: [BROKER], environments: ["staging"] });
    const withToken = await guardApiRequest(apiRequest(replayPath(), { token: secret, body: { operationId: "tok-op-csrf", ids: ["none"] } }));
    expect(withToken.headers.get("x-middleware-next")).toBe("1");
    const withCookie = await guardApiRequest(apiRequest(replayPath(), { headers: { cookie: "dlc.session_token=some-session" }, body: { operationId: "tok-op-csrf", ids: ["none"] } }));
    expect(withCookie.status).toBe(403);
    expect(((await withCookie.json()) as { error: { message: string } }).error.message).toContain("Origin");
  });

  it("performs a replay with an operator token, recorded under the owner with the token's id and name", async () => {
    const { token, secret } = await created(ALICE, { name: "deploy-replay", role: "operator", brokers: [BROKER], environments: ["staging"] });
    const body = { operationId: "tok-op-replay", ids: ["tok-2"], reason: "fixed in 2.4.1" };
    const guarded = await guardApiRequest(apiRequest(replayPath(), { token: secret, body, headers: { cookie: "dlc.session_token=ignored" } }));
    const headers = forwardedHeaders(guarded);
    expect(headers.get("cookie")).toBeNull();
    const answer = await replay(new NextRequest(url(replayPath()), { method: "POST", headers, body: JSON.stringify(body) }), { params: Promise.resolve({ broker: BROKER, queue: fixture.dlq.id }) });
    expect(answer.status).toBe(200);
    expect(await answer.json()).toMatchObject({ operation: { status: "succeeded", actor: ALICE.email } });
    expect(await fixture.depth(fixture.source.id)).toBe(1);

    const rows = await db().auditEntry.findMany({ where: { operationId: "tok-op-replay" }, orderBy: { id: "asc" } });
    expect(rows.map((row) => [row.action, row.actor, row.via])).toEqual([
      ["replay.intent", ALICE.email, `token ${token.id} (deploy-replay)`],
      ["replay.outcome", ALICE.email, `token ${token.id} (deploy-replay)`],
    ]);
    expect(rows[0]!.userAgent).toBe("deploy-pipeline/1.0");
    expect((await db().apiToken.findUnique({ where: { id: token.id } }))!.lastUsedAt).not.toBeNull();
    expect(await verifyAuditLog()).toMatchObject({ ok: true });
  });

  it("cuts a token down to its owner's current grants at every use", async () => {
    const { secret } = await created(ALICE, { name: "demoted", role: "operator", environments: ["staging"] });
    const attempt = () => guardApiRequest(apiRequest(replayPath(), { token: secret, body: { operationId: "tok-op-demoted", ids: ["none"] } }));
    expect((await attempt()).headers.get("x-middleware-next")).toBe("1");
    // Alice's next sign-in brings fewer groups: the token is a viewer's from then on.
    await db().authUser.update({ where: { email: ALICE.email }, data: { groups: JSON.stringify(["everyone"]) } });
    try {
      expect((await attempt()).status).toBe(403);
    } finally {
      await db().authUser.update({ where: { email: ALICE.email }, data: { groups: JSON.stringify(ALICE.groups) } });
    }
  });

  it("answers 401 to a revoked, an expired and a made-up token, each refusal audited", async () => {
    const revokedToken = await created(ALICE, { name: "to-revoke", role: "operator", brokers: [BROKER], environments: ["staging"] });
    const use = (secret: string) => guardApiRequest(apiRequest(replayPath(), { token: secret, body: { operationId: "tok-op-401", ids: ["tok-3"] } }));
    expect((await use(revokedToken.secret)).headers.get("x-middleware-next")).toBe("1");

    // Only the owner or an admin may revoke: Vic is told there is no such token.
    const revokeAs = (user: TestUser, id: string) => revoke(new NextRequest(url(`/api/v1/tokens/${id}`), { method: "DELETE", headers: sessionHeaders(user) }), { params: Promise.resolve({ id }) });
    expect((await revokeAs(VIC, revokedToken.token.id)).status).toBe(404);
    const revokedAnswer = await revokeAs(ALICE, revokedToken.token.id);
    expect(revokedAnswer.status).toBe(200);
    expect(await revokedAnswer.json()).toMatchObject({ token: { status: "revoked", revokedBy: ALICE.email } });
    const revokedUse = await use(revokedToken.secret);
    expect(revokedUse.status).toBe(401);
    expect(JSON.stringify(await revokedUse.json())).not.toContain(revokedToken.secret);
    expect(await db().auditEntry.count({ where: { action: "token.revoke", actor: ALICE.email } })).toBe(1);

    const expiring = await created(ALICE, { name: "to-expire", role: "operator", brokers: [BROKER], environments: ["staging"] });
    await database.sql("UPDATE api_token SET expires_at = now() - interval '1 second' WHERE id = $1", [expiring.token.id]);
    expect((await use(expiring.secret)).status).toBe(401);

    const forged = `${expiring.secret.slice(0, -4)}AAAA`;
    expect((await use(forged)).status).toBe(401);
    expect((await use("not-a-token")).status).toBe(401);

    const reasons = async (via: string) => (await refusalsOf(via)).map((row) => [row.actor, (JSON.parse(row.outcome) as { status: number; reason: string }).reason]);
    expect(await reasons(`token ${revokedToken.token.id} (to-revoke)`)).toEqual([[ALICE.email, "token revoked"]]);
    expect(await reasons(`token ${expiring.token.id} (to-expire)`)).toEqual([[ALICE.email, "token expired"]]);
    const anonymous = await db().auditEntry.findMany({ where: { action: "auth.refused", actor: "anonymous", via: null }, orderBy: { id: "asc" } });
    expect(anonymous.map((row) => (JSON.parse(row.outcome) as { reason: string }).reason).filter((reason) => reason === "invalid token")).toHaveLength(2);
  });

  it("lets a token list its owner's tokens but not create or revoke any", async () => {
    const { token, secret } = await created(ALICE, { name: "self-serve", role: "viewer" });
    const listed = await guardApiRequest(apiRequest("/api/v1/tokens", { method: "GET", token: secret }));
    const listAnswer = await list(new NextRequest(url("/api/v1/tokens"), { headers: forwardedHeaders(listed) }));
    expect(((await listAnswer.json()) as { tokens: { owner: string }[] }).tokens.every((entry) => entry.owner === ALICE.email)).toBe(true);

    const body = { name: "child", role: "viewer" };
    const guarded = await guardApiRequest(apiRequest("/api/v1/tokens", { token: secret, body }));
    const answer = await create(new NextRequest(url("/api/v1/tokens"), { method: "POST", headers: forwardedHeaders(guarded), body: JSON.stringify(body) }));
    expect(answer.status).toBe(403);
    const revoking = await guardApiRequest(apiRequest(`/api/v1/tokens/${token.id}`, { method: "DELETE", token: secret }));
    const revokeAnswer = await revoke(new NextRequest(url(`/api/v1/tokens/${token.id}`), { method: "DELETE", headers: forwardedHeaders(revoking) }), { params: Promise.resolve({ id: token.id }) });
    expect(revokeAnswer.status).toBe(403);
    expect(await db().auditEntry.count({ where: { action: { in: ["token.create.refused", "token.revoke.refused"] }, via: `token ${token.id} (self-serve)` } })).toBe(2);
  });
});
