// Every operation of the HTTP API under /api/v1, one entry each, in the order of app/api's folders:
// the source of /api/v1/openapi.json and the /api-docs page. Schemas are the ones the handlers
// validate and answer with (lib/api/schemas); the permission comes from ROUTE_PERMISSIONS.
//
// Adding a route: add its row to ROUTE_PERMISSIONS (lib/auth/permissions.ts), then an entry here
// with its query/body/response schemas. document.test.ts fails while a route file's method has no
// entry, or an entry has no route.
import { z } from "zod";
import { alertRuleDeletedSchema, alertRuleInputSchema, alertRuleSchema, alertsResponseSchema } from "@/lib/api/schemas/alerts";
import { auditEntrySchema, auditExportQuerySchema, auditListQuerySchema, auditPageSchema, auditVerifySchema } from "@/lib/api/schemas/audit";
import { depthHistorySchema, depthQuerySchema } from "@/lib/api/schemas/depth";
import { hygieneResponseSchema, muteRequestSchema, muteResponseSchema, unmuteRequestSchema, unmuteResponseSchema } from "@/lib/api/schemas/hygiene";
import { bulkPlanRequestSchema, jobDetailResponseSchema, jobFailuresQuerySchema, jobListQuerySchema, jobListResponseSchema, jobRateRequestSchema, jobResponseSchema } from "@/lib/api/schemas/jobs";
import { meResponseSchema } from "@/lib/api/schemas/me";
import { indexPageSchema, indexQuerySchema, indexRefreshResponseSchema } from "@/lib/api/schemas/message-index";
import { messagePageQuerySchema, messagePageSchema, messageResponseSchema } from "@/lib/api/schemas/messages";
import {
  archivesQuerySchema,
  archivesResponseSchema,
  operationResponseSchema,
  operationStatusResponseSchema,
  policyResponseSchema,
  previewRequestSchema,
  previewResponseSchema,
  purgeRequestSchema,
  replayRequestSchema,
  resendRequestSchema,
  restoreRequestSchema,
} from "@/lib/api/schemas/operations";
import { queuesResponseSchema } from "@/lib/api/schemas/queues";
import { tokenCreatedSchema, tokenCreateSchema, tokenListSchema, tokenRevokedSchema } from "@/lib/api/schemas/tokens";
import type { ApiResponse, ApiRoute } from "./types";

/** Tags in the order the reference page shows them. */
export const API_TAGS = [
  { name: "Queues", description: "Every DLQ of every broker, and one DLQ's depth over time." },
  { name: "Messages", description: "Reading dead-lettered messages: pages straight from the broker, and one message in full (audited)." },
  { name: "Message index", description: "The console's index of a DLQ: search, failure groups and time filters over every message." },
  { name: "Operations", description: "Replay, edit-and-resend and purge (archived first, restorable), and their progress. Each carries a client-chosen operationId: the same request sent again does nothing twice." },
  { name: "Bulk replay", description: "Thousands of messages back as a paced background job: plan (the dry run), start, and control." },
  { name: "Alerts", description: "Alert rules on DLQs, their state, and webhook deliveries." },
  { name: "Hygiene", description: "Checks of every queue's dead-letter setup, with fixes, and mutes." },
  { name: "Audit", description: "The hash-chained audit log: list, export, verify." },
  { name: "Account", description: "Who the caller is and what they may do." },
  { name: "API tokens", description: "Tokens for scripts, sent as `Authorization: Bearer <token>`: each acts with its owner's grants narrowed to its own role, brokers and environments. Managed with a session only: a token cannot create or revoke tokens." },
  { name: "Meta", description: "This description of the API." },
] as const;

const QUEUE = "/api/v1/brokers/:broker/queues/:queue";
const MESSAGES = `${QUEUE}/messages`;

const operationAnswer: ApiRoute["responses"] = {
  200: { description: "The operation finished (status succeeded, partial or failed; per-message outcomes in result), or a repeat found it finished.", body: operationResponseSchema },
  202: { description: "A repeat of this operationId found it still running: poll GET /api/v1/operations/{id}.", body: operationResponseSchema },
};
const JOB_ID = { id: "The job's id." };
const REDACTED_BELOW_READER = "Below reader, payloads are redacted: REDACT_JSON_PATHS masked in JSON bodies and previews, any other body withheld, REDACT_HEADERS properties masked.";
const jobAnswer = (description: string): ApiResponse => ({ description, body: jobResponseSchema });

/** The description of the document itself (its body is the document: open, not a fixed shape). */
const openApiDocumentSchema = z.looseObject({ openapi: z.string(), info: z.looseObject({ title: z.string(), version: z.string() }), paths: z.record(z.string(), z.unknown()) });

export const API_ROUTES: readonly ApiRoute[] = [
  // Alerts
  { method: "GET", path: "/api/v1/alerts", operationId: "listAlerts", tag: "Alerts", summary: "Alert rules, each DLQ's state under them, and the latest webhook deliveries", description: "States and deliveries are listed only for brokers the caller may view.", responses: { 200: { description: "Rules, states and deliveries.", body: alertsResponseSchema } } },
  { method: "POST", path: "/api/v1/alerts/rules", operationId: "createAlertRule", tag: "Alerts", summary: "Create an alert rule (depth, age or growth above a threshold, to a webhook); audited", body: alertRuleInputSchema, responses: { 201: { description: "The rule as stored (the webhook shown by scheme and host only).", body: alertRuleSchema } }, errors: [413] },
  { method: "DELETE", path: "/api/v1/alerts/rules/:id", operationId: "deleteAlertRule", tag: "Alerts", summary: "Delete an alert rule with its state and deliveries; audited", params: { id: "The rule's id." }, responses: { 200: { description: "Deleted.", body: alertRuleDeletedSchema } } },

  // Audit
  { method: "GET", path: "/api/v1/audit", operationId: "listAudit", tag: "Audit", summary: "The audit log, newest first, filtered; cursor paging", query: auditListQuerySchema, responses: { 200: { description: "One page; pass nextCursor as cursor for the next.", body: auditPageSchema } } },
  {
    method: "GET",
    path: "/api/v1/audit/export",
    operationId: "exportAudit",
    tag: "Audit",
    summary: "The filtered audit log as a streamed download, oldest first",
    description: "Streamed from the database page by page, so an export of any size holds one page in memory. CSV cells that start with = + - @ are prefixed with ' so spreadsheets do not run them.",
    query: auditExportQuerySchema,
    responses: { 200: { description: "An attachment (Content-Disposition) in the requested format.", content: { "text/csv": z.string().describe("A header row, then one row per entry."), "application/json": z.array(auditEntrySchema) } } },
  },
  { method: "GET", path: "/api/v1/audit/verify", operationId: "verifyAudit", tag: "Audit", summary: "Check the whole hash chain; names the first broken row", responses: { 200: { description: "ok true with the last hash, or ok false with the first broken row and what is wrong with it.", body: auditVerifySchema } } },

  // One broker
  { method: "GET", path: "/api/v1/brokers/:broker/policy", operationId: "getBrokerPolicy", tag: "Operations", summary: "What operations on this broker require: environment label, reason, size limit, archive retention", responses: { 200: { description: "The broker's operation policy.", body: policyResponseSchema } } },
  { method: "GET", path: `${QUEUE}/archives`, operationId: "listArchives", tag: "Operations", summary: "Purged messages of this DLQ still in the archive, newest first", query: archivesQuerySchema, responses: { 200: { description: "One page of archived messages (metadata; the payloads stay in the archive).", body: archivesResponseSchema } } },
  { method: "POST", path: `${QUEUE}/archives/restore`, operationId: "restoreArchived", tag: "Operations", summary: "Send archived messages back to the DLQ or to their source", body: restoreRequestSchema, responses: operationAnswer, errors: [409, 413, 422] },
  { method: "POST", path: `${QUEUE}/bulk-replays`, operationId: "planBulkReplay", tag: "Bulk replay", summary: "Plan a bulk replay (the dry run): freeze the selection, send nothing", description: "The operationId becomes the job's id. Selections by group or filter need an indexed DLQ (POST .../index/refresh).", body: bulkPlanRequestSchema, responses: { 201: jobAnswer("The planned job with its summary: counts per failure group and destination, routes, what is missing.") }, errors: [409, 413, 422] },
  { method: "POST", path: `${QUEUE}/bulk-replays/:id/start`, operationId: "startBulkReplay", tag: "Bulk replay", summary: "Start a planned bulk replay as a background job", description: "The job must belong to the queue in the path. No body is read.", params: { id: "The planned job's id (the operationId of its plan)." }, responses: { 202: jobAnswer("The job, now running.") }, errors: [409, 422] },
  { method: "GET", path: `${QUEUE}/depth`, operationId: "getDepthHistory", tag: "Queues", summary: "The DLQ's depth over the last hours, from the samples the console stores", query: depthQuerySchema, responses: { 200: { description: "Depth samples, oldest first (at: epoch milliseconds).", body: depthHistorySchema } } },
  { method: "GET", path: `${QUEUE}/index`, operationId: "queryIndex", tag: "Message index", summary: "A filtered page of the message index, with failure groups and freshness", description: "Payload previews, and text search inside payloads and headers, for readers only: viewers get metadata.", query: indexQuerySchema, responses: { 200: { description: "One page of indexed messages with the index's state and failure groups.", body: indexPageSchema } } },
  { method: "POST", path: `${QUEUE}/index/refresh`, operationId: "refreshIndex", tag: "Message index", summary: "(Re)read the whole DLQ into the message index, in the background", description: "Reads every message (with the broker's browse side effects). No body is read.", responses: { 200: { description: "A refresh was already running; its state.", body: indexRefreshResponseSchema }, 202: { description: "A refresh started.", body: indexRefreshResponseSchema } } },
  { method: "GET", path: MESSAGES, operationId: "listMessages", tag: "Messages", summary: "One page of a DLQ, oldest first", description: REDACTED_BELOW_READER, query: messagePageQuerySchema, responses: { 200: { description: "Message summaries with the broker's capabilities and warnings (browse side effects).", body: messagePageSchema } } },
  { method: "GET", path: `${MESSAGES}/:id`, operationId: "getMessage", tag: "Messages", summary: "One message: body, properties, failure, history", description: `${REDACTED_BELOW_READER} The view is audited; if the audit row cannot be written, the payload is not shown.`, params: { id: "The message's id in the DLQ (the id field of a summary)." }, responses: { 200: { description: "The message in full.", body: messageResponseSchema } } },
  { method: "POST", path: `${MESSAGES}/:id/resend`, operationId: "resendMessage", tag: "Operations", summary: "Edit body and properties, validate, resend; keep or remove the original", params: { id: "The message's id in the DLQ." }, body: resendRequestSchema, responses: operationAnswer, errors: [409, 413, 422] },
  { method: "POST", path: `${QUEUE}/preview`, operationId: "previewReplay", tag: "Operations", summary: "Where a replay of these messages would land; nothing is sent", body: previewRequestSchema, responses: { 200: { description: "The routes the messages would take, with receivers and what would change.", body: previewResponseSchema } }, errors: [413, 422] },
  { method: "POST", path: `${QUEUE}/purge`, operationId: "purgeMessages", tag: "Operations", summary: "Purge selected messages or all (confirm = the queue name), archiving each first", body: purgeRequestSchema, responses: operationAnswer, errors: [409, 413, 422] },
  { method: "POST", path: `${QUEUE}/replay`, operationId: "replayMessages", tag: "Operations", summary: "Replay messages to their source or a destination (send, confirm, remove)", body: replayRequestSchema, responses: operationAnswer, errors: [409, 413, 422] },

  // Hygiene
  { method: "GET", path: "/api/v1/hygiene", operationId: "getHygiene", tag: "Hygiene", summary: "Every broker's queue configuration checked: findings with their fix, and mutes", description: "Lists only brokers the caller may view.", responses: { 200: { description: "Findings per broker.", body: hygieneResponseSchema } } },
  { method: "POST", path: "/api/v1/hygiene/mutes", operationId: "muteFinding", tag: "Hygiene", summary: "Mute a finding with a reason; audited", body: muteRequestSchema, responses: { 200: { description: "The finding's mute.", body: muteResponseSchema } }, errors: [413] },
  { method: "DELETE", path: "/api/v1/hygiene/mutes", operationId: "unmuteFinding", tag: "Hygiene", summary: "Unmute a finding; audited", body: unmuteRequestSchema, responses: { 200: { description: "unmuted is false when the finding was not muted.", body: unmuteResponseSchema } }, errors: [413] },

  // Bulk replay jobs
  { method: "GET", path: "/api/v1/jobs", operationId: "listJobs", tag: "Bulk replay", summary: "Recent bulk replay jobs with progress (done / failed / skipped / remaining, rate, ETA)", description: "Lists only jobs on brokers the caller may view.", query: jobListQuerySchema, responses: { 200: { description: "Jobs, newest first.", body: jobListResponseSchema } } },
  { method: "GET", path: "/api/v1/jobs/:id", operationId: "getJob", tag: "Bulk replay", summary: "One job with its plan summary and a page of failures (messages that did not move, with errors)", params: JOB_ID, query: jobFailuresQuerySchema, responses: { 200: { description: "The job and one page of failures; pass nextCursor as after for the next.", body: jobDetailResponseSchema } } },
  { method: "POST", path: "/api/v1/jobs/:id/cancel", operationId: "cancelJob", tag: "Bulk replay", summary: "Cancel a job: unsent messages stay in the DLQ, the batch in flight finishes", params: JOB_ID, responses: { 200: jobAnswer("The job, cancelling or cancelled.") }, errors: [409] },
  { method: "POST", path: "/api/v1/jobs/:id/pause", operationId: "pauseJob", tag: "Bulk replay", summary: "Pause a running job (the batch in flight finishes)", params: JOB_ID, responses: { 200: jobAnswer("The job, paused.") }, errors: [409] },
  { method: "POST", path: "/api/v1/jobs/:id/rate", operationId: "setJobRate", tag: "Bulk replay", summary: "Change a job's rate (messages per second); a running job uses it from its next batch", params: JOB_ID, description: "Capped at BULK_REPLAY_MAX_RATE.", body: jobRateRequestSchema, responses: { 200: jobAnswer("The job with its new rate.") }, errors: [409, 413, 422] },
  { method: "POST", path: "/api/v1/jobs/:id/resume", operationId: "resumeJob", tag: "Bulk replay", summary: "Resume a paused job from its last checkpoint", params: JOB_ID, responses: { 200: jobAnswer("The job, running.") }, errors: [409] },

  // Account
  { method: "GET", path: "/api/v1/me", operationId: "getMe", tag: "Account", summary: "The caller's role and permissions everywhere and on each broker", description: "For hiding what a role cannot do; the server refuses it anyway.", responses: { 200: { description: "Roles and permissions.", body: meResponseSchema } } },

  // This document
  { method: "GET", path: "/api/v1/openapi.json", operationId: "getOpenApiDocument", tag: "Meta", summary: "This OpenAPI 3.1 document", description: "Rendered for people at /api-docs.", responses: { 200: { description: "The document.", body: openApiDocumentSchema } } },

  // One operation
  { method: "GET", path: "/api/v1/operations/:id", operationId: "getOperation", tag: "Operations", summary: "One operation's status and per-message outcome (poll a running one)", params: { id: "The operation's id (the operationId it was sent with)." }, responses: { 200: { description: "The operation.", body: operationStatusResponseSchema } } },

  // Overview
  { method: "GET", path: "/api/v1/queues", operationId: "listQueues", tag: "Queues", summary: "Every DLQ of every broker: depth, last-hour trend, top failure", description: "A broker that is down is reported with its error, not fatal. Lists only brokers the caller may view.", responses: { 200: { description: "Brokers with their DLQs.", body: queuesResponseSchema } } },

  // API tokens
  { method: "GET", path: "/api/v1/tokens", operationId: "listTokens", tag: "API tokens", summary: "The caller's API tokens (an admin's: everyone's), never their secrets", responses: { 200: { description: "Tokens with their scope and status.", body: tokenListSchema } } },
  { method: "POST", path: "/api/v1/tokens", operationId: "createToken", tag: "API tokens", summary: "Create a token for yourself (or, as an admin, a service account); the answer carries the secret, once", description: "With a session only: an API token cannot create tokens (403). A token's role may not be above the creator's own on the brokers and environments it names (403).", body: tokenCreateSchema, responses: { 201: { description: "The token and its secret: store it now, it is not shown again.", body: tokenCreatedSchema } }, errors: [413] },
  { method: "DELETE", path: "/api/v1/tokens/:id", operationId: "revokeToken", tag: "API tokens", summary: "Revoke an API token (its owner or an admin); it stops working at once. Audited", description: "With a session only: an API token cannot revoke tokens (403).", params: { id: "The token's id." }, responses: { 200: { description: "The revoked token.", body: tokenRevokedSchema } } },
];
