// Bad input to the settings routes that read a JSON body: a body that is not JSON, or too large,
// is the caller's error (400 / 413 naming the problem), not an internal error.
import { NextRequest } from "next/server";
import { describe, expect, it } from "vitest";
import { MAX_REQUEST_BYTES } from "@/lib/api/operations";
import { POST as createRule } from "../../alerts/rules/route";
import { DELETE as unmute, POST as mute } from "./route";

const request = (path: string, method: string, body: string) =>
  new NextRequest(`http://localhost${path}`, { method, body, headers: { "content-type": "application/json" } });

describe("settings routes with a body that is not JSON", () => {
  it.each([
    ["POST /api/v1/hygiene/mutes", () => mute(request("/api/v1/hygiene/mutes", "POST", "{not json"))],
    ["DELETE /api/v1/hygiene/mutes", () => unmute(request("/api/v1/hygiene/mutes", "DELETE", "{not json"))],
    ["POST /api/v1/alerts/rules", () => createRule(request("/api/v1/alerts/rules", "POST", "{not json"))],
  ])("%s answers 400 bad-request", async (_, call) => {
    const response = await call();
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { code: "bad-request", message: "the request body is not JSON" } });
  });

  it("answers 413 for a body over the request limit", async () => {
    const response = await mute(request("/api/v1/hygiene/mutes", "POST", JSON.stringify({ reason: "x".repeat(MAX_REQUEST_BYTES) })));
    expect(response.status).toBe(413);
  });
});
