import { AuditView } from "@/components/audit/audit-view";

export const metadata = { title: "Audit log · Dead-letter console" };

export default function AuditPage() {
  return <AuditView />;
}
