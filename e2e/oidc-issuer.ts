// A real OpenID Connect issuer on loopback for the e2e tests (oidc-provider with its built-in
// development login pages: any login name signs in). The login name picks the user, and with it
// the groups claim the console maps to roles (see E2E_USERS and playwright.config.ts).
import Provider from "oidc-provider";
import { E2E_OIDC, E2E_USERS } from "./users";

const users = new Map(E2E_USERS.map((user) => [user.login, user]));

const provider = new Provider(E2E_OIDC.issuer, {
  clients: [
    {
      client_id: E2E_OIDC.clientId,
      client_secret: E2E_OIDC.clientSecret,
      redirect_uris: [E2E_OIDC.redirectUri],
      // RP-initiated logout returns here (lib/auth/server.ts postLogoutRedirectUri).
      post_logout_redirect_uris: [E2E_OIDC.postLogoutRedirectUri],
      grant_types: ["authorization_code"],
      response_types: ["code"],
      token_endpoint_auth_method: "client_secret_basic",
    },
  ],
  claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["name"], groups: ["groups"] },
  scopes: ["openid", "email", "profile", "groups"],
  // Put the scopes' claims in the ID token too, as Entra ID and Keycloak do for groups.
  conformIdTokenClaims: false,
  pkce: { required: () => true },
  features: { devInteractions: { enabled: true } },
  async findAccount(_ctx, id) {
    const user = users.get(id) ?? { login: id, email: `${id}@e2e.test`, name: id, groups: [] };
    return {
      accountId: id,
      async claims() {
        return { sub: id, email: user.email, email_verified: true, name: user.name, groups: [...user.groups] };
      },
    };
  },
});
provider.proxy = false;

const url = new URL(E2E_OIDC.issuer);
provider.listen(Number(url.port), url.hostname, () => console.log(`[oidc] issuer on ${E2E_OIDC.issuer}`));
