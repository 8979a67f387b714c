import { redirect } from "next/navigation";
import { headers } from "next/headers";
import { SignInForm } from "@/components/auth/sign-in-form";
import { signedInUser } from "@/lib/auth/session";
import { getConfig } from "@/lib/config";

export const dynamic = "force-dynamic";

/** A same-origin path only: anything else (another host, `//host`) would be an open redirect. */
function safeNext(value: string | string[] | undefined): string {
  const next = Array.isArray(value) ? value[0] : value;
  return next && next.startsWith("/") && !next.startsWith("//") && !next.startsWith("/\\") ? next : "/";
}

export default async function SignInPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const params = await searchParams;
  const next = safeNext(params.next);
  if (await signedInUser(await headers())) redirect(next);
  const { auth } = getConfig();
  return (
    <div className="mx-auto mt-16 max-w-sm rounded-lg border border-zinc-200 bg-white p-6 shadow-sm dark:border-zinc-800 dark:bg-zinc-900">
      <h1 className="mb-6 text-lg font-semibold">Sign in</h1>
      {params.error ? (
        <p role="alert" className="mb-4 text-sm text-red-700 dark:text-red-300">
          Single sign-on did not complete. Try again, or ask an admin to check the identity provider settings.
        </p>
      ) : null}
      <SignInForm oidcName={auth.oidc?.name ?? null} localAccounts={auth.localAccounts} next={next} />
    </div>
  );
}
