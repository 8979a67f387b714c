// GET /api/v1/me: the caller's role and permissions everywhere and on each broker, for the UI to
// hide what they cannot do (the server still refuses). One schema for the route and the browser.
import { z } from "zod";
import { PERMISSIONS, ROLES, type Permission } from "@/lib/auth/roles";

const roleSchema = z.enum(ROLES).nullable().describe("The strongest role the grants give; null: none");
const permissionsSchema = z.array(z.enum(Object.keys(PERMISSIONS) as [Permission, ...Permission[]]));

export const meResponseSchema = z.object({
  /** The email the audit log records as the actor. */
  id: z.string(),
  /** From unscoped grants (every broker, every environment): what routes spanning brokers need. */
  global: z.object({ role: roleSchema, permissions: permissionsSchema }),
  brokers: z.array(z.object({ name: z.string(), environment: z.string().nullable(), role: roleSchema, permissions: permissionsSchema })),
});

export type MeResponse = z.infer<typeof meResponseSchema>;
