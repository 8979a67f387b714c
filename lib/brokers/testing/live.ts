// Helpers of the live contract runs (lib/brokers/<kind>/live-contract.test.ts): the shared
// contract against a real RabbitMQ, AWS account or Azure namespace, off unless its LIVE_*
// variables are set (docs/live-contract.md).
import { describe, it } from "vitest";

/** Where a URL points, without its credentials: what a test's name may say. */
export function hostOf(raw: string): string {
  try {
    return new URL(raw).host;
  } catch {
    return "(unparsable URL)";
  }
}

/** A skipped block that names the variable that turns the live run on. */
export function skippedLiveRun(kind: string, variable: string): void {
  describe.skip(`${kind} adapter contract against the real service (set ${variable}; see docs/live-contract.md)`, () => {
    it("runs only when configured", () => undefined);
  });
}
