"use client";

import { useMemo, useState, type ReactNode } from "react";
import { formatCount } from "@/lib/client/format";
import { scalarText, type JsonNode as Json } from "@/lib/client/json-source";

/** Children of a container node with their path segment and key (null for array items). */
function childrenOf(node: Json): (readonly [string | null, string, Json])[] {
  if (node.t === "arr") return node.items.map((item, index) => [null, String(index), item] as const);
  if (node.t === "obj") return node.entries.map(([key, item], index) => [key, `${index}`, item] as const);
  return [];
}

/** Paths ("/0/2", by child position) whose key or value, or anything below them, contains the query. */
export function matchingPaths(value: Json, query: string): { paths: Set<string>; matches: number } {
  const paths = new Set<string>();
  let matches = 0;
  const needle = query.toLowerCase();
  const visit = (node: Json, path: string, key: string | null): boolean => {
    let found = key !== null && key.toLowerCase().includes(needle);
    if (found) matches++;
    if (node.t === "arr" || node.t === "obj") {
      for (const [childKey, segment, child] of childrenOf(node)) {
        if (visit(child, `${path}/${segment}`, childKey)) found = true;
      }
    } else if (scalarText(node).toLowerCase().includes(needle)) {
      matches++;
      found = true;
    }
    if (found) paths.add(path);
    return found;
  };
  if (needle) visit(value, "", null);
  return { paths, matches };
}

/** Text with each case-insensitive occurrence of the query marked; text nodes only, never HTML. */
function Highlight({ text, query }: { text: string; query: string }): ReactNode {
  if (!query) return text;
  const parts: ReactNode[] = [];
  const lower = text.toLowerCase();
  const needle = query.toLowerCase();
  let at = 0;
  for (let index = lower.indexOf(needle); index !== -1; index = lower.indexOf(needle, at)) {
    if (index > at) parts.push(text.slice(at, index));
    parts.push(<mark key={index} className="rounded bg-yellow-200 text-inherit dark:bg-yellow-700">{text.slice(index, index + needle.length)}</mark>);
    at = index + needle.length;
  }
  parts.push(text.slice(at));
  return parts;
}

function Scalar({ value, query }: { value: Json; query: string }) {
  const text = <Highlight text={scalarText(value)} query={query} />;
  if (value.t === "null") return <span className="text-zinc-500">{text}</span>;
  if (value.t === "str") return <span className="text-emerald-700 dark:text-emerald-400">&quot;{text}&quot;</span>;
  if (value.t === "num") return <span className="text-sky-700 dark:text-sky-400">{text}</span>;
  return <span className="text-violet-700 dark:text-violet-400">{text}</span>;
}

interface NodeProps {
  readonly name: string | null;
  readonly value: Json;
  readonly path: string;
  readonly depth: number;
  readonly query: string;
  readonly matches: Set<string>;
  /** Bumped by "expand all" / "collapse all" to reset every node. */
  readonly generation: { readonly open: boolean | null; readonly id: number };
  readonly last: boolean;
}

function JsonNode({ name, value, path, depth, query, matches, generation, last }: NodeProps) {
  const [state, setState] = useState<{ open: boolean; generation: number } | null>(null);
  const isContainer = value.t === "arr" || value.t === "obj";
  const defaultOpen = generation.open ?? depth < 2;
  // A node opens by itself while the search matches something inside it.
  const open = (query && matches.has(path)) || (state && state.generation === generation.id ? state.open : defaultOpen);
  const label = name !== null && (
    <>
      <span className="text-zinc-700 dark:text-zinc-300">&quot;<Highlight text={name} query={query} />&quot;</span>
      <span className="text-zinc-500">: </span>
    </>
  );
  const comma = last ? null : <span className="text-zinc-500">,</span>;
  if (!isContainer) {
    return (
      <div style={{ paddingLeft: depth * 14 }}>
        {label}
        <Scalar value={value} query={query} />
        {comma}
      </div>
    );
  }
  const entries = childrenOf(value);
  const isArray = value.t === "arr";
  const [opener, closer] = isArray ? ["[", "]"] : ["{", "}"];
  return (
    <div>
      <div style={{ paddingLeft: depth * 14 }}>
        <button
          type="button"
          aria-expanded={!!open}
          aria-label={`${open ? "Collapse" : "Expand"} ${name ?? "root"}`}
          onClick={() => setState({ open: !open, generation: generation.id })}
          className="mr-1 inline-block w-3 text-zinc-500 hover:text-zinc-900 dark:hover:text-zinc-100"
        >
          {open ? "▾" : "▸"}
        </button>
        {label}
        <span className="text-zinc-500">{opener}</span>
        {!open && (
          <span className="text-zinc-500">
            {" "}
            {formatCount(entries.length)} {isArray ? "items" : "keys"} {closer}
            {comma}
          </span>
        )}
      </div>
      {open && (
        <>
          {entries.map(([key, segment, item], index) => (
            <JsonNode key={segment} name={key} value={item} path={`${path}/${segment}`} depth={depth + 1} query={query} matches={matches} generation={generation} last={index === entries.length - 1} />
          ))}
          <div style={{ paddingLeft: depth * 14 + 16 }} className="text-zinc-500">
            {closer}
            {comma}
          </div>
        </>
      )}
    </div>
  );
}

/** A JSON payload as a collapsible tree with search; every key and value is a text node. */
export function JsonTree({ value }: { value: Json }) {
  const [query, setQuery] = useState("");
  const [generation, setGeneration] = useState<{ open: boolean | null; id: number }>({ open: null, id: 0 });
  const { paths, matches } = useMemo(() => matchingPaths(value, query.trim()), [value, query]);
  return (
    <div>
      <div className="flex flex-wrap items-center gap-2 border-b border-zinc-200 px-3 py-1.5 text-xs dark:border-zinc-800">
        <input
          type="search"
          aria-label="Search the payload"
          placeholder="Search keys and values"
          value={query}
          onChange={(event) => setQuery(event.target.value)}
          className="w-64 rounded border border-zinc-300 bg-white px-2 py-0.5 dark:border-zinc-700 dark:bg-zinc-900"
        />
        {query.trim() && <span data-testid="payload-matches" className="text-zinc-500">{formatCount(matches)} {matches === 1 ? "match" : "matches"}</span>}
        <button type="button" onClick={() => setGeneration(({ id }) => ({ open: true, id: id + 1 }))} className="ml-auto rounded px-1.5 py-0.5 hover:bg-zinc-100 dark:hover:bg-zinc-800">Expand all</button>
        <button type="button" onClick={() => setGeneration(({ id }) => ({ open: false, id: id + 1 }))} className="rounded px-1.5 py-0.5 hover:bg-zinc-100 dark:hover:bg-zinc-800">Collapse all</button>
      </div>
      <div data-testid="payload-tree" className="max-h-[32rem] overflow-auto p-3 font-mono text-xs break-all">
        <JsonNode name={null} value={value} path="" depth={0} query={query.trim()} matches={paths} generation={generation} last />
      </div>
    </div>
  );
}
