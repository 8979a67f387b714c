// The OpenAPI document: valid OpenAPI 3.1 (by an independent validator), every $ref resolvable,
// one operation for each exported method of each /api/v1 route file and none for a route that is
// gone, each with the permission the guard enforces, and the error envelope the handlers answer.
import path from "node:path";
import { Validator } from "@seriousme/openapi-schema-validator";
import { z, ZodError } from "zod";
import { describe, expect, it, vi } from "vitest";
import { ApiError, errorResponse } from "@/lib/api/errors";
import { errorBodySchema } from "@/lib/api/schemas/errors";
import { HTTP_METHODS, matchRoute, patternOfRouteFile } from "@/lib/auth/permissions";
import { routeFiles } from "@/lib/auth/testing/route-files";
import { buildOpenApiDocument, openApiPath, sessionCookieName } from "./document";

const document = buildOpenApiDocument({ serverUrl: "https://dlq.example.com", sessionCookie: sessionCookieName(true) });

/** Every exported HTTP method of every route file whose path is under /api/v1 (route groups like app/(auth) included). */
async function v1Operations(): Promise<{ key: string; file: string }[]> {
  const files = routeFiles(path.join(process.cwd(), "app")).filter((file) => patternOfRouteFile(file).startsWith("/api/v1/"));
  const found = await Promise.all(
    files.map(async (file) => {
      const exports = Object.keys((await import(file)) as Record<string, unknown>);
      const methods = exports.filter((name) => (HTTP_METHODS as readonly string[]).includes(name));
      return methods.map((method) => ({ key: `${method} ${openApiPath(patternOfRouteFile(file))}`, file: path.relative(process.cwd(), file) }));
    }),
  );
  return found.flat();
}

const documented = Object.entries(document.paths).flatMap(([pathName, operations]) => Object.keys(operations).map((method) => `${method.toUpperCase()} ${pathName}`));

function refsIn(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(refsIn);
  if (value === null || typeof value !== "object") return [];
  return Object.entries(value).flatMap(([key, inner]) => (key === "$ref" && typeof inner === "string" ? [inner] : refsIn(inner)));
}

describe("the OpenAPI document", () => {
  it("is valid OpenAPI 3.1", async () => {
    const validator = new Validator();
    const result = await validator.validate(structuredClone(document) as unknown as Record<string, unknown>);
    expect(result.errors ?? [], JSON.stringify(result.errors, null, 2)).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe("3.1");

    // And it would say so: a response without its required description is refused.
    const broken = structuredClone(document) as unknown as { paths: Record<string, Record<string, { responses: Record<string, { description?: string }> }>> };
    delete broken.paths["/api/v1/queues"]!.get!.responses["200"]!.description;
    expect((await new Validator().validate(broken)).valid).toBe(false);
  });

  it("has a component for every $ref, and no schema left with zod's own $defs", () => {
    const refs = [...new Set(refsIn(document))];
    expect(refs.length).toBeGreaterThan(10);
    for (const ref of refs) {
      expect(ref).toMatch(/^#\/components\/schemas\/[A-Za-z0-9._-]+$/);
      expect(document.components.schemas, ref).toHaveProperty([ref.split("/").pop()!]);
    }
    expect(JSON.stringify(document)).not.toContain('"$defs"');
  });

  it("serves from the configured URL and names the session cookie and bearer token schemes", () => {
    expect(document.servers).toEqual([{ url: "https://dlq.example.com", description: expect.any(String) }]);
    expect(document.components.securitySchemes).toEqual({
      sessionCookie: expect.objectContaining({ type: "apiKey", in: "cookie", name: "__Secure-dlc.session_token" }),
      apiToken: expect.objectContaining({ type: "http", scheme: "bearer" }),
    });
  });

  it("gives each operation the permission of ROUTE_PERMISSIONS, in x-permission and in words, and a unique operationId", () => {
    const ids = new Set<string>();
    for (const [pathName, operations] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        const match = matchRoute(method, pathName.replace(/\{[^}]+\}/g, "x"));
        expect(match, `${method} ${pathName}`).not.toBeNull();
        expect(operation["x-permission"], `${method} ${pathName}`).toBe(match!.rule.permission);
        if (match!.rule.permission === "public") expect(operation.security).toEqual([]);
        else expect(operation.description).toContain(`\`${match!.rule.permission}\``);
        expect(ids.has(operation.operationId), operation.operationId).toBe(false);
        ids.add(operation.operationId);
      }
    }
  });

  it("describes path parameters, query parameters, bodies and the error statuses that apply", () => {
    const replay = document.paths["/api/v1/brokers/{broker}/queues/{queue}/replay"]!.post!;
    expect(replay["x-permission"]).toBe("messages.replay");
    expect(replay.description).toContain("role operator");
    expect(replay.parameters?.map((parameter) => `${parameter.in}:${parameter.name}`)).toEqual(["path:broker", "path:queue"]);
    expect(replay.requestBody?.content["application/json"]?.schema).toEqual({ $ref: "#/components/schemas/ReplayMessagesRequest" });
    expect(Object.keys(replay.responses)).toEqual(expect.arrayContaining(["200", "202", "400", "401", "403", "404", "409", "default"]));
    const body = document.components.schemas.ReplayMessagesRequest as { required: string[]; properties: Record<string, unknown> };
    expect(body.required).toEqual(expect.arrayContaining(["operationId", "ids"]));
    expect(body.properties.destination).toEqual({ $ref: "#/components/schemas/Destination" });

    const audit = document.paths["/api/v1/audit"]!.get!;
    const limit = audit.parameters?.find((parameter) => parameter.name === "limit");
    expect(limit).toMatchObject({ in: "query", required: false, schema: { type: "integer", minimum: 1, maximum: 500, default: 100 } });
    expect(Object.keys(audit.responses)).not.toContain("404");

    const spec = document.paths["/api/v1/openapi.json"]!.get!;
    expect(Object.keys(spec.responses)).toEqual(["200", "default"]);
  });

  it("describes the error envelope that errorResponse answers with", async () => {
    // Nothing more than the schema says, either: strict at both levels.
    const envelope = z.strictObject({ error: errorBodySchema.shape.error.strict() });
    const logged = vi.spyOn(console, "error").mockImplementation(() => {});
    for (const error of [new ApiError("conflict", "taken", { holders: [] }), new ZodError([]), new Error("an unexpected failure")]) {
      const answered: unknown = await errorResponse(error).json();
      expect(envelope.safeParse(answered).success, JSON.stringify(answered)).toBe(true);
    }
    expect(logged).toHaveBeenCalledOnce();
    logged.mockRestore();
    expect(envelope.safeParse({ error: { code: "teapot", message: "", details: null } }).success).toBe(false);
    expect(document.components.schemas.Error).toMatchObject({ required: ["error"] });
  });
});

describe("the document covers the route files", () => {
  it("has an operation for every exported method of every /api/v1 route file", async () => {
    const operations = await v1Operations();
    expect(operations.length).toBeGreaterThan(30);
    const missing = operations.filter(({ key }) => !documented.includes(key)).map(({ key, file }) => `${key} (${file})`);
    expect(missing, "add an entry to API_ROUTES in lib/api/openapi/routes.ts").toEqual([]);
  });

  it("documents no operation that no route file exports", async () => {
    const exported = new Set((await v1Operations()).map(({ key }) => key));
    expect(documented.filter((key) => !exported.has(key)), "remove it from API_ROUTES in lib/api/openapi/routes.ts").toEqual([]);
  });
});
