// The HTTP API reference, rendered on the server from the OpenAPI document (no script, so the
// page's CSP has nothing to allow): operations grouped by tag, then every named schema.
import type { JsonSchema, OpenApiDocument, OpenApiOperation, OpenApiResponse } from "@/lib/api/openapi/types";
import { Prose, SchemaView, schemaAnchor } from "./schema-view";

const METHOD_STYLE: Record<string, string> = {
  get: "bg-sky-100 text-sky-800 dark:bg-sky-950 dark:text-sky-300",
  post: "bg-emerald-100 text-emerald-800 dark:bg-emerald-950 dark:text-emerald-300",
  delete: "bg-rose-100 text-rose-800 dark:bg-rose-950 dark:text-rose-300",
};

const cardClass = "rounded border border-zinc-200 bg-white p-4 dark:border-zinc-800 dark:bg-zinc-900";
const headingClass = "mt-3 text-xs font-semibold uppercase tracking-wide text-zinc-500";

interface Entry {
  readonly path: string;
  readonly method: string;
  readonly operation: OpenApiOperation;
}

export const operationAnchor = (operationId: string) => `op-${operationId}`;

function MethodBadge({ method }: { method: string }) {
  return <span className={`inline-block w-16 shrink-0 rounded px-1.5 py-0.5 text-center font-mono text-xs font-semibold uppercase ${METHOD_STYLE[method] ?? "bg-zinc-200 dark:bg-zinc-800"}`}>{method}</span>;
}

/** A $ref to a component, followed once, so a body shows its fields where it is used. */
function resolved(document: OpenApiDocument, schema: JsonSchema): { name: string | null; schema: JsonSchema } {
  const ref = typeof schema.$ref === "string" ? schema.$ref.replace(/^#\/components\/schemas\//, "") : null;
  return ref && document.components.schemas[ref] ? { name: ref, schema: document.components.schemas[ref] } : { name: null, schema };
}

function SchemaName({ name }: { name: string | null }) {
  return name ? <a href={`#${schemaAnchor(name)}`} className="font-mono text-xs text-sky-700 hover:underline dark:text-sky-400">{name}</a> : null;
}

function Permission({ operation }: { operation: OpenApiOperation }) {
  const permission = operation["x-permission"];
  const style = permission === "public" ? "bg-zinc-200 text-zinc-700 dark:bg-zinc-800 dark:text-zinc-300" : "bg-amber-100 text-amber-900 dark:bg-amber-950 dark:text-amber-300";
  return (
    <span data-testid="permission" className={`rounded px-1.5 py-0.5 font-mono text-xs ${style}`}>
      {permission}
      {operation["x-role"] && <span className="font-sans"> · {operation["x-role"]}+</span>}
    </span>
  );
}

function Parameters({ operation }: { operation: OpenApiOperation }) {
  if (!operation.parameters?.length) return null;
  return (
    <>
      <h4 className={headingClass}>Parameters</h4>
      <table className="mt-1 w-full text-left text-sm">
        <tbody>
          {operation.parameters.map((parameter) => (
            <tr key={`${parameter.in}:${parameter.name}`} className="border-t border-zinc-100 align-top dark:border-zinc-800">
              <td className="py-1 pr-3 font-mono font-medium">{parameter.name}</td>
              <td className="py-1 pr-3 text-xs text-zinc-500">{parameter.in}{parameter.required ? ", required" : ""}</td>
              <td className="py-1 pr-3"><SchemaView schema={parameter.schema} /></td>
              <td className="py-1 text-zinc-600 dark:text-zinc-400">{parameter.description && <Prose text={parameter.description} />}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

function RequestBody({ document, operation }: { document: OpenApiDocument; operation: OpenApiOperation }) {
  const media = operation.requestBody && Object.entries(operation.requestBody.content);
  if (!media?.length) return null;
  return (
    <>
      <h4 className={headingClass}>Request body</h4>
      {media.map(([mediaType, { schema }]) => {
        const body = resolved(document, schema);
        return (
          <div key={mediaType} className="mt-1">
            <div className="text-xs text-zinc-500">
              <span className="font-mono">{mediaType}</span> <SchemaName name={body.name} />
            </div>
            <SchemaView schema={body.schema} />
          </div>
        );
      })}
    </>
  );
}

function Response({ document, status, response }: { document: OpenApiDocument; status: string; response: OpenApiResponse }) {
  const media = Object.entries(response.content ?? {});
  const success = /^2/.test(status);
  return (
    <li data-testid="response" className="text-sm">
      <span className={`font-mono font-semibold ${success ? "text-emerald-700 dark:text-emerald-400" : "text-zinc-500"}`}>{status}</span> <span className="text-zinc-700 dark:text-zinc-300">{response.description}</span>
      {media.map(([mediaType, { schema }]) => {
        const body = resolved(document, schema);
        return success ? (
          <details key={mediaType} className="ml-10 mt-0.5">
            <summary className="cursor-pointer text-xs text-zinc-500">
              <span className="font-mono">{mediaType}</span> {body.name ?? "schema"}
            </summary>
            <div className="mt-1"><SchemaView schema={body.schema} /></div>
          </details>
        ) : (
          <span key={mediaType} className="ml-2"><SchemaName name={body.name} /></span>
        );
      })}
    </li>
  );
}

function Operation({ document, entry }: { document: OpenApiDocument; entry: Entry }) {
  const { method, path, operation } = entry;
  return (
    <article id={operationAnchor(operation.operationId)} data-testid="operation" data-operation={`${method.toUpperCase()} ${path}`} className={cardClass}>
      <header className="flex flex-wrap items-center gap-2">
        <MethodBadge method={method} />
        <code className="font-mono text-sm font-medium">{path}</code>
        <span className="ml-auto"><Permission operation={operation} /></span>
      </header>
      <h3 className="mt-2 font-medium">{operation.summary}</h3>
      <div className="mt-1 space-y-1 text-sm text-zinc-700 dark:text-zinc-300"><Prose text={operation.description} /></div>
      <Parameters operation={operation} />
      <RequestBody document={document} operation={operation} />
      <h4 className={headingClass}>Responses</h4>
      <ul className="mt-1 space-y-0.5">
        {Object.entries(operation.responses).map(([status, response]) => <Response key={status} document={document} status={status} response={response} />)}
      </ul>
    </article>
  );
}

/** The whole reference: how to call the API, each operation by tag, each named schema. */
export function ApiReference({ document }: { document: OpenApiDocument }) {
  const entries: Entry[] = Object.entries(document.paths).flatMap(([path, operations]) => Object.entries(operations).map(([method, operation]) => ({ path, method, operation })));
  const byTag = document.tags.map((tag) => ({ ...tag, entries: entries.filter((entry) => entry.operation.tags.includes(tag.name)) })).filter((tag) => tag.entries.length > 0);
  return (
    <div className="space-y-8">
      <section>
        <h1 className="text-xl font-semibold">{document.info.title}</h1>
        <div className="mt-2 max-w-3xl space-y-2 text-sm text-zinc-700 dark:text-zinc-300"><Prose text={document.info.description} /></div>
        <dl className={`mt-4 grid max-w-3xl grid-cols-[max-content_1fr] gap-x-4 gap-y-1 text-sm ${cardClass}`}>
          <dt className="text-zinc-500">Base URL</dt>
          <dd className="font-mono">{document.servers[0]?.url}</dd>
          <dt className="text-zinc-500">OpenAPI 3.1</dt>
          <dd><a href="/api/v1/openapi.json" className="font-mono text-sky-700 hover:underline dark:text-sky-400">/api/v1/openapi.json</a></dd>
          {Object.entries(document.components.securitySchemes).map(([name, scheme]) => (
            <div key={name} className="contents">
              <dt className="text-zinc-500">{name}</dt>
              <dd>
                <span className="font-mono">{scheme.type === "apiKey" ? `cookie ${String(scheme.name)}` : `Authorization: ${String(scheme.scheme)}`}</span>
                {typeof scheme.description === "string" && <Prose text={scheme.description} className="text-xs text-zinc-600 dark:text-zinc-400" />}
              </dd>
            </div>
          ))}
        </dl>
      </section>

      <nav aria-label="Operations" className="grid gap-4 sm:grid-cols-2 lg:grid-cols-3">
        {byTag.map((tag) => (
          <div key={tag.name}>
            <a href={`#tag-${tag.name.replace(/\s+/g, "-")}`} className="text-sm font-semibold hover:underline">{tag.name}</a>
            <ul className="mt-1 space-y-0.5">
              {tag.entries.map(({ method, path, operation }) => (
                <li key={operation.operationId} className="flex items-center gap-2 text-xs">
                  <MethodBadge method={method} />
                  <a href={`#${operationAnchor(operation.operationId)}`} className="truncate font-mono hover:underline">{path.replace(/^\/api\/v1/, "")}</a>
                </li>
              ))}
            </ul>
          </div>
        ))}
      </nav>

      {byTag.map((tag) => (
        <section key={tag.name} id={`tag-${tag.name.replace(/\s+/g, "-")}`} className="space-y-3">
          <h2 className="text-lg font-semibold">{tag.name}</h2>
          <p className="text-sm text-zinc-600 dark:text-zinc-400">{tag.description}</p>
          {tag.entries.map((entry) => <Operation key={entry.operation.operationId} document={document} entry={entry} />)}
        </section>
      ))}

      <section className="space-y-3">
        <h2 className="text-lg font-semibold">Schemas</h2>
        {Object.entries(document.components.schemas).map(([name, schema]) => (
          <div key={name} id={schemaAnchor(name)} data-testid="schema" className={cardClass}>
            <h3 className="font-mono text-sm font-semibold">{name}</h3>
            <SchemaView schema={schema} />
          </div>
        ))}
      </section>
    </div>
  );
}
