// The served document: what the handler answers is the built document for the configured PUBLIC_URL.
import { describe, expect, it } from "vitest";
import { openApiDocument } from "@/lib/api/openapi/document";
import { getConfig } from "@/lib/config";
import { GET } from "./route";

describe("GET /api/v1/openapi.json", () => {
  it("answers the OpenAPI document as JSON, served from PUBLIC_URL", async () => {
    const response = GET();
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("application/json");
    const body = (await response.json()) as { openapi: string; servers: { url: string }[]; paths: Record<string, Record<string, { operationId: string }>> };
    expect(body.openapi).toBe("3.1.1");
    expect(body.servers[0]?.url).toBe(getConfig().publicUrl.replace(/\/+$/, ""));
    expect(body.paths["/api/v1/openapi.json"]?.get?.operationId).toBe("getOpenApiDocument");
    expect(body).toEqual(JSON.parse(JSON.stringify(openApiDocument())));
  });
});
