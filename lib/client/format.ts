// Display formatting shared by client components.

const countFormat = new Intl.NumberFormat("en-US");

/** 12345 → "12,345". */
export function formatCount(value: number): string {
  return countFormat.format(value);
}

/** Seconds → "42 s", "5 min", "3 h", "2 d". */
export function formatDuration(seconds: number): string {
  if (seconds < 60) return `${Math.max(0, Math.round(seconds))} s`;
  if (seconds < 3_600) return `${Math.round(seconds / 60)} min`;
  if (seconds < 86_400) return `${Math.round(seconds / 3_600)} h`;
  return `${Math.round(seconds / 86_400)} d`;
}

/** An ISO time as the user's local time, with the UTC time for a tooltip. */
export function formatTime(iso: string): { local: string; utc: string } {
  const date = new Date(iso);
  return {
    local: date.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "medium" }),
    utc: `${date.toISOString().replace("T", " ").replace(/\.\d+Z$/, "")} UTC`,
  };
}
