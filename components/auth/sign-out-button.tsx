"use client";
// Sign out: better-auth deletes the session (audited) and clears the cookie. An OIDC user is then
// sent to the IdP's end-session page (RP-initiated logout), which returns to /signin; a local
// account goes straight back to /signin.
import { useState } from "react";

/** The IdP end-session URL the sign-out answered with, when it is an http(s) URL. */
function redirectOf(body: unknown): string | null {
  const redirect = body && typeof body === "object" ? (body as { redirect?: unknown }).redirect : null;
  return typeof redirect === "string" && /^https?:\/\//i.test(redirect) ? redirect : null;
}

export function SignOutButton() {
  const [busy, setBusy] = useState(false);
  async function signOut() {
    setBusy(true);
    const response = await fetch("/api/auth/sign-out", { method: "POST", headers: { "Content-Type": "application/json" }, body: "{}", credentials: "same-origin" }).catch(() => null);
    // Not JSON (an error page): the console's session may still be gone; /signin tells.
    const body: unknown = response?.ok ? await response.json().catch(() => null) : null;
    // A full load, so no cached query of the signed-out user survives.
    window.location.assign(redirectOf(body) ?? "/signin");
  }
  return (
    <button type="button" disabled={busy} onClick={() => void signOut()} className="text-sm text-zinc-600 hover:text-zinc-900 disabled:opacity-50 dark:text-zinc-400 dark:hover:text-zinc-100">
      Sign out
    </button>
  );
}
