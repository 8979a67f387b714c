import type { PropertyDto } from "@/lib/api/schemas/messages";

/** A typed property value, as text. */
export function propertyText(value: PropertyDto): string {
  switch (value.type) {
    case "string":
      return value.value;
    case "number":
    case "boolean":
      return String(value.value);
    case "bigint":
      return value.value;
    case "null":
      return "null";
    case "date":
      return value.value;
    case "binary":
      return `(${value.size} bytes) ${value.base64}`;
    case "list":
      return `[${value.items.map(propertyText).join(", ")}]`;
    case "map":
      return `{${Object.entries(value.entries).map(([key, item]) => `${key}: ${propertyText(item)}`).join(", ")}}`;
  }
}

export function PropertiesTable({ title, properties }: { title: string; properties: Record<string, PropertyDto> }) {
  const entries = Object.entries(properties).sort(([a], [b]) => a.localeCompare(b));
  return (
    <section aria-label={title} className="rounded border border-zinc-200 bg-white dark:border-zinc-800 dark:bg-zinc-900">
      <h2 className="border-b border-zinc-200 px-3 py-2 text-sm font-medium dark:border-zinc-800">{title}</h2>
      {entries.length === 0 ? (
        <p className="px-3 py-2 text-sm text-zinc-500">None.</p>
      ) : (
        <table className="w-full text-xs">
          <tbody>
            {entries.map(([key, value]) => (
              <tr key={key} className="border-b border-zinc-100 last:border-0 dark:border-zinc-800">
                <th scope="row" className="w-1/3 px-3 py-1.5 text-left align-top font-mono font-normal text-zinc-600 dark:text-zinc-400">{key}</th>
                <td className="px-3 py-1.5 font-mono break-all">
                  {propertyText(value)}
                  <span className="ml-2 text-[10px] text-zinc-400">{value.type}</span>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
