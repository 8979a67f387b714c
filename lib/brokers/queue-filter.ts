// Include / exclude glob patterns from the brokers file, applied to DLQ names.
import type { QueueFilter } from "@/lib/config";

const globCache = new Map<string, RegExp>();

/** A glob where `*` matches any run of characters and `?` one character; everything else is literal. */
function globToRegExp(glob: string): RegExp {
  let pattern = globCache.get(glob);
  if (!pattern) {
    const source = glob
      .split("")
      .map((char) => (char === "*" ? ".*" : char === "?" ? "." : char.replace(/[.+^${}()|[\]\\]/g, "\\$&")))
      .join("");
    pattern = new RegExp(`^${source}$`);
    globCache.set(glob, pattern);
  }
  return pattern;
}

/** True when the queue name is included and not excluded. */
export function queueMatches(name: string, filter: QueueFilter): boolean {
  const included = filter.include.some((glob) => globToRegExp(glob).test(name));
  return included && !filter.exclude.some((glob) => globToRegExp(glob).test(name));
}
