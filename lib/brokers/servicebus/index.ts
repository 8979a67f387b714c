// The Azure Service Bus adapter: discovery over the administration API, reads by peek, moves and
// removes in peek-lock, through @azure/service-bus 7.9. Queue ids are DLQ entity paths
// (address.ts); DeadLetter ids are DLQ sequence numbers (README.md says why).
import type { BrokerAdapter, BrokerCapabilities } from "../types";
import { requireDlq } from "./address";
import { browse, getMessage, type ServicebusContext } from "./browse";
import { ServicebusConnection } from "./client";
import { ServicebusDiscovery } from "./discovery";
import { servicebusOptionsSchema, type ServicebusOptionsInput } from "./options";
import { remove, purge } from "./remove";
import { replay, send } from "./replay";
import { planRoute, viewOfDeadLetter } from "./route";

export { REPLAY_PROPERTIES } from "./decode";
export { REPLAY_RULE_NAME, REPLAY_TARGET_PROPERTY } from "./route";

/** What Service Bus can do, as the console sees it. */
export const SERVICEBUS_CAPABILITIES: BrokerCapabilities = {
  truePeek: true,
  browseSideEffects: [],
  orderedPartitions: true, // sessions
  preservesMessageId: true,
  nativeRedrive: false,
  batchDelete: true, // complete in parallel on one link; purge receives and deletes in batches
  binaryBodies: true,
  // Standard tier's limit; Premium entities accept up to 100 MB, and each send checks the link's own limit.
  maxMessageBytes: 256 * 1024,
};

/** Build the Service Bus adapter; the SDK connects lazily on the first call. */
export function createServicebusAdapter(settings: { name: string; connection: ServicebusOptionsInput }): BrokerAdapter {
  const connection = new ServicebusConnection(settings.name, servicebusOptionsSchema.parse(settings.connection));
  const context: ServicebusContext = { connection, discovery: new ServicebusDiscovery(connection) };
  return {
    kind: "servicebus",
    name: settings.name,
    capabilities: SERVICEBUS_CAPABILITIES,
    listDeadLetterQueues: () => context.discovery.list(),
    listQueueSettings: () => context.discovery.queueSettings(),
    browse: (queueId, options) => browse(context, queueId, options),
    getMessage: (queueId, id) => getMessage(context, queueId, id),
    routeReplay: async (queueId, message, destination) => {
      const { replayTarget: _replayTarget, addRuleTo: _addRuleTo, ...route } = await planRoute(
        context, requireDlq(settings.name, queueId), viewOfDeadLetter(message), destination,
      );
      return route;
    },
    replay: (queueId, requests) => replay(context, queueId, requests),
    send: (destination, messages) => send(context, destination, messages),
    remove: (queueId, ids) => remove(context, queueId, ids),
    purge: (queueId) => purge(context, queueId),
    close: () => connection.close(),
  };
}
