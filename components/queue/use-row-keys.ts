"use client";

import { useEffect, type RefObject } from "react";
import { isTyping } from "@/components/ui/keyboard-help";

interface RowKeys {
  /** Rows in the table now. */
  readonly count: number;
  readonly selectedIndex: number;
  setSelectedIndex(update: (index: number) => number): void;
  /** Open the row at this index (Enter). */
  open(index: number): void;
  readonly searchRef: RefObject<HTMLInputElement | null>;
  /** Esc outside a text field: clear the filters. */
  onEscape(): void;
}

/** The on-call shortcuts of a message table: j/k to move, Enter to open, / to search, Esc to clear. */
export function useRowKeys({ count, selectedIndex, setSelectedIndex, open, searchRef, onEscape }: RowKeys): void {
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (isTyping(event)) {
        if (event.key === "Escape") (event.target as HTMLElement).blur();
        return;
      }
      if (event.key === "j") setSelectedIndex((index) => Math.min(count - 1, index + 1));
      else if (event.key === "k") setSelectedIndex((index) => Math.max(0, index - 1));
      else if (event.key === "Enter" && selectedIndex >= 0 && selectedIndex < count) open(selectedIndex);
      else if (event.key === "/") {
        event.preventDefault();
        searchRef.current?.focus();
      } else if (event.key === "Escape") onEscape();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [count, selectedIndex, setSelectedIndex, open, searchRef, onEscape]);
}
