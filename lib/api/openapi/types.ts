// The shape of one route's entry in the API description (routes.ts), and the few OpenAPI 3.1
// objects the document builder emits and the reference page reads.
import type { z } from "zod";
import type { HttpMethod } from "@/lib/auth/permissions";

/** A success (or other non-error) answer of a route. */
export interface ApiResponse {
  readonly description: string;
  /** The JSON body (application/json). */
  readonly body?: z.ZodType;
  /** Other media types, each with its body's schema (a download, say). */
  readonly content?: Readonly<Record<string, z.ZodType>>;
}

/**
 * Error statuses a route can answer besides the ones the builder adds from the route's shape:
 * 400 (it reads a query or a body), 401 and 403 (it is not public), 404 (it has path parameters).
 */
export type ExtraErrorStatus = 409 | 413 | 422 | 429;

/** One operation (method + path) of the HTTP API. */
export interface ApiRoute {
  readonly method: Exclude<HttpMethod, "HEAD" | "OPTIONS">;
  /** As in ROUTE_PERMISSIONS (lib/auth/permissions.ts): `/api/v1/...` with `:param` segments. */
  readonly path: string;
  /** Unique, camelCase: what generated clients name the call. */
  readonly operationId: string;
  readonly tag: string;
  readonly summary: string;
  /** More than the summary says; the permission sentence is added by the builder. */
  readonly description?: string;
  /** Descriptions of path parameters the builder does not already know (PATH_PARAMETERS in document.ts). */
  readonly params?: Readonly<Record<string, string>>;
  /** The query the handler parses (each property one query parameter). */
  readonly query?: z.ZodObject;
  /** The JSON body the handler parses. */
  readonly body?: z.ZodType;
  readonly responses: Readonly<Partial<Record<200 | 201 | 202, ApiResponse>>>;
  readonly errors?: readonly ExtraErrorStatus[];
}

export type JsonSchema = { readonly [key: string]: unknown };

export interface OpenApiParameter {
  readonly name: string;
  readonly in: "path" | "query";
  readonly required: boolean;
  readonly description?: string;
  readonly schema: JsonSchema;
}

export interface OpenApiMedia {
  readonly schema: JsonSchema;
}

export interface OpenApiResponse {
  readonly description: string;
  readonly content?: Readonly<Record<string, OpenApiMedia>>;
}

export interface OpenApiOperation {
  readonly operationId: string;
  readonly tags: readonly string[];
  readonly summary: string;
  readonly description: string;
  /** The permission from ROUTE_PERMISSIONS ("public", "signed-in" or a permission of lib/auth/roles.ts). */
  readonly "x-permission": string;
  /** The least role that holds it; null for "public" and "signed-in". */
  readonly "x-role": string | null;
  readonly security?: readonly Readonly<Record<string, readonly string[]>>[];
  readonly parameters?: readonly OpenApiParameter[];
  readonly requestBody?: { readonly required: boolean; readonly content: Readonly<Record<string, OpenApiMedia>> };
  readonly responses: Readonly<Record<string, OpenApiResponse>>;
}

export interface OpenApiDocument {
  readonly openapi: "3.1.1";
  readonly info: { readonly title: string; readonly version: string; readonly description: string };
  readonly servers: readonly { readonly url: string; readonly description: string }[];
  readonly tags: readonly { readonly name: string; readonly description: string }[];
  readonly security: readonly Readonly<Record<string, readonly string[]>>[];
  readonly paths: Readonly<Record<string, Readonly<Record<string, OpenApiOperation>>>>;
  readonly components: {
    readonly securitySchemes: Readonly<Record<string, JsonSchema>>;
    readonly schemas: Readonly<Record<string, JsonSchema>>;
  };
}
