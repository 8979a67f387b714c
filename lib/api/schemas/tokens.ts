// /api/v1/tokens: API tokens for scripts (lib/auth/tokens.ts). One schema for the route handlers
// and the browser; the secret appears only in the creation response.
import { z } from "zod";
import { ROLES } from "@/lib/auth/roles";

/** Lifetime of a token when the creator does not choose one. */
export const TOKEN_DEFAULT_DAYS = 90;
/** The longest lifetime a token may have: a leaked token stops working within a year at most. */
export const TOKEN_MAX_DAYS = 365;

/** A broker-name or environment-label glob, as grants take them (`*` matches anything). */
const globSchema = z.string().trim().min(1).max(100).regex(/^[A-Za-z0-9*._-]+$/, "letters, digits, '.', '_', '-' and '*' only");

export const tokenCreateSchema = z
  .object({
    name: z.string().trim().min(1).max(100),
    description: z.string().trim().max(500).optional(),
    role: z.enum(ROLES),
    /** Broker name globs; default every broker. */
    brokers: z.array(globSchema).min(1).max(50).default(["*"]),
    /** Environment label globs; default every environment. */
    environments: z.array(globSchema).min(1).max(50).default(["*"]),
    expiresInDays: z.number().int().min(1).max(TOKEN_MAX_DAYS).default(TOKEN_DEFAULT_DAYS),
    /** Admins only: the token acts as this service account (`service:<name>`) instead of its creator. */
    serviceAccount: z
      .string()
      .trim()
      .regex(/^[a-z0-9][a-z0-9._-]{0,62}$/, "lowercase letters, digits, '.', '_' or '-' (at most 63)")
      .optional(),
  })
  .strict();
export type TokenCreateInput = z.output<typeof tokenCreateSchema>;

export const TOKEN_STATUSES = ["active", "expired", "revoked"] as const;

/** A token as listed: never its secret or hash. */
export const tokenSchema = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string().nullable(),
  /** Who it acts as: a user's email or `service:<name>`. */
  owner: z.string(),
  kind: z.enum(["user", "service"]),
  createdBy: z.string(),
  role: z.enum(ROLES),
  brokers: z.array(z.string()),
  environments: z.array(z.string()),
  createdAt: z.iso.datetime(),
  expiresAt: z.iso.datetime(),
  revokedAt: z.iso.datetime().nullable(),
  revokedBy: z.string().nullable(),
  lastUsedAt: z.iso.datetime().nullable(),
  status: z.enum(TOKEN_STATUSES),
});
export type TokenDto = z.infer<typeof tokenSchema>;

export const tokenListSchema = z.object({ tokens: z.array(tokenSchema) });
export type TokenListDto = z.infer<typeof tokenListSchema>;

/** The creation response: the only time the secret leaves the server. */
export const tokenCreatedSchema = z.object({ token: tokenSchema, secret: z.string().startsWith("dlq_") });
export type TokenCreatedDto = z.infer<typeof tokenCreatedSchema>;

export const tokenRevokedSchema = z.object({ token: tokenSchema });
