"use client";

import { useMemo, useState } from "react";
import type { MessageDetailDto, PropertyDto } from "@/lib/api/schemas/messages";
import { formatCount } from "@/lib/client/format";
import { newOperationId, usePolicy, useResend } from "@/lib/client/queries/operations";
import { checkEdit, isJsonContentType, textDiff } from "@/lib/operations/edit";
import type { PropertyValue } from "@/lib/brokers/types";
import { Dialog, buttonClass, inputClass, primaryButtonClass } from "./dialog";
import { EnvironmentLabel } from "./environment-label";
import { OperationResult } from "./operation-result";
import { EMPTY_REASON, ReasonFields, reasonFields, reasonOk } from "./reason-fields";

type EditableType = "string" | "number" | "boolean";
interface PropertyRow {
  readonly key: number;
  readonly name: string;
  /** The original typed value for types the editor keeps as they are (binary, dates, lists). */
  readonly kept: PropertyDto | null;
  readonly type: EditableType;
  readonly text: string;
}

const EDITABLE = new Set(["string", "number", "boolean"]);

function rowsOf(properties: Record<string, PropertyDto>): PropertyRow[] {
  return Object.entries(properties).map(([name, dto], key) =>
    EDITABLE.has(dto.type) && "value" in dto
      ? { key, name, kept: null, type: dto.type as EditableType, text: String(dto.value) }
      : { key, name, kept: dto, type: "string", text: "" },
  );
}

function rowDto(row: PropertyRow): PropertyDto | string {
  if (row.kept) return row.kept;
  if (row.type === "number") {
    const value = Number(row.text);
    return row.text.trim() !== "" && Number.isFinite(value) ? { type: "number", value } : `property ${row.name}: "${row.text}" is not a number`;
  }
  if (row.type === "boolean") return row.text === "true" || row.text === "false" ? { type: "boolean", value: row.text === "true" } : `property ${row.name}: use true or false`;
  return { type: "string", value: row.text };
}

/** A typed property as a value for the size check (binary by its size; the bytes stay on the server). */
function sizeValue(dto: PropertyDto): PropertyValue {
  switch (dto.type) {
    case "binary":
      return new Uint8Array(dto.size);
    case "null":
      return null;
    case "list":
      return dto.items.map(sizeValue);
    case "map":
      return Object.fromEntries(Object.entries(dto.entries).map(([key, value]) => [key, sizeValue(value)]));
    default:
      return dto.value;
  }
}

function DiffView({ diff }: { diff: string }) {
  return (
    <pre data-testid="edit-diff" className="max-h-48 overflow-auto rounded border border-zinc-200 bg-zinc-50 p-2 font-mono text-xs whitespace-pre-wrap break-all dark:border-zinc-800 dark:bg-zinc-950">
      {diff.split("\n").map((line, index) => (
        <span key={index} className={line.startsWith("+") ? "block bg-emerald-100 dark:bg-emerald-950" : line.startsWith("-") ? "block bg-red-100 dark:bg-red-950" : "block"}>
          {line || " "}
        </span>
      ))}
    </pre>
  );
}

interface Props {
  readonly broker: string;
  readonly queueId: string;
  readonly message: MessageDetailDto;
  readonly maxMessageBytes: number;
  onClose(): void;
  onDone?(removed: boolean): void;
}

/** Edit body and properties with live validation, a before/after diff and the broker's size limit; then resend. */
export function EditResendDialog({ broker, queueId, message, maxMessageBytes, onClose, onDone }: Props) {
  const [operationId] = useState(newOperationId);
  const originalText = message.body.text;
  const bodyEditable = originalText !== null && !message.body.truncated;
  const [body, setBody] = useState(originalText ?? "");
  const [contentType, setContentType] = useState(message.contentType ?? "");
  const [rows, setRows] = useState(() => rowsOf(message.properties));
  const [keepOriginal, setKeepOriginal] = useState(false);
  const [reason, setReason] = useState(EMPTY_REASON);
  const policy = usePolicy(broker);
  const resend = useResend(broker, queueId, message.id);

  const edit = useMemo(() => {
    const typed = rows.map((row) => [row.name, rowDto(row)] as const);
    const errors = typed.filter((entry): entry is readonly [string, string] => typeof entry[1] === "string").map(([, error]) => error);
    if (rows.some((row) => row.name.trim() === "")) errors.push("every property needs a name");
    if (new Set(rows.map((row) => row.name)).size !== rows.length) errors.push("two properties have the same name");
    const properties = Object.fromEntries(typed.filter((entry): entry is readonly [string, PropertyDto] => typeof entry[1] !== "string"));
    const bytes = bodyEditable ? new TextEncoder().encode(body) : new Uint8Array(message.size);
    const type = contentType.trim() || null;
    const check = checkEdit({ body: bytes, contentType: type, properties: Object.fromEntries(Object.entries(properties).map(([key, dto]) => [key, sizeValue(dto)])) }, maxMessageBytes);
    if (!check.ok) errors.unshift(check.error);
    const propertiesChanged = JSON.stringify(properties) !== JSON.stringify(message.properties);
    const changedNames = [...new Set([...Object.keys(properties), ...Object.keys(message.properties)])].filter(
      (name) => JSON.stringify(properties[name]) !== JSON.stringify(message.properties[name]),
    );
    return {
      errors,
      properties,
      bytes: bytes.byteLength,
      contentType: type,
      bodyChanged: bodyEditable && body !== originalText,
      contentTypeChanged: type !== message.contentType,
      propertiesChanged,
      changedNames,
      diff: bodyEditable ? textDiff(originalText ?? "", body) : "",
    };
  }, [rows, body, contentType, bodyEditable, message, maxMessageBytes, originalText]);

  const changed = edit.bodyChanged || edit.contentTypeChanged || edit.propertiesChanged;
  const required = policy.data?.reasonRequired ?? false;
  const canSend = changed && edit.errors.length === 0 && reasonOk(reason, required) && !resend.isPending && !resend.data;
  const setRow = (key: number, patch: Partial<PropertyRow>) => setRows((current) => current.map((row) => (row.key === key ? { ...row, ...patch } : row)));

  const submit = () =>
    resend.mutate(
      {
        operationId,
        ...(edit.bodyChanged ? { body: { text: body } } : {}),
        ...(edit.contentTypeChanged ? { contentType: edit.contentType } : {}),
        ...(edit.propertiesChanged ? { properties: edit.properties } : {}),
        keepOriginal,
        ...reasonFields(reason),
      },
      { onSuccess: (response) => onDone?.(response.operation.result?.outcomes[0]?.status === "moved") },
    );

  return (
    <Dialog title="Edit and resend" onClose={onClose} wide>
      <div className="space-y-3 text-sm">
        <EnvironmentLabel broker={broker} environment={policy.data?.environment ?? null} />
        <div className="grid gap-3 lg:grid-cols-2">
          <div className="space-y-2">
            <label className="block">
              Content type
              <input className={inputClass} value={contentType} onChange={(event) => setContentType(event.target.value)} aria-label="Content type" />
            </label>
            <label className="block">
              Body{isJsonContentType(edit.contentType) ? " (JSON, checked as you type)" : ""}
              <textarea
                aria-label="Edited body"
                className={`${inputClass} h-64 font-mono text-xs`}
                value={body}
                disabled={!bodyEditable}
                onChange={(event) => setBody(event.target.value)}
                spellCheck={false}
              />
            </label>
            {!bodyEditable && <p className="text-zinc-500">The body is {originalText === null ? "binary" : "larger than the 1 MiB shown"}: it is resent unchanged; properties can be edited.</p>}
            <p data-testid="edit-size" className={edit.bytes > maxMessageBytes ? "text-red-700" : "text-zinc-500"}>
              {formatCount(edit.bytes)} bytes of body; this broker accepts {formatCount(maxMessageBytes)} with properties
            </p>
          </div>
          <div className="space-y-2">
            <h3 className="font-medium">Properties</h3>
            <table className="w-full text-xs">
              <tbody>
                {rows.map((row) => (
                  <tr key={row.key}>
                    <td className="pr-1"><input aria-label="Property name" className={`${inputClass} font-mono text-xs`} value={row.name} onChange={(event) => setRow(row.key, { name: event.target.value })} /></td>
                    <td className="pr-1">
                      {row.kept ? (
                        <span className="text-zinc-500">{row.kept.type}, kept as is</span>
                      ) : (
                        <div className="flex gap-1">
                          <select aria-label="Property type" className="rounded border border-zinc-300 bg-white text-xs dark:border-zinc-700 dark:bg-zinc-950" value={row.type} onChange={(event) => setRow(row.key, { type: event.target.value as EditableType })}>
                            <option value="string">string</option>
                            <option value="number">number</option>
                            <option value="boolean">boolean</option>
                          </select>
                          <input aria-label={`Value of ${row.name}`} className={`${inputClass} font-mono text-xs`} value={row.text} onChange={(event) => setRow(row.key, { text: event.target.value })} />
                        </div>
                      )}
                    </td>
                    <td><button type="button" className="px-1 text-zinc-500 hover:text-red-700" aria-label={`Remove ${row.name}`} onClick={() => setRows((current) => current.filter((other) => other.key !== row.key))}>×</button></td>
                  </tr>
                ))}
              </tbody>
            </table>
            <button type="button" className={buttonClass} onClick={() => setRows((current) => [...current, { key: Math.max(-1, ...current.map((row) => row.key)) + 1, name: "", kept: null, type: "string", text: "" }])}>
              Add property
            </button>
          </div>
        </div>

        {edit.errors.length > 0 && (
          <ul role="alert" data-testid="edit-errors" className="rounded border border-red-300 bg-red-50 px-3 py-2 text-red-900 dark:border-red-900 dark:bg-red-950 dark:text-red-200">
            {edit.errors.map((error) => <li key={error}>{error}</li>)}
          </ul>
        )}
        <section aria-label="Before and after">
          <h3 className="mb-1 font-medium">Before → after</h3>
          {!changed && <p className="text-zinc-500">Nothing changed yet.</p>}
          {edit.diff && <DiffView diff={edit.diff} />}
          {edit.contentTypeChanged && <p className="font-mono text-xs">content type: {message.contentType ?? "(none)"} → {edit.contentType ?? "(none)"}</p>}
          {edit.changedNames.length > 0 && <p className="font-mono text-xs">properties changed: {edit.changedNames.join(", ")}</p>}
        </section>
        <label className="flex items-center gap-2">
          <input type="checkbox" checked={keepOriginal} onChange={(event) => setKeepOriginal(event.target.checked)} />
          Keep the original in the DLQ (otherwise it is removed once the edited copy is confirmed)
        </label>
        <ReasonFields value={reason} onChange={setReason} required={required} />
        {resend.error && <p role="alert" className="rounded border border-red-300 bg-red-50 px-3 py-2 text-red-900 dark:border-red-900 dark:bg-red-950 dark:text-red-200">{resend.error.message}</p>}
        {resend.data && <OperationResult response={resend.data} />}
        <div className="flex justify-end gap-2">
          <button type="button" className={buttonClass} onClick={onClose}>{resend.data ? "Close" : "Cancel"}</button>
          <button type="button" className={primaryButtonClass} disabled={!canSend} onClick={submit}>{resend.isPending ? "Sending…" : "Resend"}</button>
        </div>
      </div>
    </Dialog>
  );
}
