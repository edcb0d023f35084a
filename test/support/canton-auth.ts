/**
 * How a Canton 2.9 participant decides who a Ledger API token belongs to, given its rendered
 * `ledger-api.auth-services` and the JWKS the services point at. A test model of Canton's
 * `AuthServiceJWT` (main-2.x, ledger-api-auth): services are tried in order and the first one
 * that authenticates the token wins;
 *  - `target-audience`: the token is read as audience-based and must list that audience in
 *    `aud`, otherwise it is unauthenticated for this service;
 *  - `target-scope`: the token is read as scope-based and must carry that scope; `aud` is not
 *    checked;
 *  - neither: any standard token from the key set is accepted.
 * Signature and expiry are checked with jose. This is a model for tests, not Canton.
 */
import * as jose from "jose";

export interface AuthService {
  type: string;
  url: string;
  "target-audience"?: string;
  "target-scope"?: string;
}

export type Verdict = { user: string; service: number } | { unauthenticated: string };

export async function authenticate(services: AuthService[], jwksByUrl: Record<string, jose.JSONWebKeySet>, token: string): Promise<Verdict> {
  const reasons: string[] = [];
  for (const [i, s] of services.entries()) {
    if (s.type !== "jwt-rs-256-jwks") throw new Error(`model only covers jwt-rs-256-jwks, got ${s.type}`);
    const jwks = jwksByUrl[s.url];
    if (!jwks) throw new Error(`no JWKS at ${s.url}`);
    let payload: jose.JWTPayload;
    try {
      ({ payload } = await jose.jwtVerify(token, jose.createLocalJWKSet(jwks), { algorithms: ["RS256"] }));
    } catch (e) {
      reasons.push(`service ${i}: ${(e as Error).message}`);
      continue;
    }
    const aud = payload.aud === undefined ? [] : Array.isArray(payload.aud) ? payload.aud : [payload.aud];
    const scopes = typeof payload.scope === "string" ? payload.scope.split(" ") : [];
    if (s["target-audience"] !== undefined && !aud.includes(s["target-audience"])) {
      reasons.push(`service ${i}: audience ${JSON.stringify(aud)} lacks ${s["target-audience"]}`);
      continue;
    }
    if (s["target-scope"] !== undefined && !scopes.includes(s["target-scope"])) {
      reasons.push(`service ${i}: scope ${JSON.stringify(scopes)} lacks ${s["target-scope"]}`);
      continue;
    }
    if (typeof payload.sub !== "string") {
      reasons.push(`service ${i}: no sub`);
      continue;
    }
    return { user: payload.sub, service: i };
  }
  return { unauthenticated: reasons.join("; ") };
}
