// The package ships no types; its one export parses Prometheus exposition text into metric families.
declare module "parse-prometheus-text-format" {
  export default function parsePrometheusTextFormat(text: string): unknown[];
}
