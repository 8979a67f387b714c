"use client";

import { useEffect, useState } from "react";

/** Whole seconds since a timestamp (ms), ticking every second; null before the first value. */
export function useSecondsSince(timestamp: number | null): number | null {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1_000);
    return () => clearInterval(timer);
  }, []);
  return timestamp ? Math.max(0, Math.floor((now - timestamp) / 1_000)) : null;
}
