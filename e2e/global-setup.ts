// Signs in once before the tests: the local admin (the default storageState of every test) and
// each OIDC user of e2e/users.ts, keeping their cookies for the role matrix.
import { mkdirSync } from "node:fs";
import path from "node:path";
import { chromium, request, type FullConfig } from "@playwright/test";
import { signInLocalAdmin, signInWithOidc } from "./sign-in";
import { ADMIN_STATE, E2E_BASE_URL, E2E_USERS, storageStatePath } from "./users";

export default async function globalSetup(config: FullConfig): Promise<void> {
  mkdirSync(path.dirname(ADMIN_STATE), { recursive: true });
  const api = await request.newContext({ baseURL: E2E_BASE_URL });
  await signInLocalAdmin(api);
  await api.storageState({ path: ADMIN_STATE });
  await api.dispose();

  const launchOptions = config.projects[0]?.use.launchOptions ?? {};
  const browser = await chromium.launch(launchOptions);
  try {
    for (const user of E2E_USERS) {
      const context = await browser.newContext({ baseURL: E2E_BASE_URL });
      await signInWithOidc(await context.newPage(), user.login);
      await context.storageState({ path: storageStatePath(user.login) });
      await context.close();
    }
  } finally {
    await browser.close();
  }
}
