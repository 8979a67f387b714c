import { HygieneReport } from "@/components/hygiene/hygiene-report";

export default function HygienePage() {
  return <HygieneReport />;
}
