import { JobsList } from "@/components/jobs/jobs-list";

export const metadata = { title: "Jobs · Dead-letter console" };

export default function JobsPage() {
  return <JobsList />;
}
