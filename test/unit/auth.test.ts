// Ledger API auth, pure parts: renewal decision, JWKS (x5c, x5t, kid), token minting and
// verification with jose, rotation overlap, and the serialized dynamic providers.
import * as pulumi from "@pulumi/pulumi";
import * as jose from "jose";
import { X509Certificate } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { buildJwks, certificateBlocks, Jwks, jwkFromChain, keyIdOfPrivateKey, x5tOf } from "../../components/auth/jwks";
import { jwksProvider, mintToken, TokenInputs, tokenChange, tokenProvider } from "../../components/auth/providers";
import { decideRenewal } from "../../components/auth/renewal";
import { signToken, tokenClaims } from "../../components/auth/tokens";
import { ledgerApiAuth } from "../../components/auth/ledger-api";
import { tokenResourceName } from "../../components/auth/participant-auth";
import { parseConfig } from "../../components/config";
import { publishedGenerations } from "../../components/plan/auth";
import { buildPlan } from "../../components/plan/build";
import { derBase64ToPem, makeSigningChain, opensslVerify, SigningChain } from "../support/auth-support";
import { raw, render } from "../support/fixtures";
import { parseHocon } from "../support/hocon-support";
import { authenticate, AuthService } from "../support/canton-auth";

const HOUR = 3600;
const AUD1 = "https://participant1.canton.local/ledger-api";
const AUD2 = "https://participant2.canton.local/ledger-api";

let p1: SigningChain;
let p2: SigningChain;
let jwks1: Jwks;
let jwks2: Jwks;

beforeAll(() => {
    p1 = makeSigningChain("participant1", [1, 2]);
    p2 = makeSigningChain("participant2", [1]);
});

beforeAll(async () => {
    jwks1 = await buildJwks([p1.leaves[1].chainPem]);
    jwks2 = await buildJwks([p2.leaves[1].chainPem]);
});

function inputs(chain: SigningChain, gen: number, kid: string, over: Partial<TokenInputs> = {}): TokenInputs {
    return {
        signingKeyPem: chain.leaves[gen].keyPem,
        kid,
        subject: "alice",
        audience: AUD1,
        scope: "daml_ledger_api",
        issuer: "canton-ha",
        lifetimeSeconds: 24 * HOUR,
        renewalWindowSeconds: 6 * HOUR,
        reissue: 0,
        ...over,
    };
}

const now = () => Math.floor(Date.now() / 1000);

describe("decideRenewal(now, issuedAt, expiresAt, window)", () => {
    const iat = 1_000_000;
    const exp = iat + 24 * HOUR;
    const window = 6 * HOUR;
    const cases: [string, number, boolean, string][] = [
        ["just issued", iat, false, "valid"],
        ["mid-life", iat + 12 * HOUR, false, "valid"],
        ["one second before the window", exp - window - 1, false, "valid"],
        ["first second of the window (inclusive)", exp - window, true, "renewal-window"],
        ["inside the window", exp - HOUR, true, "renewal-window"],
        ["last second before expiry", exp - 1, true, "renewal-window"],
        ["at exp (a JWT is invalid from exp on)", exp, true, "expired"],
        ["long after expiry", exp + 30 * 24 * HOUR, true, "expired"],
        ["clock before iat (skew): still valid", iat - 60, false, "valid"],
    ];
    it.each(cases)("%s", (_name, t, renew, reason) => {
        expect(decideRenewal(t, iat, exp, window)).toEqual({ renew, reason });
    });

    it("window 0: renews only once expired", () => {
        expect(decideRenewal(exp - 1, iat, exp, 0).renew).toBe(false);
        expect(decideRenewal(exp, iat, exp, 0)).toEqual({ renew: true, reason: "expired" });
    });

    it("re-mints when the state cannot describe a token", () => {
        for (const [a, b] of [
            [NaN, exp],
            [iat, undefined as unknown as number],
            [exp, iat],
            [iat, iat],
        ]) {
            expect(decideRenewal(iat, a, b, window)).toEqual({ renew: true, reason: "no-valid-state" });
        }
    });
});

describe("JWKS", () => {
    it("has kid, alg RS256, use sig, and x5c = leaf, intermediate, root as base64 DER", async () => {
        const [k] = jwks1.keys;
        expect(k).toMatchObject({ kty: "RSA", alg: "RS256", use: "sig" });
        expect(k.x5c).toHaveLength(3);
        const expected = [p1.leaves[1].certPem, p1.intermediateCertPem, p1.rootCertPem].map((pem) => new X509Certificate(pem).raw.toString("base64"));
        expect(k.x5c).toEqual(expected);
        for (const c of k.x5c) expect(c).not.toMatch(/BEGIN|\n/);
        // kid is the RFC 7638 thumbprint of the leaf's key, the same the signer computes from its private key
        expect(k.kid).toBe(await jose.calculateJwkThumbprint({ kty: "RSA", n: k.n, e: k.e }));
        expect(k.kid).toBe(await keyIdOfPrivateKey(p1.leaves[1].keyPem));
    });

    it("x5t is base64url(SHA-1(DER)), as node:crypto's fingerprint says (not base64 of the hex)", () => {
        const leaf = new X509Certificate(p1.leaves[1].certPem);
        const fromFingerprint = Buffer.from(leaf.fingerprint.replace(/:/g, ""), "hex").toString("base64url");
        expect(jwks1.keys[0].x5t).toBe(fromFingerprint);
        expect(x5tOf(leaf.raw)).toBe(fromFingerprint);
        expect(fromFingerprint).toMatch(/^[A-Za-z0-9_-]{27}$/); // 20 bytes, unpadded base64url
        // the reference's mistake: base64 of the hex fingerprint text
        expect(jwks1.keys[0].x5t).not.toBe(Buffer.from(leaf.fingerprint.replace(/:/g, "")).toString("base64"));
    });

    it("the x5c chain verifies with openssl", () => {
        const [leaf, intermediate, root] = jwks1.keys[0].x5c.map(derBase64ToPem);
        expect(opensslVerify(leaf, intermediate, root)).toMatch(/: OK$/);
    });

    it("the n/e public key is the leaf certificate's key", async () => {
        const fromJwk = await jose.importJWK(jwks1.keys[0], "RS256");
        const spki = new X509Certificate(p1.leaves[1].certPem).publicKey.export({ type: "spki", format: "pem" });
        expect((await jose.exportSPKI(fromJwk as CryptoKey)).trim()).toBe(String(spki).trim());
    });

    it("refuses a chain out of order, an empty chain and the same key twice", async () => {
        const c = p1.leaves[1];
        const swapped = [p1.intermediateCertPem, c.certPem, p1.rootCertPem].join("");
        await expect(jwkFromChain(swapped)).rejects.toThrow(/is not signed by certificate 1/);
        await expect(jwkFromChain(`${c.certPem}${p2.intermediateCertPem}`)).rejects.toThrow(/not signed by/);
        await expect(jwkFromChain("no pem here")).rejects.toThrow(/no certificate/);
        await expect(buildJwks([c.chainPem, c.chainPem])).rejects.toThrow(/same key/);
        expect(certificateBlocks(c.chainPem)).toHaveLength(3);
    });

    it("the Jwks provider publishes newest first and reports kids oldest first", async () => {
        const r = await jwksProvider.create!({ chains: [p1.leaves[1].chainPem, p1.leaves[2].chainPem] });
        const doc = JSON.parse(r.outs.jwks) as Jwks;
        const k1 = await keyIdOfPrivateKey(p1.leaves[1].keyPem);
        const k2 = await keyIdOfPrivateKey(p1.leaves[2].keyPem);
        expect(r.outs.kids).toEqual([k1, k2]);
        expect(doc.keys.map((k) => k.kid)).toEqual([k2, k1]);
        const same = await jwksProvider.diff!("id", r.outs, { chains: [p1.leaves[1].chainPem, p1.leaves[2].chainPem] });
        expect(same.changes).toBe(false);
        const retired = await jwksProvider.diff!("id", r.outs, { chains: [p1.leaves[2].chainPem] });
        expect(retired.changes).toBe(true);
    });
});

describe("tokens verify against the published JWKS", () => {
    it("a user token: RS256 header with kid, right sub/aud/scope/iss, exp = iat + lifetime", async () => {
        const kid = jwks1.keys[0].kid;
        const t = await mintToken(inputs(p1, 1, kid), now());
        const header = jose.decodeProtectedHeader(t.token);
        expect(header).toEqual({ alg: "RS256", typ: "JWT", kid });
        const { payload } = await jose.jwtVerify(t.token, jose.createLocalJWKSet(jwks1), { audience: AUD1, issuer: "canton-ha", algorithms: ["RS256"] });
        expect(payload).toEqual({ sub: "alice", aud: AUD1, scope: "daml_ledger_api", iss: "canton-ha", iat: t.issuedAt, exp: t.expiresAt });
        expect(t.expiresAt - t.issuedAt).toBe(24 * HOUR);
        expect(t.expiresAtIso).toBe(new Date(t.expiresAt * 1000).toISOString());
        expect(t).not.toHaveProperty("signingKeyPem");
    });

    it("participant_admin: scope but no aud, verifies without an audience check", async () => {
        const t = await mintToken(inputs(p1, 1, jwks1.keys[0].kid, { subject: "participant_admin", audience: undefined }), now());
        const { payload } = await jose.jwtVerify(t.token, jose.createLocalJWKSet(jwks1), { algorithms: ["RS256"] });
        expect(payload.aud).toBeUndefined();
        expect(payload.sub).toBe("participant_admin");
        expect(payload.scope).toBe("daml_ledger_api");
        // and it is not accepted where an audience is required
        await expect(jose.jwtVerify(t.token, jose.createLocalJWKSet(jwks1), { audience: AUD1 })).rejects.toThrow(/aud/);
    });

    it("a token signed by participant1's key fails against participant2's JWKS", async () => {
        const t = await mintToken(inputs(p1, 1, jwks1.keys[0].kid), now());
        await expect(jose.jwtVerify(t.token, jose.createLocalJWKSet(jwks2))).rejects.toBeInstanceOf(jose.errors.JWKSNoMatchingKey);
        // even when it claims participant2's kid: the signature does not verify
        const forged = await new jose.SignJWT(tokenClaims({ subject: "alice", audience: AUD2, scope: "daml_ledger_api", issuer: "canton-ha", lifetimeSeconds: HOUR }, now()))
            .setProtectedHeader({ alg: "RS256", typ: "JWT", kid: jwks2.keys[0].kid })
            .sign(await jose.importPKCS8(p1.leaves[1].keyPem, "RS256"));
        await expect(jose.jwtVerify(forged, jose.createLocalJWKSet(jwks2))).rejects.toBeInstanceOf(jose.errors.JWSSignatureVerificationFailed);
    });

    it("a token for participant1's audience fails participant2's audience check", async () => {
        const t = await mintToken(inputs(p2, 1, jwks2.keys[0].kid, { audience: AUD1 }), now());
        await expect(jose.jwtVerify(t.token, jose.createLocalJWKSet(jwks2), { audience: AUD2 })).rejects.toBeInstanceOf(jose.errors.JWTClaimValidationFailed);
    });

    it("an expired token fails", async () => {
        const t = await mintToken(inputs(p1, 1, jwks1.keys[0].kid, { lifetimeSeconds: HOUR }), now() - 2 * HOUR);
        await expect(jose.jwtVerify(t.token, jose.createLocalJWKSet(jwks1), { audience: AUD1 })).rejects.toBeInstanceOf(jose.errors.JWTExpired);
    });

    it("refuses to sign when the key is not the one the JWKS publishes under kid", async () => {
        await expect(signToken(p1.leaves[2].keyPem, jwks1.keys[0].kid, tokenClaims({ subject: "a", scope: "s", issuer: "i", lifetimeSeconds: 60 }, now()))).rejects.toThrow(
            /refusing to mint/,
        );
        expect(() => tokenClaims({ subject: "a", scope: "s", issuer: "i", lifetimeSeconds: 0 }, now())).toThrow(/positive/);
    });

    it("rotation: while g1 and g2 are published both tokens verify; after retiring g1 only g2's do", async () => {
        const both = await buildJwks([p1.leaves[1].chainPem, p1.leaves[2].chainPem]);
        const onlyNew = await buildJwks([p1.leaves[2].chainPem]);
        const [kid1, kid2] = both.keys.map((k) => k.kid);
        const old = await mintToken(inputs(p1, 1, kid1), now());
        const fresh = await mintToken(inputs(p1, 2, kid2), now());
        for (const t of [old, fresh]) await jose.jwtVerify(t.token, jose.createLocalJWKSet(both), { audience: AUD1 });
        await jose.jwtVerify(fresh.token, jose.createLocalJWKSet(onlyNew), { audience: AUD1 });
        await expect(jose.jwtVerify(old.token, jose.createLocalJWKSet(onlyNew))).rejects.toBeInstanceOf(jose.errors.JWKSNoMatchingKey);
    });
});

describe("JwtToken provider: `pulumi up` re-mints only when it must", () => {
    let kid: string;
    let minted: Awaited<ReturnType<typeof mintToken>>;
    const iat = 2_000_000_000;
    beforeAll(async () => {
        kid = jwks1.keys[0].kid;
        minted = await mintToken(inputs(p1, 1, kid), iat);
    });

    it("no diff inside the validity period, before the renewal window", () => {
        expect(tokenChange(minted, inputs(p1, 1, kid), iat + 60)).toBeUndefined();
        expect(tokenChange(minted, inputs(p1, 1, kid), iat + 18 * HOUR - 1)).toBeUndefined();
    });

    it("re-mints inside the renewal window and after expiry", () => {
        expect(tokenChange(minted, inputs(p1, 1, kid), iat + 18 * HOUR)).toBe("renewal-window");
        expect(tokenChange(minted, inputs(p1, 1, kid), iat + 24 * HOUR)).toBe("expired");
    });

    it("a new renewal window applies to the existing token without re-minting it by itself", () => {
        expect(tokenChange(minted, inputs(p1, 1, kid, { renewalWindowSeconds: HOUR }), iat + 18 * HOUR)).toBeUndefined();
        expect(tokenChange(minted, inputs(p1, 1, kid, { renewalWindowSeconds: 20 * HOUR }), iat + 5 * HOUR)).toBe("renewal-window");
    });

    it("re-mints when a claim, the signing key or the reissue counter changes", () => {
        const at = iat + 60;
        expect(tokenChange(minted, inputs(p1, 1, kid, { audience: AUD2 }), at)).toBe("changed: audience");
        expect(tokenChange(minted, inputs(p1, 2, "other-kid"), at)).toBe("changed: kid");
        expect(tokenChange(minted, inputs(p1, 1, kid, { lifetimeSeconds: 48 * HOUR }), at)).toBe("changed: lifetimeSeconds");
        expect(tokenChange(minted, inputs(p1, 1, kid, { reissue: 1 }), at)).toBe("changed: reissue");
        expect(tokenChange(minted, inputs(p1, 1, kid, { issuer: "x", scope: "y" }), at)).toBe("changed: scope, issuer");
        // an unknown value during preview (the engine's sentinel string) counts as a change
        expect(tokenChange(minted, inputs(p1, 1, "04da6b54-80e4-46f7-96ec-b56ff0331ba9"), at)).toBe("changed: kid");
    });

    it("the provider's diff uses the clock: a fresh token has no diff, an old one does", async () => {
        const fresh = await tokenProvider.create!(inputs(p1, 1, kid));
        expect((await tokenProvider.diff!(fresh.id, fresh.outs, inputs(p1, 1, kid))).changes).toBe(false);
        const old = await mintToken(inputs(p1, 1, kid), now() - 20 * HOUR);
        expect((await tokenProvider.diff!("id", old, inputs(p1, 1, kid))).changes).toBe(true);
        const updated = await tokenProvider.update!("id", old, inputs(p1, 1, kid));
        expect(updated.outs.issuedAt).toBeGreaterThanOrEqual(now() - 5);
        await jose.jwtVerify(updated.outs.token, jose.createLocalJWKSet(jwks1), { audience: AUD1 });
    });
});

describe("the serialized providers run on their own, as the engine's dynamic provider host runs them", () => {
    // pulumi-resource-pulumi-nodejs loads the `__provider` text with require-from-string and
    // calls handler(); no module of this program is loaded there.
    const load = async (provider: pulumi.dynamic.ResourceProvider) => {
        const sf = await pulumi.runtime.serializeFunction(() => provider, { allowSecrets: true });
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const requireFromString = require("require-from-string") as (code: string) => any;
        return requireFromString(sf.text).handler() as pulumi.dynamic.ResourceProvider;
    };

    it("Jwks and JwtToken providers create, diff and update from their serialized text", async () => {
        const jp = await load(jwksProvider);
        const j = await jp.create!({ chains: [p1.leaves[1].chainPem] });
        const kid = j.outs.kids[0];
        expect(JSON.parse(j.outs.jwks)).toEqual(jwks1);
        const tp = await load(tokenProvider);
        const t = await tp.create!(inputs(p1, 1, kid));
        await jose.jwtVerify(t.outs.token, jose.createLocalJWKSet(jwks1), { audience: AUD1 });
        expect((await tp.diff!(t.id, t.outs, inputs(p1, 1, kid))).changes).toBe(false);
        expect((await tp.diff!(t.id, { ...t.outs, expiresAt: now() + 60 }, inputs(p1, 1, kid))).changes).toBe(true);
    });
});

describe("auth plan", () => {
    const planOf = (participants: unknown[], auth: Record<string, unknown> = {}) => buildPlan(parseConfig(raw({ participants, auth })), "t");

    it("publishes the current and the previous key generation until the previous one is retired", () => {
        expect(publishedGenerations(1, 0)).toEqual([1]);
        expect(publishedGenerations(2, 0)).toEqual([1, 2]);
        expect(publishedGenerations(2, 1)).toEqual([2]);
        expect(publishedGenerations(5, 0)).toEqual([4, 5]);
        expect(publishedGenerations(5, 4)).toEqual([5]);
    });

    it("plans signing certificates, audience, scope and one token per user plus participant_admin", () => {
        const plan = planOf([{ name: "p1", users: ["alice", { id: "a:b", primaryParty: "a_b" }], jwtKeyGeneration: 3, tokenReissue: { alice: 2 } }], {
            tokenLifetimeHours: 10,
            renewalWindowHours: 2,
            issuer: "iss",
        });
        const p = plan.participants[0];
        expect(p.auth).toMatchObject({
            issuer: "iss",
            audience: "https://p1.canton.local/ledger-api",
            scope: "daml_ledger_api",
            publishedKeys: [
                { generation: 2, certificate: { id: "jwt-signing-g2" } },
                { generation: 3, certificate: { id: "jwt-signing-g3" } },
            ],
            signingKey: { generation: 3, certificate: { id: "jwt-signing-g3" } },
            tokenLifetimeSeconds: 36000,
            renewalWindowSeconds: 7200,
        });
        expect(p.auth.tokens).toEqual([
            { user: "alice", audience: "https://p1.canton.local/ledger-api", reissue: 2 },
            { user: "a:b", audience: "https://p1.canton.local/ledger-api", reissue: 0 },
            { user: "participant_admin", audience: "https://p1.canton.local/ledger-api", reissue: 0 },
        ]);
        expect(p.trustDomain.certificates).toContain(p.auth.signingKey.certificate);
        expect(p.auth.audience.startsWith("https://daml.com/jwt/aud/participant/")).toBe(false);
        const td = plan.trustDomains.find((t) => t.id === "p1")!;
        expect(td.certificates.filter((c) => c.usage === "signing")).toEqual([
            { id: "jwt-signing-g2", usage: "signing", commonName: "p1 JWT signing key g2", dnsNames: [], ipAddresses: [] },
            { id: "jwt-signing-g3", usage: "signing", commonName: "p1 JWT signing key g3", dnsNames: [], ipAddresses: [] },
        ]);
        expect(plan.trustDomains.find((t) => t.id === "domain")!.certificates.some((c) => c.usage === "signing")).toBe(false);
        expect(tokenResourceName("p1", "a:b")).toBe("p1-token-a_3ab");
    });

    async function renderedAuthServices(plan: ReturnType<typeof planOf>, participant: string): Promise<AuthService[]> {
        const conf = await parseHocon(render.participant(plan, participant, 1));
        expect(conf.canton.participants[participant]["ledger-api"].tls["client-auth"].type).toBe("require"); // merged into, not over, the ledger API
        return conf.canton.participants[participant]["ledger-api"]["auth-services"];
    }

    it("renders one audience-checked auth service that a real HOCON parser reads back", async () => {
        const plan = planOf([{ name: "p1", users: ["alice"] }]);
        expect(await renderedAuthServices(plan, "p1")).toEqual([
            { type: "jwt-rs-256-jwks", url: "file:///canton/auth/jwks.json", "target-audience": "https://p1.canton.local/ledger-api" },
        ]);
        expect(ledgerApiAuth(plan.participants[0])).toEqual({ "auth-services": await renderedAuthServices(plan, "p1") });
    });

    it("accepts only tokens for this participant's audience, participant_admin's included", async () => {
        // participant1's key signs every token below: only the audience tells them apart.
        const plan = planOf([
            { name: "participant1", users: ["alice"] },
            { name: "participant2", users: ["bob"] },
        ]);
        const services = await renderedAuthServices(plan, "participant1");
        const kid = jwks1.keys[0].kid;
        const sign = (sub: string, audience?: string) =>
            signToken(p1.leaves[1].keyPem, kid, tokenClaims({ subject: sub, audience, scope: "daml_ledger_api", issuer: "canton-ha", lifetimeSeconds: HOUR }, now()));
        const check = async (token: string) => authenticate(services, { "file:///canton/auth/jwks.json": jwks1 }, token);
        const p1Plan = plan.participants[0].auth;
        expect(p1Plan.tokens.map((t) => [t.user, t.audience])).toEqual([
            ["alice", AUD1],
            ["participant_admin", AUD1],
        ]);
        for (const t of p1Plan.tokens) expect(await check(await sign(t.user, t.audience))).toEqual({ user: t.user, service: 0 });
        const otherAudience = await check(await sign("alice", AUD2));
        expect(otherAudience).toMatchObject({ unauthenticated: expect.stringContaining(`lacks ${AUD1}`) });
        const noAudience = await check(await sign("participant_admin"));
        expect(noAudience).toMatchObject({ unauthenticated: expect.stringContaining(`lacks ${AUD1}`) });
        // The model is not vacuous: a scope-only second service (the earlier config) lets both through.
        const withScopeService = [...services, { type: "jwt-rs-256-jwks", url: "file:///canton/auth/jwks.json", "target-scope": "daml_ledger_api" }];
        expect(await authenticate(withScopeService, { "file:///canton/auth/jwks.json": jwks1 }, await sign("alice", AUD2))).toEqual({ user: "alice", service: 1 });
        // ... and another participant's key is never accepted.
        const foreign = await signToken(
            p2.leaves[1].keyPem,
            jwks2.keys[0].kid,
            tokenClaims({ subject: "alice", audience: AUD1, scope: "daml_ledger_api", issuer: "canton-ha", lifetimeSeconds: HOUR }, now()),
        );
        expect(await check(foreign)).toHaveProperty("unauthenticated");
    });
});
