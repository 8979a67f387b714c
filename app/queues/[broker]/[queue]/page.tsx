import { QueueView } from "@/components/queue/queue-view";

export default async function QueuePage({ params }: { params: Promise<{ broker: string; queue: string }> }) {
  const { broker, queue } = await params;
  return <QueueView broker={decodeURIComponent(broker)} queueId={decodeURIComponent(queue)} />;
}
