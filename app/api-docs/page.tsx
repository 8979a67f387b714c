import { ApiReference } from "@/components/api-docs/api-reference";
import { openApiDocument } from "@/lib/api/openapi/document";

export const metadata = { title: "HTTP API · Dead-letter console" };
// Built per request from this process's configuration (PUBLIC_URL, Secure cookies), not at build time.
export const dynamic = "force-dynamic";

export default function ApiDocsPage() {
  return <ApiReference document={openApiDocument()} />;
}
