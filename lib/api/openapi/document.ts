// Builds the OpenAPI 3.1 document of /api/v1 from the route entries (routes.ts), the zod schemas
// they name (z.toJSONSchema, JSON Schema 2020-12 as OpenAPI 3.1 uses it) and the permission table.
import { z } from "zod";
import { ROUTE_PERMISSIONS, type RouteRule } from "@/lib/auth/permissions";
import { PERMISSIONS } from "@/lib/auth/roles";
import { getConfig } from "@/lib/config";
import { REQUEST_COMPONENTS, RESPONSE_COMPONENTS } from "./components";
import { API_ROUTES, API_TAGS } from "./routes";
import type { ApiRoute, JsonSchema, OpenApiDocument, OpenApiOperation, OpenApiParameter, OpenApiResponse } from "./types";

/** Path parameters most routes share; a route describes its others (`params`). */
const PATH_PARAMETERS: Readonly<Record<string, string>> = {
  broker: "The broker's name, as in the brokers file.",
  queue: "The DLQ's id, as the broker names it (URL-encode it: ids can hold `/`).",
};

const ERROR_RESPONSES: Readonly<Record<number | "default", string>> = {
  400: "Invalid request (code bad-request): details lists each problem as { path, message }.",
  401: "No valid session cookie or API token (code unauthenticated).",
  403: "The caller's grants do not give the permission here (code forbidden).",
  404: "No such broker, queue or item (code not-found).",
  409: "Conflict (code conflict): the operationId was used for a different request, another operation holds these messages, or the job's state does not allow this.",
  413: "The body is larger than the console reads (code payload-too-large).",
  422: "Valid, but refused (code unprocessable): a reason or ticket is required on this environment, the broker refuses the message, or the plan is blocked.",
  429: "Rate limited (code rate-limited).",
  default: "Any other failure, in the same envelope: 500 internal (the message names an id in the server log), 502 broker-error, 503 broker-unavailable.",
};

/** better-auth's session cookie for the cookiePrefix set in lib/auth/server.ts; `__Secure-` when cookies are Secure. */
export function sessionCookieName(secure: boolean): string {
  return `${secure ? "__Secure-" : ""}dlc.session_token`;
}

export interface DocumentOptions {
  /** Where the console is served (PUBLIC_URL). */
  readonly serverUrl: string;
  readonly sessionCookie: string;
}

const schemaRef = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const pascal = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);
/** `/api/v1/jobs/:id` → `/api/v1/jobs/{id}`. */
export const openApiPath = (pattern: string) => pattern.replace(/:([A-Za-z0-9_]+)/g, "{$1}");
const pathParameterNames = (pattern: string) => [...pattern.matchAll(/:([A-Za-z0-9_]+)/g)].map((match) => match[1]!);

/** The zod → JSON Schema settings: 2020-12 is OpenAPI 3.1's dialect. */
function conversion(io: "input" | "output") {
  return {
    target: "draft-2020-12" as const,
    io,
    override: ({ jsonSchema }: { jsonSchema: Record<string, unknown> }) => {
      // The format says it; zod's long regular expressions for ISO dates and base64 only clutter.
      if ((jsonSchema.format === "date-time" || jsonSchema.format === "base64") && "pattern" in jsonSchema) delete jsonSchema.pattern;
      // Likewise the safe-integer range zod gives every int(): "integer" says it.
      if (jsonSchema.maximum === Number.MAX_SAFE_INTEGER) delete jsonSchema.maximum;
      if (jsonSchema.minimum === Number.MIN_SAFE_INTEGER) delete jsonSchema.minimum;
      // zod closes every object of an output schema; the API promises its fields, not that none
      // are ever added, so clients should not be told to reject new ones.
      if (io === "output" && jsonSchema.additionalProperties === false) delete jsonSchema.additionalProperties;
    },
  };
}

/** Each registered schema as a component, refs between them as #/components/schemas/<id>. */
function convertRegistry(registry: z.core.$ZodRegistry<{ id: string }>, io: "input" | "output"): Record<string, JsonSchema> {
  const { schemas } = z.toJSONSchema(registry, { ...conversion(io), uri: (id) => schemaRef(id).$ref });
  if ("__shared" in schemas) throw new Error("a recursive schema has no name: add it to lib/api/openapi/components.ts");
  return Object.fromEntries(Object.entries(schemas).map(([id, { $schema: _dialect, $id: _id, ...schema }]) => [id, schema]));
}

function ruleOf(route: ApiRoute): RouteRule {
  const rule = ROUTE_PERMISSIONS.find((candidate) => candidate.method === route.method && candidate.pattern === route.path);
  if (!rule) throw new Error(`${route.method} ${route.path} has no row in ROUTE_PERMISSIONS (lib/auth/permissions.ts)`);
  return rule;
}

/** The sentence a reader needs: which permission, which role holds it, on which broker. */
function permissionSentence(rule: RouteRule): string {
  if (rule.permission === "public") return "Public: no session or token needed.";
  if (rule.permission === "signed-in") return "Needs `signed-in`: a session or API token, any role.";
  const scope = {
    path: `on the broker in the path (\`${"param" in rule.broker ? rule.broker.param : ""}\`)`,
    query: `on the broker named by the \`${"param" in rule.broker ? rule.broker.param : ""}\` query parameter`,
    operation: "on the operation's broker (an unknown id: on every broker)",
    job: "on the job's broker (an unknown id: on every broker)",
    body: `on the broker named by the body's \`${"field" in rule.broker ? rule.broker.field : ""}\` field`,
    any: "on at least one broker (the answer covers only brokers the caller may view)",
    none: "on every broker and environment (an unscoped grant)",
  }[rule.broker.from];
  return `Needs \`${rule.permission}\` (role ${PERMISSIONS[rule.permission]} or above) ${scope}.`;
}

function pathParameters(route: ApiRoute): OpenApiParameter[] {
  return pathParameterNames(route.path).map((name) => {
    const description = route.params?.[name] ?? PATH_PARAMETERS[name];
    if (!description) throw new Error(`${route.method} ${route.path}: describe the path parameter "${name}" (params)`);
    return { name, in: "path", required: true, description, schema: { type: "string" } };
  });
}

function queryParameters(route: ApiRoute): OpenApiParameter[] {
  if (!route.query) return [];
  const json = z.toJSONSchema(route.query, conversion("input")) as { properties?: Record<string, JsonSchema>; required?: string[] };
  return Object.entries(json.properties ?? {}).map(([name, { description, ...schema }]) => ({
    name,
    in: "query",
    required: json.required?.includes(name) ?? false,
    ...(typeof description === "string" ? { description } : {}),
    schema,
  }));
}

/** Each success status's media types with their schemas. */
function successMedia(route: ApiRoute) {
  return Object.entries(route.responses).flatMap(([status, response]) => {
    const content = { ...(response!.body ? { "application/json": response!.body } : {}), ...response!.content };
    return Object.entries(content).map(([mediaType, schema]) => ({ status, mediaType, schema }));
  });
}

function errorStatuses(route: ApiRoute, rule: RouteRule): number[] {
  const statuses = new Set<number>(route.errors ?? []);
  if (route.query || route.body) statuses.add(400);
  if (rule.permission !== "public") statuses.add(401);
  // Any session may read a signed-in route; a mutation is still refused for a foreign Origin.
  if (rule.permission !== "public" && (rule.permission !== "signed-in" || route.method !== "GET")) statuses.add(403);
  if (pathParameterNames(route.path).length > 0) statuses.add(404);
  return [...statuses].sort((a, b) => a - b);
}

function checkRoutes(routes: readonly ApiRoute[]): void {
  const tags = new Set<string>(API_TAGS.map((tag) => tag.name));
  const ids = new Set<string>();
  for (const route of routes) {
    if (!tags.has(route.tag)) throw new Error(`${route.operationId}: unknown tag "${route.tag}" (API_TAGS in routes.ts)`);
    if (ids.has(route.operationId)) throw new Error(`operationId ${route.operationId} is used twice`);
    ids.add(route.operationId);
  }
}

/** The OpenAPI 3.1 document of these routes. */
export function buildOpenApiDocument(options: DocumentOptions, routes: readonly ApiRoute[] = API_ROUTES): OpenApiDocument {
  checkRoutes(routes);
  const requests = z.registry<{ id: string }>();
  const responses = z.registry<{ id: string }>();
  for (const [id, schema] of Object.entries(REQUEST_COMPONENTS)) requests.add(schema, { id });
  for (const [id, schema] of Object.entries(RESPONSE_COMPONENTS)) responses.add(schema, { id });
  const nameIn = (registry: z.core.$ZodRegistry<{ id: string }>, schema: z.ZodType, id: string) => {
    if (!registry.has(schema)) registry.add(schema, { id });
    return registry.get(schema)!.id;
  };

  const operations = routes.map((route) => {
    const rule = ruleOf(route);
    const bodyName = route.body && nameIn(requests, route.body, `${pascal(route.operationId)}Request`);
    const media = successMedia(route);
    // One answer schema: <Operation>Response; several: each by status and media type.
    const several = new Set(media.map((entry) => entry.schema)).size > 1;
    const responseName = (status: string, mediaType: string) => `${pascal(route.operationId)}Response${several ? `${status}${pascal(mediaType.replace(/^.*\//, "").replace(/[^A-Za-z0-9]/g, ""))}` : ""}`;
    const responsesOut: Record<string, OpenApiResponse> = {};
    for (const [status, response] of Object.entries(route.responses)) {
      const content = Object.fromEntries(
        media.filter((entry) => entry.status === status).map(({ mediaType, schema }) => [mediaType, { schema: schemaRef(nameIn(responses, schema, responseName(status, mediaType))) }]),
      );
      responsesOut[status] = { description: response!.description, ...(Object.keys(content).length > 0 ? { content } : {}) };
    }
    for (const status of errorStatuses(route, rule)) {
      const originNote = status === 403 && route.method !== "GET" ? " With the session cookie, also when the Origin header is not the console's own." : "";
      responsesOut[status] = { description: `${ERROR_RESPONSES[status]!}${originNote}`, content: { "application/json": { schema: schemaRef("Error") } } };
    }
    responsesOut.default = { description: ERROR_RESPONSES.default, content: { "application/json": { schema: schemaRef("Error") } } };

    const parameters = [...pathParameters(route), ...queryParameters(route)];
    const operation: OpenApiOperation = {
      operationId: route.operationId,
      tags: [route.tag],
      summary: route.summary,
      description: [route.description, permissionSentence(rule)].filter(Boolean).join("\n\n"),
      "x-permission": rule.permission,
      "x-role": rule.permission === "public" || rule.permission === "signed-in" ? null : PERMISSIONS[rule.permission],
      ...(rule.permission === "public" ? { security: [] } : {}),
      ...(parameters.length > 0 ? { parameters } : {}),
      ...(bodyName ? { requestBody: { required: true, content: { "application/json": { schema: schemaRef(bodyName) } } } } : {}),
      responses: responsesOut,
    };
    return { path: openApiPath(route.path), method: route.method.toLowerCase(), operation };
  });

  const paths: Record<string, Record<string, OpenApiOperation>> = {};
  for (const { path, method, operation } of operations) (paths[path] ??= {})[method] = operation;

  const requestSchemas = convertRegistry(requests, "input");
  const responseSchemas = convertRegistry(responses, "output");
  for (const name of Object.keys(requestSchemas).filter((id) => id in responseSchemas)) {
    if (JSON.stringify(requestSchemas[name]) !== JSON.stringify(responseSchemas[name])) throw new Error(`component ${name} differs between requests and responses: name it in one list only (components.ts)`);
  }

  return {
    openapi: "3.1.1",
    info: {
      title: "Dead-letter console API",
      version: "v1",
      description: [
        "The HTTP API the console's own pages use: dead-letter queues of Azure Service Bus, Amazon SQS and RabbitMQ; read, replay, edit, purge; bulk replay jobs; alerts, hygiene and the audit log.",
        "Authenticate with the session cookie of a signed-in browser or with an API token (`Authorization: Bearer <token>`). Each operation names the permission it needs (`x-permission`); roles are scoped per broker and environment. Mutations sent with the session cookie must carry the console's own `Origin` header.",
        "Errors share one envelope: `{ error: { code, message, details } }`.",
      ].join("\n\n"),
    },
    servers: [{ url: options.serverUrl, description: "This console (PUBLIC_URL)" }],
    tags: API_TAGS.map(({ name, description }) => ({ name, description })),
    security: [{ sessionCookie: [] }, { apiToken: [] }],
    paths,
    components: {
      securitySchemes: {
        sessionCookie: { type: "apiKey", in: "cookie", name: options.sessionCookie, description: "The session of a signed-in browser (sign in at /signin)." },
        apiToken: { type: "http", scheme: "bearer", description: "An API token, sent as `Authorization: Bearer <token>`." },
      },
      schemas: { ...requestSchemas, ...responseSchemas },
    },
  };
}

let served: { readonly key: string; readonly document: OpenApiDocument } | null = null;

/** The document for this console's configuration, built once per process. */
export function openApiDocument(): OpenApiDocument {
  const { publicUrl, auth } = getConfig();
  const options = { serverUrl: publicUrl.replace(/\/+$/, ""), sessionCookie: sessionCookieName(auth.secureCookies) };
  const key = JSON.stringify(options);
  if (served?.key !== key) served = { key, document: buildOpenApiDocument(options) };
  return served.document;
}
