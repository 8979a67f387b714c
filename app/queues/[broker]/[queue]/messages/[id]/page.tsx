import { MessageView } from "@/components/message/message-view";

export default async function MessagePage({ params }: { params: Promise<{ broker: string; queue: string; id: string }> }) {
  const { broker, queue, id } = await params;
  return <MessageView broker={decodeURIComponent(broker)} queueId={decodeURIComponent(queue)} id={decodeURIComponent(id)} />;
}
