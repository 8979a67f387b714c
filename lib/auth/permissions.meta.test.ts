// Fails when a route file or an exported method under app/api has no row in the permission table
// (so a new route cannot ship unguarded), or when a row names a route that no longer exists.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { API_REWRITES, HTTP_METHODS, matchRoute, patternOfRouteFile, ROUTE_PERMISSIONS } from "./permissions";
import { routeFiles } from "./testing/route-files";

const APP_DIR = path.join(process.cwd(), "app");

/** Exported HTTP methods of a route module: `export async function GET`, `export const POST =`, `export { GET, POST }`. */
function exportedMethods(source: string): string[] {
  const methods = new Set<string>();
  for (const match of source.matchAll(/export\s+(?:async\s+)?(?:function\s*\*?\s*|const\s+|let\s+|var\s+)([A-Z]+)\b/g)) methods.add(match[1]!);
  for (const match of source.matchAll(/export\s*\{([^}]*)\}/g)) {
    for (const part of match[1]!.split(",")) {
      const name = part.trim().split(/\s+as\s+/).pop()?.trim();
      if (name) methods.add(name);
    }
  }
  return [...methods].filter((name) => (HTTP_METHODS as readonly string[]).includes(name));
}

const routes = routeFiles(APP_DIR).flatMap((file) => {
  const source = readFileSync(file, "utf8");
  const methods = exportedMethods(source);
  // A handler object spread (`export const { GET, POST } = handlers`) is caught by the destructuring case.
  for (const match of source.matchAll(/export\s+const\s*\{([^}]*)\}/g)) {
    for (const name of match[1]!.split(",").map((part) => part.trim().split(":").pop()?.trim() ?? "")) {
      if ((HTTP_METHODS as readonly string[]).includes(name)) methods.push(name);
    }
  }
  return { file: path.relative(process.cwd(), file), pattern: patternOfRouteFile(file), methods: [...new Set(methods)] };
});

describe("route-permission table", () => {
  it("finds the route files", () => {
    expect(routes.length).toBeGreaterThan(0);
    for (const route of routes) expect(route.methods.length, `${route.file} exports no HTTP method`).toBeGreaterThan(0);
  });

  it.each(routes.flatMap((route) => route.methods.map((method) => ({ ...route, method }))))(
    "covers $method $pattern ($file)",
    ({ method, pattern }) => {
      const rule = ROUTE_PERMISSIONS.find((candidate) => candidate.method === method && candidate.pattern === pattern);
      expect(rule, `add { method: "${method}", pattern: "${pattern}", permission, broker } to ROUTE_PERMISSIONS in lib/auth/permissions.ts`).toBeDefined();
    },
  );

  it("has every route handler under /api, where the guard runs (elsewhere a page session would be the only check)", () => {
    for (const route of routes) expect(route.pattern, route.file).toMatch(/^\/api\//);
  });

  it("has no row for a route that does not exist", () => {
    for (const rule of ROUTE_PERMISSIONS) {
      const route = routes.find((candidate) => candidate.pattern === rule.pattern);
      expect(route?.methods, `${rule.method} ${rule.pattern} is in the table but no route file exports it`).toContain(rule.method);
    }
  });

  it("has one row per method and pattern", () => {
    const keys = ROUTE_PERMISSIONS.map((rule) => `${rule.method} ${rule.pattern}`);
    expect(keys.filter((key, index) => keys.indexOf(key) !== index)).toEqual([]);
  });

  it("names the path parameter a broker-scoped rule takes its broker from", () => {
    for (const rule of ROUTE_PERMISSIONS) {
      if (rule.broker.from === "path" || rule.broker.from === "operation" || rule.broker.from === "job") expect(rule.pattern, `${rule.method} ${rule.pattern}`).toContain(`:${rule.broker.param}`);
      if (rule.permission === "public" || rule.permission === "signed-in") expect(rule.broker.from).toBe("none");
    }
  });
});

describe("no way around the table", () => {
  it("has no server actions (a POST to a page path would pass the guard with a session alone)", () => {
    const sources = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) return entry.name === "node_modules" ? [] : sources(full);
        return /\.(ts|tsx)$/.test(entry.name) ? [full] : [];
      });
    const offenders = ["app", "components", "lib"]
      .flatMap((dir) => sources(path.join(process.cwd(), dir)))
      .filter((file) => /^\s*["']use server["']/m.test(readFileSync(file, "utf8")));
    expect(offenders.map((file) => path.relative(process.cwd(), file)), "move the action to an /api route with a row in the table").toEqual([]);
  });
});

describe("rewrites into /api", () => {
  it("lists every rewrite of next.config.ts whose destination is an API route, with the same destination", async () => {
    const { default: nextConfig } = await import("../../next.config");
    const rewrites = await nextConfig.rewrites?.();
    const list = Array.isArray(rewrites) ? rewrites : [...(rewrites?.beforeFiles ?? []), ...(rewrites?.afterFiles ?? []), ...(rewrites?.fallback ?? [])];
    for (const rewrite of list.filter((candidate) => candidate.destination.startsWith("/api/"))) {
      expect(API_REWRITES[rewrite.source], `${rewrite.source} → ${rewrite.destination}: add it to API_REWRITES in lib/auth/permissions.ts`).toBe(rewrite.destination);
    }
    for (const [source, destination] of Object.entries(API_REWRITES)) expect(matchRoute("GET", destination), `${source} → ${destination}`).not.toBeNull();
  });
});

describe("matchRoute", () => {
  it("matches patterns with decoded parameters, HEAD as GET, and refuses what the table lacks", () => {
    const match = matchRoute("GET", "/api/v1/brokers/sandbox-rabbitmq/queues/orders.dlq/messages/a%2Fb");
    expect(match?.rule.pattern).toBe("/api/v1/brokers/:broker/queues/:queue/messages/:id");
    expect(match?.params).toEqual({ broker: "sandbox-rabbitmq", queue: "orders.dlq", id: "a/b" });
    expect(matchRoute("HEAD", "/api/v1/queues")?.rule.permission).toBe("queues.read");
    expect(matchRoute("DELETE", "/api/v1/queues")).toBeNull();
    expect(matchRoute("GET", "/api/v1/nothing-here")).toBeNull();
    expect(matchRoute("GET", "/api/v1/brokers/x/queues/%E0%A4%A/messages")).toBeNull();
    expect(matchRoute("POST", "/api/auth/sign-in/email")?.rule.permission).toBe("public");
  });

  it("derives patterns from route file paths", () => {
    expect(patternOfRouteFile("app/api/v1/brokers/[broker]/queues/[queue]/route.ts")).toBe("/api/v1/brokers/:broker/queues/:queue");
    expect(patternOfRouteFile("/x/app/api/auth/[...all]/route.ts")).toBe("/api/auth/*all");
    expect(patternOfRouteFile("app/(group)/api/v1/audit/route.ts")).toBe("/api/v1/audit");
  });
});
