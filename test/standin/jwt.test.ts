/**
 * The stand-in's (a TEST DOUBLE, see ./README.md) Ledger API token check: node:crypto only,
 * proven against tokens jose signs.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as jose from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { JwtVerifier } from "./jwt";

let dir: string;
let jwks: string;
let key: CryptoKey;
let otherKey: CryptoKey;
const AUD = "https://participant1.canton.local/ledger-api";

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "standin-jwt-"));
  const kp = await jose.generateKeyPair("RS256");
  key = kp.privateKey as CryptoKey;
  otherKey = (await jose.generateKeyPair("RS256")).privateKey as CryptoKey;
  jwks = path.join(dir, "jwks.json");
  fs.writeFileSync(jwks, JSON.stringify({ keys: [{ ...(await jose.exportJWK(kp.publicKey)), kid: "k1", alg: "RS256", use: "sig" }] }));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

async function sign(o: { aud?: string; scope?: string; sub?: string; exp?: number | string; nbf?: number; kid?: string; with?: CryptoKey } = {}): Promise<string> {
  const j = new jose.SignJWT(o.scope === undefined ? {} : { scope: o.scope }).setProtectedHeader({ alg: "RS256", kid: o.kid ?? "k1" }).setIssuedAt();
  if (o.sub !== "") j.setSubject(o.sub ?? "participant_admin");
  if (o.aud) j.setAudience(o.aud);
  j.setExpirationTime(o.exp ?? "1h");
  if (o.nbf !== undefined) j.setNotBefore(o.nbf);
  return `Bearer ${await j.sign(o.with ?? key)}`;
}

describe("JwtVerifier (Canton jwt-rs-256-jwks with target-audience / target-scope)", () => {
  it("accepts a token of the key set with the audience, and names its user", async () => {
    expect(new JwtVerifier({ jwksFile: jwks, audience: AUD }).verify(await sign({ aud: AUD, sub: "alice" }))).toEqual({ ok: true, user: "alice" });
    expect(new JwtVerifier({ jwksFile: jwks }).verify(await sign())).toEqual({ ok: true, user: "participant_admin" });
    expect(new JwtVerifier({ jwksFile: jwks, scope: "daml_ledger_api" }).verify(await sign({ scope: "openid daml_ledger_api" }))).toMatchObject({ ok: true });
  });

  it("refuses what Canton refuses", async () => {
    const v = new JwtVerifier({ jwksFile: jwks, audience: AUD });
    const reason = async (auth: string | undefined) => {
      const r = v.verify(auth);
      return r.ok ? "accepted" : r.reason;
    };
    expect(await reason(undefined)).toMatch(/no bearer token/);
    expect(await reason("Basic dXNlcg==")).toMatch(/not a bearer token/);
    expect(await reason(await sign({ aud: "https://other/ledger-api" }))).toMatch(/audience/);
    expect(await reason(await sign({}))).toMatch(/audience/);
    expect(await reason(await sign({ aud: AUD, with: otherKey }))).toMatch(/signature/);
    expect(await reason(await sign({ aud: AUD, kid: "k2" }))).toMatch(/no key with kid k2/);
    expect(await reason(await sign({ aud: AUD, exp: Math.floor(Date.now() / 1000) - 5 }))).toMatch(/expired/);
    expect(await reason(await sign({ aud: AUD, nbf: Math.floor(Date.now() / 1000) + 600 }))).toMatch(/not yet valid/);
    expect(await reason(await sign({ aud: AUD, sub: "" }))).toMatch(/no sub/);
    expect(new JwtVerifier({ jwksFile: jwks, scope: "daml_ledger_api" }).verify(await sign({ scope: "openid" }))).toMatchObject({ ok: false });
    const [h, p] = (await sign({ aud: AUD })).slice(7).split(".");
    const none = `Bearer ${Buffer.from(JSON.stringify({ alg: "none" })).toString("base64url")}.${p}.`;
    expect(await reason(none)).toMatch(/alg none/);
    expect(await reason(`Bearer ${h}.${p}`)).toMatch(/not a JWS/);
  });

  it("reads a rotated key set from the same file", async () => {
    const v = new JwtVerifier({ jwksFile: jwks, audience: AUD });
    const kp = await jose.generateKeyPair("RS256");
    const rotated = path.join(dir, "rotated.json");
    fs.copyFileSync(jwks, rotated);
    const r = new JwtVerifier({ jwksFile: rotated, audience: AUD });
    const t = await sign({ aud: AUD, kid: "k9", with: kp.privateKey as CryptoKey });
    expect(r.verify(t)).toMatchObject({ ok: false });
    fs.writeFileSync(rotated, JSON.stringify({ keys: [{ ...(await jose.exportJWK(kp.publicKey)), kid: "k9" }] }));
    fs.utimesSync(rotated, new Date(), new Date(Date.now() + 5000));
    expect(r.verify(t)).toEqual({ ok: true, user: "participant_admin" });
    expect(v.verify(t)).toMatchObject({ ok: false });
  });
});
