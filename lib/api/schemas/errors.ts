// The error envelope every API route answers with (lib/api/errors.ts builds it, the guard too).
import { z } from "zod";
import { API_ERROR_STATUS, type ApiErrorCode } from "@/lib/api/api-error";

export const errorBodySchema = z.object({
  error: z.object({
    code: z.enum(Object.keys(API_ERROR_STATUS) as [ApiErrorCode, ...ApiErrorCode[]]),
    message: z.string().describe("For people; a 500's names an id to look up in the server log, never internals"),
    details: z.unknown().describe("null, or more: a 400's validation issues as [{ path, message }], a broker error's { brokerCode }, a 409's holders"),
  }),
});

export type ErrorBody = z.infer<typeof errorBodySchema>;
