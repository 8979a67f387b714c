"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useEffect } from "react";
import { formatTime } from "@/lib/client/format";
import { queueHref } from "@/lib/client/links";
import { useMessage } from "@/lib/client/queries/messages";
import { isTyping, KeyboardHelp } from "@/components/ui/keyboard-help";
import { PayloadView } from "./payload-view";
import { PropertiesTable } from "./property-value";
import { Timeline } from "./timeline";
import { MessageActions } from "@/components/operations/message-actions";

function Fact({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div>
      <dt className="text-xs text-zinc-500">{label}</dt>
      <dd className="font-mono text-sm break-all">{children}</dd>
    </div>
  );
}

/** One dead letter: why it failed, what it carries, and what happened to it. */
export function MessageView({ broker, queueId, id }: { broker: string; queueId: string; id: string }) {
  const router = useRouter();
  const { data, error, isPending } = useMessage(broker, queueId, id);

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.key === "Escape" && !isTyping(event) && !document.querySelector('[role="dialog"]')) router.push(queueHref(broker, queueId));
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [router, broker, queueId]);

  const message = data?.message;
  return (
    <section className="space-y-4">
      <KeyboardHelp />
      <nav aria-label="Breadcrumb" className="text-sm text-zinc-500">
        <Link href="/" className="hover:underline">Queues</Link> / {broker} /{" "}
        <Link href={queueHref(broker, queueId)} className="font-mono hover:underline">{queueId}</Link>
      </nav>
      <h1 className="font-mono text-lg font-semibold break-all">{message?.messageId ?? id}</h1>

      {isPending && <div aria-busy="true" aria-label="Loading message" className="h-64 animate-pulse rounded bg-zinc-200 dark:bg-zinc-800" />}
      {error && (
        <p role="alert" className="rounded border border-red-300 bg-red-50 px-3 py-2 text-sm text-red-900 dark:border-red-900 dark:bg-red-950 dark:text-red-200">
          {error.message}
        </p>
      )}

      {message && (
        <>
          <MessageActions broker={broker} queueId={queueId} response={data} />
          <section aria-label="Failure" className="rounded border border-red-200 bg-red-50/60 p-3 dark:border-red-900 dark:bg-red-950/40">
            <h2 className="text-sm font-medium text-red-900 dark:text-red-200" data-testid="failure-reason">{message.reason ?? "No reason recorded"}</h2>
            {message.description && <p className="mt-1 font-mono text-sm break-all whitespace-pre-wrap" data-testid="failure-description">{message.description}</p>}
            <dl className="mt-3 grid grid-cols-2 gap-3 sm:grid-cols-4">
              <Fact label="Attempts">
                {message.attempts.count ?? "—"}
                {message.attempts.cap !== null && ` of ${message.attempts.cap}`}
              </Fact>
              <Fact label="Source">{message.source?.name ?? "—"}</Fact>
              <Fact label="Partition key">{message.partitionKey ?? "—"}</Fact>
              <Fact label="Enqueued">{message.enqueuedAt ? <span title={formatTime(message.enqueuedAt).utc}>{formatTime(message.enqueuedAt).local}</span> : "—"}</Fact>
              <Fact label="Dead-lettered">{message.deadLetteredAt ? <span title={formatTime(message.deadLetteredAt).utc}>{formatTime(message.deadLetteredAt).local}</span> : "—"}</Fact>
              <Fact label="Failure group">{message.fingerprint.label}</Fact>
            </dl>
          </section>
          <PayloadView message={message} />
          <div className="grid gap-4 lg:grid-cols-2">
            <Timeline history={message.history} />
            <div className="space-y-4">
              <PropertiesTable title="Properties and headers" properties={message.properties} />
              <PropertiesTable title="Broker properties" properties={message.systemProperties} />
            </div>
          </div>
        </>
      )}
    </section>
  );
}
