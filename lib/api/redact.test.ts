import { describe, expect, it } from "vitest";
import { MASK } from "@/lib/auth/redaction";
import { jobForViewer, redactSecrets } from "./redact";

describe("redactSecrets", () => {
  it("replaces every configured secret, longest first", () => {
    expect(redactSecrets("amqp://u:pw@host failed (pw)", ["pw", "amqp://u:pw@host"])).toBe("*** failed (***)");
  });
});

describe("jobForViewer", () => {
  const job = { id: "j1", selection: { kind: "filter" as const, text: "ann@example.com", group: null, from: null, to: null } };

  it("masks a filter's search text below reader: it can quote a payload", () => {
    expect(jobForViewer(job, false).selection).toEqual({ ...job.selection, text: MASK });
    expect(jobForViewer(job, true)).toBe(job);
    const ids = { id: "j2", selection: { kind: "ids" as const, count: 1, ids: ["m1"] } };
    expect(jobForViewer(ids, false)).toBe(ids);
    const empty = { ...job, selection: { ...job.selection, text: "" } };
    expect(jobForViewer(empty, false)).toBe(empty);
  });
});
