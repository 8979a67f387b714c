import { afterEach, describe, expect, it } from "vitest";
import { actorOf, LOCAL_OPERATOR } from "./actor";
import { PEER_ADDRESS_HEADER } from "./client-ip";
import { ACTOR_HEADER, encodeActor } from "./request-actor";

const MARKER = Symbol.for("dead-letter-console.peer-address");

describe("actorOf", () => {
  afterEach(() => {
    delete (globalThis as Record<symbol, unknown>)[MARKER];
  });

  it("takes the guard's signed-in user, the socket peer's IP (not a client-sent X-Forwarded-For) and the user agent", () => {
    (globalThis as Record<symbol, unknown>)[MARKER] = PEER_ADDRESS_HEADER;
    const request = new Request("http://console/api/v1/x", {
      headers: { [ACTOR_HEADER]: encodeActor({ id: "ana@example.com", role: "operator" }), [PEER_ADDRESS_HEADER]: "10.0.0.1", "x-forwarded-for": "10.1.2.3", "user-agent": "curl/8" },
    });
    expect(actorOf(request)).toEqual({ id: "ana@example.com", role: "operator", ip: "10.0.0.1", userAgent: "curl/8" });
  });

  it("is the local operator when no guard stands in front", () => {
    expect(actorOf(new Request("http://console/api/v1/x", { headers: { "x-forwarded-for": "10.1.2.3" } }))).toEqual({ id: LOCAL_OPERATOR, role: "admin", ip: null, userAgent: null });
  });
});
