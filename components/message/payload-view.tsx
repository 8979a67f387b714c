"use client";

import { useMemo, useState } from "react";
import type { MessageDetailDto } from "@/lib/api/schemas/messages";
import { formatCount } from "@/lib/client/format";
import { formatJson, parseJson } from "@/lib/client/json-source";
import { base64ToBytes, hexDump } from "@/lib/client/payload";
import { CopyButton } from "@/components/ui/copy-button";
import { JsonTree } from "./json-tree";

type Tab = "json" | "text" | "hex";

/** The body as pretty JSON, raw text or hex. Always rendered as text nodes, never as HTML. */
export function PayloadView({ message }: { message: MessageDetailDto }) {
  const tree = useMemo(() => parseJson(message.body.text), [message.body.text]);
  const json = useMemo(() => tree && formatJson(tree), [tree]);
  const hex = useMemo(() => hexDump(base64ToBytes(message.body.base64)), [message.body.base64]);
  const tabs: Tab[] = [...(json !== null ? (["json"] as const) : []), ...(message.body.text !== null ? (["text"] as const) : []), "hex"];
  const [tab, setTab] = useState<Tab>(tabs[0]!);
  const content = tab === "json" ? json! : tab === "text" ? message.body.text! : hex;
  const labels: Record<Tab, string> = { json: "JSON", text: "Text", hex: "Hex" };

  return (
    <section aria-label="Payload" className="rounded border border-zinc-200 bg-white dark:border-zinc-800 dark:bg-zinc-900">
      <div className="flex items-center gap-1 border-b border-zinc-200 px-2 py-1 dark:border-zinc-800" role="tablist">
        {tabs.map((name) => (
          <button
            key={name}
            role="tab"
            type="button"
            aria-selected={tab === name}
            onClick={() => setTab(name)}
            className={`rounded px-2 py-1 text-sm ${tab === name ? "bg-zinc-100 font-medium dark:bg-zinc-800" : "text-zinc-600 hover:bg-zinc-50 dark:text-zinc-400 dark:hover:bg-zinc-800/50"}`}
          >
            {labels[name]}
          </button>
        ))}
        <span className="ml-auto text-xs text-zinc-500">
          {formatCount(message.size)} bytes{message.contentType ? ` · ${message.contentType}` : ""}
          {message.body.truncated ? " · showing the first 1 MiB" : ""}
          {message.body.redacted ? (message.body.text === null ? " · payload withheld for your role (only JSON can be redacted)" : " · redacted for your role") : ""}
        </span>
        <CopyButton text={content} />
        {tab !== "hex" && <CopyButton text={message.body.base64} label="Copy base64" />}
      </div>
      {tab === "json" && tree ? (
        <div role="tabpanel" data-testid="payload">
          <JsonTree value={tree} />
        </div>
      ) : (
        <pre data-testid="payload" role="tabpanel" className="max-h-[32rem] overflow-auto p-3 font-mono text-xs whitespace-pre-wrap break-all">
          {content}
        </pre>
      )}
    </section>
  );
}
