// The header's right side: who is signed in, their strongest role, and sign-out. Reading the
// session makes every page render per request, which the nonce-based CSP needs anyway.
import { headers } from "next/headers";
import { globalRole, ROLES } from "@/lib/auth/roles";
import { signedInUser } from "@/lib/auth/session";
import { SignOutButton } from "./sign-out-button";

export async function UserMenu() {
  const user = await signedInUser(await headers());
  if (!user) return null;
  const strongest = user.grants.reduce<string | null>((best, grant) => (best === null || ROLES.indexOf(grant.role) > ROLES.indexOf(best as never) ? grant.role : best), null);
  const everywhere = globalRole(user.grants);
  const roleLabel = strongest ? (everywhere === strongest ? strongest : `${strongest} (scoped)`) : "no access";
  return (
    <div className="ml-auto flex items-center gap-3 text-sm" data-testid="user-menu">
      <span className="text-zinc-700 dark:text-zinc-300" title={user.groups.join(", ")}>
        {user.email}
      </span>
      <span className="rounded bg-zinc-100 px-2 py-0.5 text-xs text-zinc-600 dark:bg-zinc-800 dark:text-zinc-400" data-testid="user-role">
        {roleLabel}
      </span>
      <SignOutButton />
    </div>
  );
}
