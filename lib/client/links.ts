// Page URLs. Queue ids may contain "/" (Service Bus subscriptions), so every part is encoded.

export function queueHref(broker: string, queueId: string): string {
  return `/queues/${encodeURIComponent(broker)}/${encodeURIComponent(queueId)}`;
}

export function messageHref(broker: string, queueId: string, id: string): string {
  return `${queueHref(broker, queueId)}/messages/${encodeURIComponent(id)}`;
}
