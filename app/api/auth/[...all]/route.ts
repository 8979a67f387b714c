// GET|POST /api/auth/* — better-auth: sign-in (password, OIDC redirect and callback), session, sign-out (with the IdP's end-session URL).
import { toNextJsHandler } from "better-auth/next-js";
import { auditRateLimited } from "@/lib/auth/audit";
import { handleAuthRequest } from "@/lib/auth/server";

export const dynamic = "force-dynamic";

async function handler(request: Request): Promise<Response> {
  const response = await handleAuthRequest(request);
  if (response.status === 429) await auditRateLimited(request);
  return response;
}

export const { GET, POST } = toNextJsHandler(handler);
