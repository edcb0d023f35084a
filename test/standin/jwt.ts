/**
 * TEST DOUBLE — part of the canton-ha stand-in Canton node (see ./README.md).
 * This is NOT Canton. It checks Ledger API bearer tokens the way a participant with
 * `auth-services = [{ type = jwt-rs-256-jwks, url = "file://...", target-audience | target-scope }]`
 * decides who a token belongs to (test/support/canton-auth.ts models the same rules for
 * unit tests; this copy uses node:crypto only, so the bundle runs on Debian's Node 18 in
 * the stand-in image, which has no global WebCrypto for jose):
 *  - RS256 signature by a key of the JWKS (by `kid` when the token names one);
 *  - `exp` in the future and `nbf` (if any) in the past (no leeway: Canton's default);
 *  - `target-audience`: `aud` must contain it; `target-scope`: `scope` must contain it;
 *  - a `sub` (the Ledger API user).
 */
import * as crypto from "node:crypto";
import * as fs from "node:fs";

export interface JwtRules {
  jwksFile: string;
  audience?: string;
  scope?: string;
  /** Seconds of clock skew accepted on exp / nbf (default 0, as Canton without `leeway`). */
  leewaySeconds?: number;
}

export type JwtVerdict = { ok: true; user: string } | { ok: false; reason: string };

interface Jwk extends crypto.JsonWebKey {
  kid?: string;
  alg?: string;
  use?: string;
}

function b64urlJson(part: string): Record<string, unknown> {
  const v = JSON.parse(Buffer.from(part, "base64url").toString("utf8")) as unknown;
  if (typeof v !== "object" || v === null || Array.isArray(v)) throw new Error("not a JSON object");
  return v as Record<string, unknown>;
}

export class JwtVerifier {
  private keys: { kid?: string; key: crypto.KeyObject }[] = [];
  private loadedMtimeMs = -1;

  constructor(private readonly rules: JwtRules) {
    this.reload();
  }

  /** Reads the JWKS again when the file changed (a rotated key set is mounted in place). */
  private reload(): void {
    const st = fs.statSync(this.rules.jwksFile);
    if (st.mtimeMs === this.loadedMtimeMs) return;
    const doc = JSON.parse(fs.readFileSync(this.rules.jwksFile, "utf8")) as { keys?: Jwk[] };
    if (!Array.isArray(doc.keys) || doc.keys.length === 0) throw new Error(`${this.rules.jwksFile}: no keys in the JWKS`);
    this.keys = doc.keys
      .filter((k) => k.kty === "RSA" && (k.use === undefined || k.use === "sig") && (k.alg === undefined || k.alg === "RS256"))
      .map((k) => ({ kid: k.kid, key: crypto.createPublicKey({ key: { kty: k.kty, n: k.n, e: k.e }, format: "jwk" }) }));
    if (this.keys.length === 0) throw new Error(`${this.rules.jwksFile}: no RSA signing key in the JWKS`);
    this.loadedMtimeMs = st.mtimeMs;
  }

  /** `authorization` header value (`Bearer <jwt>`) or undefined. */
  verify(authorization: string | undefined, nowMs = Date.now()): JwtVerdict {
    if (!authorization) return { ok: false, reason: "no bearer token" };
    const m = /^Bearer\s+(\S+)$/i.exec(authorization);
    if (!m) return { ok: false, reason: "authorization is not a bearer token" };
    const parts = m[1].split(".");
    if (parts.length !== 3) return { ok: false, reason: "not a JWS compact token" };
    let header: Record<string, unknown>;
    let payload: Record<string, unknown>;
    try {
      header = b64urlJson(parts[0]);
      payload = b64urlJson(parts[1]);
    } catch (e) {
      return { ok: false, reason: `malformed token: ${(e as Error).message}` };
    }
    if (header.alg !== "RS256") return { ok: false, reason: `alg ${String(header.alg)} is not RS256` };
    try {
      this.reload();
    } catch (e) {
      return { ok: false, reason: `JWKS unreadable: ${(e as Error).message}` };
    }
    const candidates = typeof header.kid === "string" ? this.keys.filter((k) => k.kid === header.kid) : this.keys;
    if (candidates.length === 0) return { ok: false, reason: `no key with kid ${String(header.kid)} in the JWKS` };
    const signed = Buffer.from(`${parts[0]}.${parts[1]}`);
    const sig = Buffer.from(parts[2], "base64url");
    if (!candidates.some((k) => crypto.verify("RSA-SHA256", signed, k.key, sig))) return { ok: false, reason: "signature does not verify" };
    const now = nowMs / 1000;
    const leeway = this.rules.leewaySeconds ?? 0;
    if (typeof payload.exp !== "number") return { ok: false, reason: "no exp" };
    if (payload.exp + leeway < now) return { ok: false, reason: "token expired" };
    if (typeof payload.nbf === "number" && payload.nbf - leeway > now) return { ok: false, reason: "token not yet valid" };
    if (this.rules.audience !== undefined) {
      const aud = payload.aud === undefined ? [] : Array.isArray(payload.aud) ? payload.aud : [payload.aud];
      if (!aud.includes(this.rules.audience)) return { ok: false, reason: `audience ${JSON.stringify(aud)} lacks ${this.rules.audience}` };
    }
    if (this.rules.scope !== undefined) {
      const scopes = typeof payload.scope === "string" ? payload.scope.split(" ") : [];
      if (!scopes.includes(this.rules.scope)) return { ok: false, reason: `scope ${JSON.stringify(scopes)} lacks ${this.rules.scope}` };
    }
    if (typeof payload.sub !== "string" || payload.sub === "") return { ok: false, reason: "no sub" };
    return { ok: true, user: payload.sub };
  }
}
