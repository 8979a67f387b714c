"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import type { MessageResponse } from "@/lib/api/schemas/messages";
import { queueHref } from "@/lib/client/links";
import { buttonClass, dangerButtonClass } from "./dialog";
import { EditResendDialog } from "./edit-resend-dialog";
import { PurgeDialog } from "./purge-dialog";
import { ReplayDialog } from "./replay-dialog";
import { usePermissions } from "@/components/auth/use-permissions";

type Open = "replay" | "edit" | "purge" | null;

/** Replay, Edit & resend and Purge for the message page. */
export function MessageActions({ broker, queueId, response }: { broker: string; queueId: string; response: MessageResponse }) {
  const router = useRouter();
  const [open, setOpen] = useState<Open>(null);
  const [gone, setGone] = useState(false);
  const { may } = usePermissions();
  const { message } = response;
  const close = () => {
    setOpen(null);
    // The message left the DLQ: its page has nothing more to show.
    if (gone) router.push(queueHref(broker, queueId));
  };
  return (
    <div className="flex flex-wrap gap-2" aria-label="Message actions" role="toolbar">
      {/* Shown only to roles that may use them; the server refuses the others all the same. */}
      {may("messages.replay", broker) && <button type="button" className={buttonClass} onClick={() => setOpen("replay")}>Replay</button>}
      {may("messages.replay", broker) && <button type="button" className={buttonClass} onClick={() => setOpen("edit")}>Edit &amp; resend</button>}
      {may("messages.purge", broker) && <button type="button" className={dangerButtonClass} onClick={() => setOpen("purge")}>Purge</button>}
      {open === "replay" && <ReplayDialog broker={broker} queueId={queueId} ids={[message.id]} onClose={close} onDone={() => setGone(true)} />}
      {open === "edit" && (
        <EditResendDialog
          broker={broker}
          queueId={queueId}
          message={message}
          maxMessageBytes={response.broker.capabilities.maxMessageBytes}
          onClose={close}
          onDone={(removed) => setGone(removed)}
        />
      )}
      {open === "purge" && <PurgeDialog broker={broker} queueId={queueId} ids={[message.id]} onClose={close} onDone={() => setGone(true)} />}
    </div>
  );
}
