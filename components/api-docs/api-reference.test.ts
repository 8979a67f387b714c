// The reference page's markup from the real document: every operation with its method, path and
// permission, every in-page link landing on an anchor, and no script of its own.
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { buildOpenApiDocument, sessionCookieName } from "@/lib/api/openapi/document";
import { ApiReference } from "./api-reference";

const document = buildOpenApiDocument({ serverUrl: "https://dlq.example.com", sessionCookie: sessionCookieName(true) });
const html = renderToStaticMarkup(createElement(ApiReference, { document }));

describe("the API reference page", () => {
  it("shows every operation of the document, with its permission", () => {
    const operations = Object.entries(document.paths).flatMap(([path, methods]) => Object.entries(methods).map(([method, operation]) => ({ key: `${method.toUpperCase()} ${path}`, operation })));
    const shown = [...html.matchAll(/data-operation="([^"]+)"/g)].map((match) => match[1]!.replaceAll("&#x27;", "'"));
    expect(shown.sort()).toEqual(operations.map(({ key }) => key).sort());
    const replay = html.slice(html.indexOf('id="op-replayMessages"'));
    expect(replay.slice(0, replay.indexOf("</article>"))).toMatch(/messages\.replay.*operator\+/s);
    expect(html).toContain("https://dlq.example.com");
    expect(html).toContain("__Secure-dlc.session_token");
  });

  it("lands every in-page link on an anchor", () => {
    const ids = new Set([...html.matchAll(/ id="([^"]+)"/g)].map((match) => match[1]));
    const targets = [...new Set([...html.matchAll(/href="#([^"]+)"/g)].map((match) => match[1]!))];
    expect(targets.length).toBeGreaterThan(20);
    expect(targets.filter((target) => !ids.has(target))).toEqual([]);
  });

  it("renders request bodies' fields and has no script (the CSP allows none inline)", () => {
    const purge = html.slice(html.indexOf('id="op-purgeMessages"'));
    expect(purge.slice(0, purge.indexOf("</article>"))).toMatch(/Request body.*operationId.*required.*confirm/s);
    expect(html).not.toContain("<script");
  });
});
