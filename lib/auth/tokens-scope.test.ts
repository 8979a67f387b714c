import { describe, expect, it } from "vitest";
import { roleOn, type Grant } from "./roles";
import { bearerToken, generateToken, hashToken, intersectGrants, scopeWithin, tokenId, tokenMatches } from "./tokens-scope";

const everywhere = (role: Grant["role"]): Grant => ({ role, brokers: ["*"], environments: ["*"] });
const prodRabbit = { name: "rabbit-prod", environment: "prod" };
const stagingRabbit = { name: "rabbit-staging", environment: "staging" };
const sqsStaging = { name: "sqs-eu", environment: "staging" };
const unlabelled = { name: "rabbit-dev", environment: null };

describe("token format", () => {
  it("is dlq_<16 hex id>_<43 base64url>, found by its id, matched only by its own hash", () => {
    const { id, token } = generateToken();
    expect(token).toMatch(/^dlq_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/);
    expect(tokenId(token)).toBe(id);
    const stored = hashToken(token);
    expect(stored).toMatch(/^[0-9a-f]{64}$/);
    expect(stored).not.toContain(token.slice(21));
    expect(tokenMatches(token, stored)).toBe(true);
    expect(tokenMatches(`${token.slice(0, -1)}${token.endsWith("A") ? "B" : "A"}`, stored)).toBe(false);
    expect(tokenMatches(token, "abcd")).toBe(false);
    expect(generateToken().token).not.toBe(token);
  });

  it("refuses what is not a token and reads only the Bearer scheme", () => {
    expect(tokenId("dlq_nothex0000000000_x")).toBeNull();
    expect(tokenId("ghp_0123456789abcdef_" + "a".repeat(43))).toBeNull();
    expect(bearerToken(new Headers({ authorization: "Bearer dlq_abc" }))).toBe("dlq_abc");
    expect(bearerToken(new Headers({ authorization: "bearer  dlq_abc " }))).toBe("dlq_abc");
    expect(bearerToken(new Headers({ authorization: "Basic Z3Vlc3Q6Z3Vlc3Q=" }))).toBeNull();
    expect(bearerToken(new Headers())).toBeNull();
  });
});

describe("scopeWithin: a token is never above its creator", () => {
  const creator: Grant[] = [everywhere("viewer"), { role: "operator", brokers: ["*"], environments: ["staging"] }, { role: "admin", brokers: ["sqs-*"], environments: ["*"] }];

  it("allows roles up to the creator's on the token's whole scope", () => {
    expect(scopeWithin(everywhere("viewer"), creator)).toBe(true);
    expect(scopeWithin({ role: "operator", brokers: ["*"], environments: ["staging"] }, creator)).toBe(true);
    expect(scopeWithin({ role: "operator", brokers: ["rabbit-staging"], environments: ["staging"] }, creator)).toBe(true);
    expect(scopeWithin({ role: "admin", brokers: ["sqs-eu", "sqs-*"], environments: ["*"] }, creator)).toBe(true);
  });

  it("refuses a role above the creator's anywhere in the scope, including brokers a glob may match later", () => {
    expect(scopeWithin(everywhere("reader"), creator)).toBe(false);
    expect(scopeWithin({ role: "operator", brokers: ["*"], environments: ["*"] }, creator)).toBe(false);
    expect(scopeWithin({ role: "operator", brokers: ["*"], environments: ["staging", "prod"] }, creator)).toBe(false);
    // "s*" matches more than "sqs-*" does.
    expect(scopeWithin({ role: "admin", brokers: ["s*"], environments: ["*"] }, creator)).toBe(false);
    expect(scopeWithin(everywhere("viewer"), [])).toBe(false);
  });
});

describe("intersectGrants: a token acts with the lower of its role and its owner's, where both reach", () => {
  it("caps the token at the owner's role broker by broker", () => {
    const owner: Grant[] = [everywhere("viewer"), { role: "operator", brokers: ["*"], environments: ["staging"] }];
    const grants = intersectGrants(everywhere("admin"), owner);
    expect(roleOn(grants, stagingRabbit)).toBe("operator");
    expect(roleOn(grants, prodRabbit)).toBe("viewer");
    expect(roleOn(grants, unlabelled)).toBe("viewer");
  });

  it("keeps the token's narrower scope: nothing outside its brokers and environments", () => {
    const grants = intersectGrants({ role: "operator", brokers: ["rabbit-*"], environments: ["staging"] }, [everywhere("admin")]);
    expect(roleOn(grants, stagingRabbit)).toBe("operator");
    expect(roleOn(grants, sqsStaging)).toBeNull();
    expect(roleOn(grants, prodRabbit)).toBeNull();
    expect(roleOn(grants, unlabelled)).toBeNull();
  });

  it("gives nothing when the owner has lost their grants, and never more than either side for two different globs", () => {
    expect(intersectGrants(everywhere("operator"), [])).toEqual([]);
    const grants = intersectGrants({ role: "operator", brokers: ["rabbit-*"], environments: ["*"] }, [{ role: "operator", brokers: ["*-staging"], environments: ["*"] }]);
    expect(roleOn(grants, stagingRabbit)).toBeNull(); // both reach it, but one glob cannot say "rabbit-* and *-staging": left out
    expect(roleOn(grants, prodRabbit)).toBeNull();
    expect(roleOn(grants, sqsStaging)).toBeNull();
  });

  it("keeps an unscoped grant unscoped when both sides are (the audit log needs one)", () => {
    expect(intersectGrants(everywhere("reader"), [everywhere("admin")])).toEqual([everywhere("reader")]);
  });
});
