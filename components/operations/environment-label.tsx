import { isProduction } from "@/lib/client/overview-rows";

/** The broker's environment label; red for production, so nobody purges prod by mistake. */
export function EnvironmentLabel({ broker, environment }: { broker: string; environment: string | null }) {
  const prod = isProduction(environment);
  return (
    <span
      data-testid="environment-label"
      className={`rounded px-2 py-0.5 text-xs font-semibold ${prod ? "bg-red-600 text-white" : "bg-zinc-200 text-zinc-800 dark:bg-zinc-800 dark:text-zinc-200"}`}
    >
      {broker} · {environment ?? "no environment label"}
    </span>
  );
}
