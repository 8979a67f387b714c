// Which address a request came from, for the sign-in rate limit and the audit log. X-Forwarded-For
// is whatever the client typed unless a proxy we trust wrote it, and Next.js keeps a client-sent
// one, so the start is the socket's peer address: scripts/peer-address.cjs stamps it on every
// request (overwriting any client value). Only when that peer is a trusted proxy
// (AUTH_TRUSTED_PROXIES) is X-Forwarded-For read, right to left, up to the first hop that is not
// a trusted proxy. Pure apart from the preload's marker on globalThis.
import { BlockList, isIP } from "node:net";

/** The request header scripts/peer-address.cjs sets to the socket's remote address. */
export const PEER_ADDRESS_HEADER = "x-dlc-peer-address";
/** Set by the preload when it runs in this process: without it the header above could be the client's. */
const PEER_MARKER = Symbol.for("dead-letter-console.peer-address");

/** The resolved client address as lib/auth/server.ts hands it to better-auth (ipAddressHeaders). */
export const CLIENT_IP_HEADER = "x-dlc-client-ip";

/** An address without an IPv4-mapped IPv6 prefix or zone, or null when it is not an IP. */
export function normalizeIp(value: string | null | undefined): string | null {
  const text = value?.trim().replace(/^\[(.*)\]$/, "$1").replace(/%.*$/, "") ?? "";
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(text);
  const address = mapped ? mapped[1]! : text;
  const family = isIP(address);
  if (family === 0) return null;
  return family === 6 ? address.toLowerCase() : address;
}

/** Why an AUTH_TRUSTED_PROXIES entry is not an IP or CIDR range, or null when it is one. */
export function invalidProxyEntry(entry: string): string | null {
  const [address, prefix, ...rest] = entry.trim().split("/");
  const family = isIP(address ?? "");
  if (family === 0 || rest.length > 0) return `"${entry}" is not an IP address or CIDR range`;
  if (prefix !== undefined && (!/^\d+$/.test(prefix) || Number(prefix) > (family === 4 ? 32 : 128))) return `"${entry}" has an invalid prefix length`;
  return null;
}

/** A matcher for the trusted proxies (IPs and CIDR ranges; entries are validated by config). */
export function trustedProxyMatcher(entries: readonly string[]): (address: string) => boolean {
  if (entries.length === 0) return () => false;
  const list = new BlockList();
  for (const entry of entries) {
    const [address, prefix] = entry.trim().split("/") as [string, string | undefined];
    const type = isIP(address) === 4 ? "ipv4" : "ipv6";
    if (prefix === undefined) list.addAddress(address, type);
    else list.addSubnet(address, Number(prefix), type);
  }
  return (address) => list.check(address, isIP(address) === 4 ? "ipv4" : "ipv6");
}

/** The socket peer address the preload stamped on these headers, or null when no preload runs here. */
export function peerAddressOf(headers: Headers): string | null {
  if (!(globalThis as Record<symbol, unknown>)[PEER_MARKER]) return null;
  return normalizeIp(headers.get(PEER_ADDRESS_HEADER));
}

/**
 * The client address of a request: the socket peer, or, when the peer is a trusted proxy, the
 * rightmost X-Forwarded-For hop that is not one (a malformed hop stops the walk at the last
 * trusted address). Null when the peer is unknown: then nothing a client sends is believed.
 */
export function resolveClientIp(peer: string | null, forwardedFor: string | null, isTrusted: (address: string) => boolean): string | null {
  if (peer === null) return null;
  let client = peer;
  if (!isTrusted(client)) return client;
  const hops = (forwardedFor ?? "").split(",").map((hop) => hop.trim()).filter(Boolean);
  for (let index = hops.length - 1; index >= 0; index--) {
    const hop = normalizeIp(hops[index]);
    if (hop === null) break;
    client = hop;
    if (!isTrusted(hop)) break;
  }
  return client;
}

const matchers = new Map<string, (address: string) => boolean>();

/** The client address of a request under the configured trusted proxies. */
export function clientIpFromHeaders(headers: Headers, trustedProxies: readonly string[]): string | null {
  const key = trustedProxies.join(",");
  let isTrusted = matchers.get(key);
  if (!isTrusted) matchers.set(key, (isTrusted = trustedProxyMatcher(trustedProxies)));
  return resolveClientIp(peerAddressOf(headers), headers.get("x-forwarded-for"), isTrusted);
}
