// A JSON Schema (2020-12, as the OpenAPI document holds it) as nested property lists, rendered on
// the server. Named components are links to their own section, so recursion stops at a $ref.
import type { ReactNode } from "react";
import type { JsonSchema } from "@/lib/api/openapi/types";

type Schema = JsonSchema & {
  $ref?: string;
  type?: string | string[];
  format?: string;
  description?: string;
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: Schema | boolean;
  items?: Schema;
  oneOf?: Schema[];
  anyOf?: Schema[];
  enum?: unknown[];
  const?: unknown;
  default?: unknown;
};

const CONSTRAINTS: readonly [key: string, label: string][] = [
  ["minLength", "min length"],
  ["maxLength", "max length"],
  ["minimum", "≥"],
  ["maximum", "≤"],
  ["minItems", "min items"],
  ["maxItems", "max items"],
  ["pattern", "pattern"],
];

export const schemaAnchor = (name: string) => `schema-${name}`;
const refName = (ref: string) => ref.replace(/^#\/components\/schemas\//, "");

/** Backticked spans of the document's descriptions as code. */
export function Prose({ text, className = "" }: { text: string; className?: string }) {
  return (
    <>
      {text.split("\n\n").map((paragraph, index) => (
        <p key={index} className={className}>
          {paragraph.split("`").map((part, partIndex) => (partIndex % 2 === 1 ? <code key={partIndex} className="rounded bg-zinc-100 px-1 font-mono text-[0.85em] dark:bg-zinc-800">{part}</code> : part))}
        </p>
      ))}
    </>
  );
}

/** `X | null` unions read as X, nullable. */
function withoutNull(schema: Schema): { schema: Schema; nullable: boolean } {
  const variants = schema.anyOf ?? schema.oneOf;
  if (variants?.length === 2) {
    const other = variants.find((variant) => variant.type !== "null");
    if (other && variants.some((variant) => variant.type === "null")) return { schema: { ...other, description: schema.description ?? other.description, default: schema.default ?? other.default }, nullable: true };
  }
  return { schema, nullable: false };
}

function TypeLabel({ schema }: { schema: Schema }): ReactNode {
  if (schema.$ref) {
    const name = refName(schema.$ref);
    return <a href={`#${schemaAnchor(name)}`} className="font-mono text-sky-700 hover:underline dark:text-sky-400">{name}</a>;
  }
  if (schema.const !== undefined) return <code className="font-mono">{JSON.stringify(schema.const)}</code>;
  if (schema.enum) return <span className="font-mono">{schema.enum.map((value) => JSON.stringify(value)).join(" | ")}</span>;
  if (schema.type === "array" && schema.items) return <>array of <TypeLabel schema={schema.items} /></>;
  if (schema.oneOf || schema.anyOf) return <span>one of</span>;
  if (schema.type === "object" && !schema.properties && typeof schema.additionalProperties === "object") return <>map of <TypeLabel schema={schema.additionalProperties} /></>;
  const type = Array.isArray(schema.type) ? schema.type.join(" | ") : (schema.type ?? "any");
  return <span className="font-mono">{schema.format ? `${type} (${schema.format})` : type}</span>;
}

function Facts({ schema }: { schema: Schema }) {
  const facts = CONSTRAINTS.filter(([key]) => schema[key] !== undefined).map(([key, label]) => `${label} ${String(schema[key])}`);
  if (schema.default !== undefined) facts.push(`default ${JSON.stringify(schema.default)}`);
  if (facts.length === 0) return null;
  return <span className="ml-2 text-xs text-zinc-500">{facts.join(" · ")}</span>;
}

/** What is inside a schema beyond its one-line label: properties, array items' properties, variants. */
function Inner({ schema, depth }: { schema: Schema; depth: number }): ReactNode {
  if (schema.$ref) return null;
  if (schema.properties) return <Properties schema={schema} depth={depth} />;
  if (schema.type === "array" && schema.items) return <Inner schema={schema.items} depth={depth} />;
  if (schema.type === "object" && typeof schema.additionalProperties === "object") return <Inner schema={schema.additionalProperties} depth={depth} />;
  const variants = schema.oneOf ?? schema.anyOf;
  if (!variants) return null;
  return (
    <ol className="mt-1 space-y-1 border-l-2 border-dashed border-zinc-300 pl-3 dark:border-zinc-700">
      {variants.map((variant, index) => (
        <li key={index} className="text-sm">
          <TypeLabel schema={variant} />
          <Facts schema={variant} />
          {variant.description && <Prose text={variant.description} className="text-xs text-zinc-600 dark:text-zinc-400" />}
          <Inner schema={variant} depth={depth + 1} />
        </li>
      ))}
    </ol>
  );
}

function Properties({ schema, depth }: { schema: Schema; depth: number }) {
  const required = new Set(schema.required ?? []);
  return (
    <ul className={`mt-1 space-y-1 ${depth > 0 ? "border-l border-zinc-200 pl-3 dark:border-zinc-800" : ""}`}>
      {Object.entries(schema.properties ?? {}).map(([name, property]) => {
        const { schema: shown, nullable } = withoutNull(property);
        return (
          <li key={name} className="text-sm">
            <span className="font-mono font-medium">{name}</span>
            {required.has(name) ? <span className="ml-1 text-xs text-rose-700 dark:text-rose-400">required</span> : <span className="ml-1 text-xs text-zinc-500">optional</span>}
            <span className="ml-2 text-zinc-600 dark:text-zinc-400">
              <TypeLabel schema={shown} />
              {nullable && " | null"}
            </span>
            <Facts schema={shown} />
            {shown.description && <Prose text={shown.description} className="text-xs text-zinc-600 dark:text-zinc-400" />}
            <Inner schema={shown} depth={depth + 1} />
          </li>
        );
      })}
    </ul>
  );
}

/** One schema: its type on a line, then what it holds. */
export function SchemaView({ schema }: { schema: JsonSchema }) {
  const { schema: shown, nullable } = withoutNull(schema as Schema);
  return (
    <div className="text-sm">
      {!shown.properties && (
        <div className="text-zinc-600 dark:text-zinc-400">
          <TypeLabel schema={shown} />
          {nullable && " | null"}
          <Facts schema={shown} />
        </div>
      )}
      {shown.description && <Prose text={shown.description} className="text-xs text-zinc-600 dark:text-zinc-400" />}
      <Inner schema={shown} depth={0} />
    </div>
  );
}
