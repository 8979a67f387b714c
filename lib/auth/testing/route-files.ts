// The route handler files under app/, for the meta-tests that hold the permission table and the
// OpenAPI document to the routes that exist (patternOfRouteFile gives each one's API path).
import { readdirSync } from "node:fs";
import path from "node:path";

/** Every route handler file under `dir`, at any depth (route groups and dynamic segments included). */
export function routeFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return routeFiles(full);
    return /^route\.(ts|tsx|js|mjs)$/.test(entry.name) ? [full] : [];
  });
}
