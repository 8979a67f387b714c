import Link from "next/link";
import { UserMenu } from "@/components/auth/user-menu";

export function AppHeader() {
  return (
    <header className="border-b border-zinc-200 bg-white dark:border-zinc-800 dark:bg-zinc-900">
      <div className="mx-auto flex max-w-7xl items-center gap-6 px-4 py-3">
        <Link href="/" className="font-semibold tracking-tight">
          Dead-letter console
        </Link>
        <nav className="flex gap-4 text-sm text-zinc-600 dark:text-zinc-400">
          <Link href="/" className="hover:text-zinc-900 dark:hover:text-zinc-100">
            Queues
          </Link>
          <Link href="/alerts" className="hover:text-zinc-900 dark:hover:text-zinc-100">
            Alerts
          </Link>
          <Link href="/hygiene" className="hover:text-zinc-900 dark:hover:text-zinc-100">
            Hygiene
          </Link>
          <Link href="/jobs" className="hover:text-zinc-900 dark:hover:text-zinc-100">Jobs</Link>
          <Link href="/audit" className="hover:text-zinc-900 dark:hover:text-zinc-100">
            Audit
          </Link>
          <Link href="/settings/tokens" className="hover:text-zinc-900 dark:hover:text-zinc-100">
            API tokens
          </Link>
          <Link href="/api-docs" className="hover:text-zinc-900 dark:hover:text-zinc-100">
            API docs
          </Link>
        </nav>
        <UserMenu />
      </div>
    </header>
  );
}
