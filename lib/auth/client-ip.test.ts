import { afterEach, describe, expect, it } from "vitest";
import { clientIpFromHeaders, invalidProxyEntry, normalizeIp, PEER_ADDRESS_HEADER, resolveClientIp, trustedProxyMatcher } from "./client-ip";

const MARKER = Symbol.for("dead-letter-console.peer-address");
const marked = globalThis as Record<symbol, unknown>;

describe("client IP", () => {
  afterEach(() => {
    delete marked[MARKER];
  });

  it("normalises addresses and refuses what is not one", () => {
    expect(normalizeIp("::ffff:10.0.0.5")).toBe("10.0.0.5");
    expect(normalizeIp(" 2001:DB8::1 ")).toBe("2001:db8::1");
    expect(normalizeIp("[::1]")).toBe("::1");
    expect(normalizeIp("fe80::1%eth0")).toBe("fe80::1");
    expect(normalizeIp("unknown")).toBeNull();
    expect(normalizeIp("")).toBeNull();
    expect(normalizeIp(null)).toBeNull();
  });

  it("validates trusted proxy entries (IPs and CIDRs) and matches them", () => {
    expect(invalidProxyEntry("10.0.0.0/8")).toBeNull();
    expect(invalidProxyEntry("2001:db8::/32")).toBeNull();
    expect(invalidProxyEntry("127.0.0.2")).toBeNull();
    expect(invalidProxyEntry("10.0.0.0/33")).toMatch(/prefix/);
    expect(invalidProxyEntry("proxy.internal")).toMatch(/not an IP/);
    const trusted = trustedProxyMatcher(["10.0.0.0/8", "192.168.1.7", "2001:db8::/32"]);
    expect(trusted("10.200.3.4")).toBe(true);
    expect(trusted("192.168.1.7")).toBe(true);
    expect(trusted("192.168.1.8")).toBe(false);
    expect(trusted("2001:db8::42")).toBe(true);
    expect(trustedProxyMatcher([])("10.0.0.1")).toBe(false);
  });

  it("uses the socket peer and ignores X-Forwarded-For when the peer is not a trusted proxy", () => {
    const none = trustedProxyMatcher([]);
    expect(resolveClientIp("203.0.113.9", "198.51.100.1", none)).toBe("203.0.113.9");
    expect(resolveClientIp("10.0.0.5", "198.51.100.1", trustedProxyMatcher(["10.0.0.6"]))).toBe("10.0.0.5");
    expect(resolveClientIp(null, "198.51.100.1", none)).toBeNull();
  });

  it("behind trusted proxies takes the rightmost hop that is not one", () => {
    const trusted = trustedProxyMatcher(["10.0.0.0/8"]);
    expect(resolveClientIp("10.0.0.5", "198.51.100.1", trusted)).toBe("198.51.100.1");
    // The client typed the first hop; the proxies appended the rest.
    expect(resolveClientIp("10.0.0.5", "1.2.3.4, 198.51.100.1, 10.0.0.9", trusted)).toBe("198.51.100.1");
    // Every hop a proxy: the leftmost one is as far as the chain can be believed.
    expect(resolveClientIp("10.0.0.5", "10.0.0.8, 10.0.0.9", trusted)).toBe("10.0.0.8");
    // A malformed hop stops the walk at the last address a trusted proxy wrote.
    expect(resolveClientIp("10.0.0.5", "198.51.100.1, garbage, 10.0.0.9", trusted)).toBe("10.0.0.9");
    expect(resolveClientIp("10.0.0.5", null, trusted)).toBe("10.0.0.5");
  });

  it("believes the peer header only when the preload (scripts/peer-address.cjs) runs in this process", () => {
    const headers = new Headers({ [PEER_ADDRESS_HEADER]: "::ffff:127.0.0.1", "x-forwarded-for": "198.51.100.7" });
    expect(clientIpFromHeaders(headers, [])).toBeNull();
    marked[MARKER] = PEER_ADDRESS_HEADER;
    expect(clientIpFromHeaders(headers, [])).toBe("127.0.0.1");
    expect(clientIpFromHeaders(headers, ["127.0.0.1"])).toBe("198.51.100.7");
  });
});

describe("scripts/peer-address.cjs", () => {
  it("stamps each request with its socket's address, over any client value", async () => {
    const { createRequire } = await import("node:module");
    const http = await import("node:http");
    const original = http.Server.prototype.emit;
    try {
      createRequire(import.meta.url)("../../scripts/peer-address.cjs");
      const server = http.createServer((request, response) => response.end(String(request.headers[PEER_ADDRESS_HEADER])));
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      const { port } = server.address() as { port: number };
      const answer = await fetch(`http://127.0.0.1:${port}/`, { headers: { [PEER_ADDRESS_HEADER]: "6.6.6.6" } }).then((response) => response.text());
      await new Promise((resolve) => server.close(resolve));
      expect(answer).toBe("127.0.0.1");
      expect(marked[MARKER]).toBe(PEER_ADDRESS_HEADER);
    } finally {
      http.Server.prototype.emit = original;
    }
  });
});
