"use client";

import { useEffect, useState } from "react";

const SHORTCUTS: ReadonlyArray<readonly [string, string]> = [
  ["j / k", "next / previous message"],
  ["Enter", "open the selected message"],
  ["/", "search"],
  ["Esc", "clear the search, close this help, or go back"],
  ["?", "show these shortcuts"],
];

/** True when a key press belongs to a text field rather than to the page's shortcuts. */
export function isTyping(event: KeyboardEvent): boolean {
  const target = event.target as HTMLElement | null;
  return !!target && (target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName));
}

/** The "?" overlay listing the keyboard shortcuts. */
export function KeyboardHelp() {
  const [open, setOpen] = useState(false);
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.key === "?" && !isTyping(event)) setOpen((value) => !value);
      else if (event.key === "Escape") setOpen(false);
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);
  if (!open) return null;
  return (
    <div role="dialog" aria-label="Keyboard shortcuts" className="fixed inset-0 z-50 flex items-center justify-center bg-black/40" onClick={() => setOpen(false)}>
      <div className="rounded-lg bg-white p-5 shadow-xl dark:bg-zinc-900" onClick={(event) => event.stopPropagation()}>
        <h2 className="mb-3 font-semibold">Keyboard shortcuts</h2>
        <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-1 text-sm">
          {SHORTCUTS.map(([keys, action]) => (
            <div key={keys} className="contents">
              <dt><kbd className="rounded border border-zinc-300 px-1.5 font-mono text-xs dark:border-zinc-700">{keys}</kbd></dt>
              <dd>{action}</dd>
            </div>
          ))}
        </dl>
      </div>
    </div>
  );
}
