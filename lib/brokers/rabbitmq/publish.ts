// Publishing with publisher confirms and the mandatory flag: the one way this adapter sends.
import type { ConfirmChannel, Message, Options } from "amqplib";
import { brokerError } from "../errors";
import type { PropertyValue } from "../types";

/** Publish one message and wait for the broker's confirm; an unroutable publish is an error. */
export async function publishConfirmed(
  broker: string,
  channel: ConfirmChannel,
  target: { exchange: string; routingKey: string },
  content: Buffer,
  options: Options.Publish,
): Promise<void> {
  let returned = false;
  const onReturn = () => {
    returned = true; // RabbitMQ sends basic.return before the confirm of the same publish
  };
  channel.on("return", onReturn);
  try {
    await new Promise<void>((resolve, reject) => {
      channel.publish(target.exchange, target.routingKey, content, { ...options, mandatory: true }, (error: unknown) =>
        error ? reject(error instanceof Error ? error : new Error(`publish not confirmed: ${String(error)}`)) : resolve(),
      );
    });
  } finally {
    channel.removeListener("return", onReturn);
  }
  if (returned) {
    const where = target.exchange === "" ? `queue "${target.routingKey}"` : `exchange "${target.exchange}" with key "${target.routingKey}"`;
    throw brokerError("unroutable", broker, `publish to ${where} was not routed to any queue`, { queue: target.routingKey });
  }
}

/** A PropertyValue as amqplib encodes it in a header table (dates as AMQP timestamps, bytes as Buffers). */
export function toHeaderValue(value: PropertyValue): unknown {
  if (value instanceof Date) return { "!": "timestamp", value: Math.floor(value.getTime() / 1000) };
  if (value instanceof Uint8Array) return Buffer.from(value);
  if (typeof value === "bigint") return Number(value);
  if (Array.isArray(value)) return value.map(toHeaderValue);
  if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, toHeaderValue(inner)]));
  return value;
}

export interface PublishItem {
  readonly target: { exchange: string; routingKey: string };
  readonly content: Buffer;
  readonly options: Options.Publish;
}

/** Resolves when the channel can take more writes, or rejects when it closes first. */
function drained(channel: ConfirmChannel): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const done = (error?: unknown) => {
      channel.removeListener("drain", onDrain);
      channel.removeListener("close", onClose);
      if (error) reject(error instanceof Error ? error : new Error(String(error)));
      else resolve();
    };
    const onDrain = () => done();
    const onClose = () => done(new Error("Channel closed while waiting to publish"));
    channel.once("drain", onDrain);
    channel.once("close", onClose);
  });
}

/**
 * Publish every item back to back (mandatory, persistent as each says) and wait for all their
 * confirms together: one round trip per batch instead of one per message. Returns, per item, null
 * when the broker confirmed it and routed it to a queue, else why not (nacked, returned as
 * unroutable, or the channel closed before its confirm). The caller acks a DLQ copy only for a
 * null, so a crash before a confirm leaves a duplicate, never a gap.
 */
export async function publishAllConfirmed(broker: string, channel: ConfirmChannel, items: readonly PublishItem[]): Promise<(Error | null)[]> {
  const returned = new Set<number>();
  const unconfirmed = new Set<number>(); // in publish order
  // basic.return comes before the confirm of the same publish; it names no delivery tag, so it is
  // matched to the oldest unconfirmed publish with the same target, body and message id. Two such
  // publishes are identical copies: which one is called returned changes nothing.
  const onReturn = (message: Message) => {
    for (const index of unconfirmed) {
      const item = items[index]!;
      if (returned.has(index)) continue;
      if (
        message.fields.exchange === item.target.exchange &&
        message.fields.routingKey === item.target.routingKey &&
        message.properties.messageId === item.options.messageId &&
        message.content.equals(item.content)
      ) {
        returned.add(index);
        return;
      }
    }
  };
  channel.on("return", onReturn);
  try {
    const confirms: Promise<Error | null>[] = [];
    for (const [index, item] of items.entries()) {
      unconfirmed.add(index);
      let writable = true;
      confirms.push(
        new Promise<Error | null>((resolve) => {
          try {
            writable = channel.publish(item.target.exchange, item.target.routingKey, item.content, { ...item.options, mandatory: true }, (error: unknown) => {
              unconfirmed.delete(index);
              resolve(error ? (error instanceof Error ? error : new Error(`publish not confirmed: ${String(error)}`)) : null);
            });
          } catch (error) {
            unconfirmed.delete(index);
            resolve(error instanceof Error ? error : new Error(String(error)));
          }
        }),
      );
      if (!writable) {
        const closed = await drained(channel).then(
          () => null,
          (error: unknown) => error as Error,
        );
        if (closed) {
          for (let rest = index + 1; rest < items.length; rest++) confirms.push(Promise.resolve(closed));
          break;
        }
      }
    }
    const results = await Promise.all(confirms);
    return results.map((error, index) => {
      if (error || !returned.has(index)) return error;
      const { target } = items[index]!;
      const where = target.exchange === "" ? `queue "${target.routingKey}"` : `exchange "${target.exchange}" with key "${target.routingKey}"`;
      return brokerError("unroutable", broker, `publish to ${where} was not routed to any queue`, { queue: target.routingKey });
    });
  } finally {
    channel.removeListener("return", onReturn);
  }
}
