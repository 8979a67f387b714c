import { describe, expect, it } from "vitest";
import { actorFromHeaders, actorMay, ACTOR_HEADER, encodeActor, requireActor } from "./request-actor";
import { can, canGlobally, canOnAny, globalRole, grantsForGroups, roleOn, type Grant, type RoleMapping } from "./roles";

const prod = { name: "sb-prod", environment: "prod" };
const staging = { name: "sb-staging", environment: "staging" };
const unlabelled = { name: "rabbit-local", environment: null };

describe("grants", () => {
  const mappings: RoleMapping[] = [
    { group: "sre", role: "operator", brokers: ["*"], environments: ["staging"] },
    { group: "sre", role: "viewer", brokers: ["*"], environments: ["prod"] },
    { group: "sqs-team", role: "admin", brokers: ["sqs-*"], environments: ["*"] },
    { group: "auditors", role: "reader", brokers: ["*"], environments: ["*"] },
  ];

  it("operator on staging, viewer on prod: each broker gets its own role", () => {
    const grants = grantsForGroups(["sre"], mappings, null);
    expect(roleOn(grants, staging)).toBe("operator");
    expect(roleOn(grants, prod)).toBe("viewer");
    expect(roleOn(grants, unlabelled)).toBeNull();
    expect(can(grants, "messages.replay", staging)).toBe(true);
    expect(can(grants, "messages.replay", prod)).toBe(false);
    expect(can(grants, "queues.read", prod)).toBe(true);
    expect(can(grants, "messages.read", prod)).toBe(false);
    // Scoped grants give nothing where no one broker is concerned, but do count for an overview.
    expect(globalRole(grants)).toBeNull();
    expect(canGlobally(grants, "audit.read")).toBe(false);
    expect(canOnAny(grants, "queues.read", [prod, staging])).toBe(true);
    expect(canOnAny(grants, "queues.read", [unlabelled])).toBe(false);
  });

  it("broker globs, the strongest of several grants, unscoped grants and the default role", () => {
    const grants = grantsForGroups(["sqs-team", "auditors"], mappings, null);
    expect(roleOn(grants, { name: "sqs-eu", environment: "prod" })).toBe("admin");
    expect(roleOn(grants, prod)).toBe("reader");
    expect(roleOn(grants, unlabelled)).toBe("reader");
    expect(canGlobally(grants, "audit.read")).toBe(true);
    expect(canGlobally(grants, "audit.verify")).toBe(false);
    expect(grantsForGroups([], mappings, null)).toEqual([]);
    const everyone: Grant[] = grantsForGroups(["nobody"], mappings, "viewer");
    expect(roleOn(everyone, prod)).toBe("viewer");
    expect(can(everyone, "messages.purge", prod)).toBe(false);
  });

  it("an admin may do everything everywhere", () => {
    const admin: Grant[] = [{ role: "admin", brokers: ["*"], environments: ["*"] }];
    for (const permission of ["queues.read", "messages.read", "messages.replay", "messages.purge", "archive.restore", "settings", "audit.verify"] as const) {
      expect(can(admin, permission, prod)).toBe(true);
      expect(canGlobally(admin, permission)).toBe(true);
    }
  });
});

describe("the actor header", () => {
  it("round-trips, and anything malformed is no actor", () => {
    const grants: Grant[] = [{ role: "operator", brokers: ["sqs-*"], environments: ["*"] }];
    const headers = new Headers({ [ACTOR_HEADER]: encodeActor({ id: "zoë@example.com", role: "operator", grants }) });
    const actor = actorFromHeaders(headers)!;
    expect(actor).toEqual({ id: "zoë@example.com", role: "operator", grants });
    expect(requireActor(headers)).toEqual(actor);
    expect(() => requireActor(new Headers())).toThrow(/sign in first/);
    expect(actorMay(actor, "messages.replay", { name: "sqs-eu", environment: "prod" })).toBe(true);
    expect(actorMay(actor, "queues.read", { name: "rabbit", environment: "prod" })).toBe(false);
    expect(actorFromHeaders(new Headers())).toBeNull();
    expect(actorFromHeaders(new Headers({ [ACTOR_HEADER]: "%E0%A4%A" }))).toBeNull();
    expect(actorFromHeaders(new Headers({ [ACTOR_HEADER]: encodeURIComponent('{"role":"admin"}') }))).toBeNull();
  });
});
