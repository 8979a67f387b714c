import "server-only";
// The better-auth instance: local accounts (email + password, sign-up closed) and OIDC single
// sign-on by config, sessions in Postgres, sign-in attempts rate limited per client IP (the socket
// peer, or what AUTH_TRUSTED_PROXIES forwarded: lib/auth/client-ip.ts), and every sign-in, failed
// sign-in and sign-out written to the audit log. Signing out of an OIDC session also ends the
// IdP's session (RP-initiated logout), so the next sign-in asks the IdP again.
import { betterAuth } from "better-auth";
import { prismaAdapter } from "better-auth/adapters/prisma";
import { APIError, createAuthMiddleware } from "better-auth/api";
import { genericOAuth, type GenericOAuthUserInfo } from "better-auth/plugins/generic-oauth";
import { getConfig, type AppConfig, type OidcConfig } from "@/lib/config";
import { db } from "@/lib/db/client";
import { clientIpOf } from "./actor";
import { AUTH_ACTIONS, auditAuthEvent } from "./audit";
import { CLIENT_IP_HEADER } from "./client-ip";

/** The provider id of the OIDC issuer in URLs (/api/auth/callback/oidc) and account rows. */
export const OIDC_PROVIDER_ID = "oidc";

/** The string values of a groups claim (an array, a single string, or absent). */
export function groupsOfClaim(value: unknown): string[] {
  if (Array.isArray(value)) return value.filter((item): item is string => typeof item === "string");
  if (typeof value === "string" && value) return [value];
  return [];
}

function oidcPlugin(oidc: OidcConfig) {
  return genericOAuth({
    config: [
      {
        providerId: OIDC_PROVIDER_ID,
        name: oidc.name,
        discoveryUrl: `${oidc.issuer}/.well-known/openid-configuration`,
        requireIdTokenVerification: true,
        clientId: oidc.clientId,
        clientSecret: oidc.clientSecret ?? undefined,
        scopes: [...oidc.scopes],
        pkce: true,
        // Groups change at the IdP: take them (and the name) afresh at every sign-in.
        overrideUserInfo: true,
        mapProfileToUser: (profile: GenericOAuthUserInfo) => ({
          name: typeof profile.name === "string" && profile.name ? profile.name : String(profile.email ?? profile.sub ?? "user"),
          groups: JSON.stringify(groupsOfClaim(profile[oidc.groupsClaim])),
          local: false,
        }),
      },
    ],
  });
}

/**
 * better-auth endpoints the console does not use. Turned off so no user can change their own
 * profile (groups decide roles), and no IdP token is ever handed to a browser.
 */
export const DISABLED_PATHS = [
  "/update-user",
  "/update-session",
  "/change-email",
  "/change-password",
  "/delete-user",
  "/delete-user/callback",
  "/sign-up/email",
  "/link-social",
  "/unlink-account",
  "/list-accounts",
  "/account-info",
  "/get-access-token",
  "/refresh-token",
  "/request-password-reset",
  "/reset-password",
  "/reset-password/:token",
  "/send-verification-email",
  "/verify-email",
  "/verify-password",
];

const clientIp = (headers: Headers | undefined) => (headers ? clientIpOf(headers) : null);
const userAgent = (headers: Headers | undefined) => headers?.get("user-agent")?.slice(0, 512) ?? null;

async function emailOfUser(userId: string): Promise<string> {
  const user = await db().authUser.findUnique({ where: { id: userId }, select: { email: true } });
  return user?.email ?? `user:${userId}`;
}

function createAuth(config: AppConfig) {
  const { auth } = config;
  return betterAuth({
    appName: "Dead-letter console",
    baseURL: config.publicUrl,
    basePath: "/api/auth",
    // scripts/start.ts always provides one (generated under DATA_DIR when AUTH_SECRET is unset).
    secret: auth.secret ?? undefined,
    trustedOrigins: [...auth.trustedOrigins],
    database: prismaAdapter(db(), { provider: "postgresql" }),
    telemetry: { enabled: false },
    disabledPaths: DISABLED_PATHS,
    user: {
      modelName: "authUser",
      additionalFields: {
        // `input: true` only so better-auth takes it from the IdP profile; every endpoint through
        // which a user could set it themselves is in DISABLED_PATHS.
        groups: { type: "string", required: false, defaultValue: "[]", input: true },
        local: { type: "boolean", required: false, defaultValue: false, input: false },
      },
    },
    session: {
      modelName: "authSession",
      expiresIn: auth.sessionHours * 3600,
      updateAge: Math.min(3600, auth.sessionHours * 900),
    },
    account: { modelName: "authAccount", accountLinking: { enabled: false } },
    verification: { modelName: "authVerification" },
    emailAndPassword: { enabled: auth.localAccounts, disableSignUp: true, minPasswordLength: 12 },
    rateLimit: {
      enabled: true,
      storage: "database",
      modelName: "authRateLimit",
      window: 60,
      max: 300,
      customRules: {
        "/sign-in/*": { window: 60, max: auth.signInRateLimit },
        "/callback/*": { window: 60, max: auth.signInRateLimit * 3 },
      },
    },
    advanced: {
      // The rate limit and session rows key on the address authRequest() resolved (the socket
      // peer, or what AUTH_TRUSTED_PROXIES forwarded), never on a client-sent X-Forwarded-For.
      // Without one (no peer known) better-auth puts every such request in one shared bucket.
      ipAddress: { ipAddressHeaders: [CLIENT_IP_HEADER], disableIpTracking: false },
      useSecureCookies: auth.secureCookies,
      cookiePrefix: "dlc",
      defaultCookieAttributes: { httpOnly: true, sameSite: "lax", secure: auth.secureCookies, path: "/" },
    },
    plugins: auth.oidc ? [oidcPlugin(auth.oidc)] : [],
    databaseHooks: {
      session: {
        create: {
          after: async (session, context) => {
            await auditAuthEvent({
              actor: await emailOfUser(session.userId),
              action: AUTH_ACTIONS.signIn,
              outcome: { method: context?.path === "/sign-in/email" ? "password" : "oidc" },
              clientIp: session.ipAddress ?? null,
              userAgent: session.userAgent ?? null,
            });
          },
        },
        delete: {
          after: async (session, context) => {
            if (context?.path !== "/sign-out") return;
            await auditAuthEvent({
              actor: await emailOfUser(session.userId),
              action: AUTH_ACTIONS.signOut,
              clientIp: clientIp(context.headers),
              userAgent: userAgent(context.headers),
            });
          },
        },
      },
    },
    hooks: {
      after: createAuthMiddleware(async (ctx) => {
        if (!ctx.path.startsWith("/sign-in/") && !ctx.path.startsWith("/callback/")) return;
        const returned = ctx.context.returned;
        if (!(returned instanceof APIError)) return;
        const body = ctx.body as { email?: unknown } | undefined;
        await auditAuthEvent({
          actor: typeof body?.email === "string" ? body.email.slice(0, 200).toLowerCase() : "anonymous",
          action: AUTH_ACTIONS.signInRefused,
          outcome: { path: ctx.path, status: returned.status, code: returned.body?.code ?? null },
          clientIp: clientIp(ctx.headers),
          userAgent: userAgent(ctx.headers),
        });
      }),
    },
  });
}

export type Auth = ReturnType<typeof createAuth>;

const holder = globalThis as typeof globalThis & { deadLetterConsoleAuth?: Auth };

/**
 * The request as better-auth gets it: CLIENT_IP_HEADER set to the client address under the
 * console's rule (lib/auth/client-ip.ts), whatever the client sent under that name.
 */
export function authRequest(request: Request): Request {
  const headers = new Headers(request.headers);
  headers.delete(CLIENT_IP_HEADER);
  const ip = clientIpOf(request.headers);
  if (ip) headers.set(CLIENT_IP_HEADER, ip);
  const hasBody = request.method !== "GET" && request.method !== "HEAD";
  return new Request(request.url, { method: request.method, headers, body: hasBody ? request.body : undefined, redirect: "manual", signal: request.signal, ...(hasBody ? { duplex: "half" } : {}) } as RequestInit);
}

/** better-auth's sign-out endpoint, which handleAuthRequest() extends with the IdP's end-session URL. */
export const SIGN_OUT_PATH = "/api/auth/sign-out";

/** Where the IdP sends the browser back after it ended its session; register it with the provider. */
export function postLogoutRedirectUri(config: AppConfig): string {
  return new URL("/signin", config.publicUrl).toString();
}

const discovered = new Map<string, { endSession: string | null; until: number }>();

/** The issuer's end_session_endpoint from its discovery document (kept 10 minutes), or null when it has none. */
async function endSessionEndpoint(oidc: OidcConfig, now = Date.now()): Promise<string | null> {
  const cached = discovered.get(oidc.issuer);
  if (cached && cached.until > now) return cached.endSession;
  const response = await fetch(`${oidc.issuer}/.well-known/openid-configuration`, { signal: AbortSignal.timeout(5000) });
  if (!response.ok) throw new Error(`OIDC discovery answered ${response.status}`);
  const document = (await response.json()) as { end_session_endpoint?: unknown };
  const endSession = typeof document.end_session_endpoint === "string" && /^https?:\/\//.test(document.end_session_endpoint) ? document.end_session_endpoint : null;
  discovered.set(oidc.issuer, { endSession, until: now + 10 * 60_000 });
  return endSession;
}

/**
 * For a signed-in OIDC user: the provider's end-session URL with id_token_hint,
 * post_logout_redirect_uri and client_id, so signing out of the console also ends the IdP
 * session. Null for local accounts, a provider without end_session_endpoint, or no session.
 */
export async function idpSignOutUrl(headers: Headers, config: AppConfig = getConfig()): Promise<string | null> {
  const oidc = config.auth.oidc;
  if (!oidc) return null;
  const session = await getAuth().api.getSession({ headers });
  if (!session || session.user.local === true) return null;
  const account = await db().authAccount.findFirst({ where: { userId: session.user.id, providerId: OIDC_PROVIDER_ID }, orderBy: { updatedAt: "desc" }, select: { idToken: true } });
  let endpoint: string | null;
  try {
    endpoint = await endSessionEndpoint(oidc);
  } catch (error) {
    // The IdP is unreachable: the console's session still ends; the IdP's lasts until it expires there.
    console.warn(`[auth] no RP-initiated logout: ${error instanceof Error ? error.message : String(error)}`);
    return null;
  }
  if (!endpoint) return null;
  const url = new URL(endpoint);
  if (account?.idToken) url.searchParams.set("id_token_hint", account.idToken);
  url.searchParams.set("client_id", oidc.clientId);
  url.searchParams.set("post_logout_redirect_uri", postLogoutRedirectUri(config));
  return url.toString();
}

/**
 * Every /api/auth/* request: better-auth with the client address resolved (authRequest), and a
 * sign-out that answers `{ success, redirect }`, redirect being the IdP's end-session URL when
 * the user signed in through OIDC (the browser goes there next; see components/auth/sign-out-button.tsx).
 */
export async function handleAuthRequest(request: Request): Promise<Response> {
  const signOut = request.method === "POST" && new URL(request.url).pathname === SIGN_OUT_PATH;
  // Read before better-auth deletes the session: afterwards nobody is signed in to look up.
  const redirect = signOut ? await idpSignOutUrl(request.headers) : null;
  const response = await getAuth().handler(authRequest(request));
  if (!signOut || !response.ok) return response;
  const headers = new Headers(response.headers);
  headers.set("Content-Type", "application/json");
  headers.delete("Content-Length");
  return new Response(JSON.stringify({ success: true, redirect }), { status: response.status, headers });
}

/** The process's better-auth instance, built from config on first use. */
export function getAuth(): Auth {
  holder.deadLetterConsoleAuth ??= createAuth(getConfig());
  return holder.deadLetterConsoleAuth;
}
