"use client";
// What the signed-in user may do, per broker, for hiding buttons (the server still refuses
// whatever is shown by mistake). GET /api/v1/me.
import { queryOptions, useQuery } from "@tanstack/react-query";
import { meResponseSchema } from "@/lib/api/schemas/me";
import type { Permission } from "@/lib/auth/roles";
import { fetchJson } from "@/lib/client/http";

export const meQueryOptions = () => queryOptions({ queryKey: ["me"], queryFn: () => fetchJson("/api/v1/me", meResponseSchema), staleTime: 60_000 });

/** `may(permission, broker?)`: false while loading; without a broker, the permission everywhere. */
export function usePermissions() {
  const query = useQuery(meQueryOptions());
  const may = (permission: Permission, broker?: string): boolean => {
    const me = query.data;
    if (!me) return false;
    if (broker === undefined) return me.global.permissions.includes(permission);
    return me.brokers.find((entry) => entry.name === broker)?.permissions.includes(permission) ?? false;
  };
  return { ...query, may };
}
