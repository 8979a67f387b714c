import { QueueOverview } from "@/components/overview/queue-overview";

export default function HomePage() {
  return <QueueOverview />;
}
