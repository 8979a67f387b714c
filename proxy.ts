// Runs before every request (Next.js proxy, Node runtime). API requests go through the route
// guard (permission table, Origin, session, role); pages need a session (else /signin) and get a
// nonce-based Content Security Policy.
import { NextResponse, type NextRequest } from "next/server";
import { API_POLICY, createNonce, pagePolicy } from "@/lib/auth/csp";
import { guardApiRequest } from "@/lib/auth/guard";
import { API_REWRITES } from "@/lib/auth/permissions";
import { ACTOR_HEADER } from "@/lib/auth/request-actor";
import { signedInUser } from "@/lib/auth/session";
import { getConfig } from "@/lib/config";

/** Pages anyone may open. */
const PUBLIC_PAGES = new Set(["/signin"]);

function withPolicy(response: NextResponse, policy: string): NextResponse {
  response.headers.set("Content-Security-Policy", policy);
  // Cookies are Secure exactly when the console is served over https: then pin https too.
  if (getConfig().auth.secureCookies) response.headers.set("Strict-Transport-Security", "max-age=31536000; includeSubDomains");
  return response;
}

export async function proxy(request: NextRequest): Promise<NextResponse> {
  const { pathname, search } = request.nextUrl;
  const apiPath = pathname.startsWith("/api/") ? pathname : Object.hasOwn(API_REWRITES, pathname) ? API_REWRITES[pathname] : undefined;
  if (apiPath) return withPolicy(await guardApiRequest(request, apiPath), API_POLICY);

  const nonce = createNonce();
  // NODE_ENV is fixed by `next dev` / `next build`, not configuration.
  const policy = pagePolicy(nonce, { dev: process.env.NODE_ENV === "development", upgradeInsecure: getConfig().auth.secureCookies });
  if (!PUBLIC_PAGES.has(pathname) && !(await signedInUser(request.headers))) {
    // Next makes a same-origin Location relative, so the browser keeps the host it used.
    const target = new URL("/signin", request.url);
    target.searchParams.set("next", `${pathname}${search}`);
    return withPolicy(NextResponse.redirect(target), policy);
  }
  const headers = new Headers(request.headers);
  // Only the API guard may say who is acting; a client-sent value never reaches a page either.
  headers.delete(ACTOR_HEADER);
  headers.set("x-nonce", nonce);
  headers.set("Content-Security-Policy", policy);
  return withPolicy(NextResponse.next({ request: { headers } }), policy);
}

export const config = {
  // Everything except Next's static files and the favicon.
  matcher: [{ source: "/((?!_next/static|_next/image|favicon.ico).*)" }],
};
