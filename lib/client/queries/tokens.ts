// API tokens: list (own, or everyone's for an admin), create (the answer carries the secret once), revoke.
import { queryOptions, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { tokenCreatedSchema, tokenListSchema, tokenRevokedSchema } from "@/lib/api/schemas/tokens";
import { fetchJson } from "../http";

export const tokensQueryOptions = () => queryOptions({ queryKey: ["tokens"], queryFn: () => fetchJson("/api/v1/tokens", tokenListSchema) });

export function useTokens() {
  return useQuery(tokensQueryOptions());
}

export interface NewToken {
  name: string;
  description?: string;
  role: "viewer" | "reader" | "operator" | "admin";
  brokers: string[];
  environments: string[];
  expiresInDays: number;
  serviceAccount?: string;
}

export function useCreateToken() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (token: NewToken) =>
      fetchJson("/api/v1/tokens", tokenCreatedSchema, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(token) }),
    onSettled: () => client.invalidateQueries({ queryKey: ["tokens"] }),
  });
}

export function useRevokeToken() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => fetchJson(`/api/v1/tokens/${encodeURIComponent(id)}`, tokenRevokedSchema, { method: "DELETE" }),
    onSettled: () => client.invalidateQueries({ queryKey: ["tokens"] }),
  });
}
