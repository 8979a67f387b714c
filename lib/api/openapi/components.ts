// Schemas the document names under components/schemas (and refers to by $ref wherever they occur)
// instead of spelling them out at every use. Requests are described as the handler accepts them
// (zod input: defaults optional), responses as it answers (zod output). A name in both lists must
// describe the same JSON in both directions; the builder checks that.
import { errorBodySchema } from "@/lib/api/schemas/errors";
import { alertRuleSchema } from "@/lib/api/schemas/alerts";
import { auditEntrySchema } from "@/lib/api/schemas/audit";
import { findingSchema } from "@/lib/api/schemas/hygiene";
import { jobResponseSchema, jobSchema } from "@/lib/api/schemas/jobs";
import { indexStateSchema } from "@/lib/api/schemas/message-index";
import { messageDetailSchema, messageSummarySchema, propertySchema } from "@/lib/api/schemas/messages";
import { archiveSchema, destinationSchema, operationResponseSchema, operationSchema } from "@/lib/api/schemas/operations";
import { brokerOverviewSchema, capabilitiesSchema, deadLetterQueueSchema, queueRefSchema } from "@/lib/api/schemas/queues";
import { jobSettingsSchema, selectionSchema } from "@/lib/operations/bulk/model";

/** Named in request bodies. Recursive schemas (Property) must be named: JSON Schema has no other way to say them here. */
export const REQUEST_COMPONENTS = {
  Property: propertySchema,
  Destination: destinationSchema,
  Selection: selectionSchema,
  JobSettings: jobSettingsSchema,
};

/** Named in responses. */
export const RESPONSE_COMPONENTS = {
  Error: errorBodySchema,
  Property: propertySchema,
  QueueRef: queueRefSchema,
  Capabilities: capabilitiesSchema,
  DeadLetterQueue: deadLetterQueueSchema,
  BrokerOverview: brokerOverviewSchema,
  MessageSummary: messageSummarySchema,
  MessageDetail: messageDetailSchema,
  IndexState: indexStateSchema,
  Operation: operationSchema,
  OperationResponse: operationResponseSchema,
  Archive: archiveSchema,
  Job: jobSchema,
  JobResponse: jobResponseSchema,
  AlertRule: alertRuleSchema,
  Finding: findingSchema,
  AuditEntry: auditEntrySchema,
};
