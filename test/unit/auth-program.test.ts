// The whole program under mocks, with real keys where auth needs them: the mock answers the
// participants' CA and JWT signing resources with an openssl-made chain, and runs the
// serialized dynamic providers (Jwks, JwtToken) the way the engine's provider host does.
// participant1 is mid-rotation (jwtKeyGeneration 2), so its JWKS carries g1 and g2.
import * as pulumi from "@pulumi/pulumi";
import * as jose from "jose";
import { createPublicKey } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { parseHocon } from "../support/hocon-support";
import { derBase64ToPem, makeSigningChain, opensslVerify, SigningChain } from "../support/auth-support";
import { stackFileConfig } from "../support/fixtures";
import { authenticate } from "../support/canton-auth";
import { defaultJobResult, FAKE_KEY, isSecretValue, jobResults, Registered, registered, reveal, valueOf, ofType } from "../support/mocks";

const fakeCert = (name: string) => `-----BEGIN CERTIFICATE-----\n${name}\n-----END CERTIFICATE-----\n`;

let pki: Record<string, SigningChain>;
let program: typeof import("../../index");
let resources: Registered[];
const typed = (t: string) => ofType(resources, t);

function keyOutputs(pem: string) {
    return {
        privateKeyPem: pem,
        privateKeyPemPkcs8: pem,
        publicKeyPem: String(createPublicKey(pem).export({ type: "spki", format: "pem" })),
        publicKeyOpenssh: "",
        publicKeyFingerprintSha256: "",
    };
}

/** What the real providers would return, with real PKI material for the participants. */
async function outputsOf(type: string, name: string, inputs: any): Promise<Record<string, unknown>> {
    const ca = /^(participant\d)-ca-(root|intermediate)$/.exec(name);
    const leaf = /^(participant\d)-jwt-signing-g(\d+)$/.exec(name);
    const chain = pki[(ca ?? leaf)?.[1] ?? ""];
    switch (type) {
        case "tls:index/privateKey:PrivateKey":
            if (chain && ca) return keyOutputs(ca[2] === "root" ? chain.rootKeyPem : chain.intermediateKeyPem);
            if (chain && leaf) return keyOutputs(chain.leaves[Number(leaf[2])].keyPem);
            return { privateKeyPem: FAKE_KEY, privateKeyPemPkcs8: FAKE_KEY, publicKeyPem: `PUBLIC(${name})` };
        case "tls:index/selfSignedCert:SelfSignedCert":
            return { certPem: chain ? chain.rootCertPem : fakeCert(name), validityEndTime: "2027-11-21T00:00:00Z" };
        case "tls:index/locallySignedCert:LocallySignedCert":
            if (chain && ca) return { certPem: chain.intermediateCertPem, validityEndTime: "2027-11-21T00:00:00Z" };
            if (chain && leaf) return { certPem: chain.leaves[Number(leaf[2])].certPem, validityEndTime: "2027-11-21T00:00:00Z" };
            return { certPem: fakeCert(name), validityEndTime: "2027-11-21T00:00:00Z" };
        case "tls:index/certRequest:CertRequest":
            return { certRequestPem: `CSR(${name})` };
        case "random:index/randomPassword:RandomPassword":
            return { result: `password-of-${name}` };
        case "docker:index/remoteImage:RemoteImage":
            return { imageId: `sha256:${name}` };
        case "docker:index/container:Container":
            // One-shot jobs (bootstrap) report how their run ended, as in the shared mocks.
            return inputs.attach ? (jobResults.get(name) ?? defaultJobResult(name)) : {};
        case "pulumi-nodejs:dynamic/canton-ha:Jwks":
        case "pulumi-nodejs:dynamic/canton-ha:JwtToken": {
            // As pulumi-resource-pulumi-nodejs does: load the serialized provider, call create().
            // eslint-disable-next-line @typescript-eslint/no-require-imports
            const requireFromString = require("require-from-string") as (code: string) => any;
            const plain = reveal(inputs);
            const provider = requireFromString(plain.__provider).handler() as pulumi.dynamic.ResourceProvider;
            return (await provider.create!(plain)).outs;
        }
        default:
            return {};
    }
}

beforeAll(async () => {
    pki = { participant1: makeSigningChain("participant1", [1, 2]), participant2: makeSigningChain("participant2", [1]) };
    await pulumi.runtime.setMocks(
        {
            newResource: async (args) => ({ id: `${args.name}-id`, state: { ...args.inputs, ...(await outputsOf(args.type, args.name, args.inputs)) } }),
            call: (args) => args.inputs,
        },
        "canton-ha",
        "dev",
        false,
    );
    const participants = JSON.parse(stackFileConfig("dev")["canton-ha:participants"]);
    participants[0].jwtKeyGeneration = 2;
    pulumi.runtime.setAllConfig({
        ...stackFileConfig("dev"),
        "canton-ha:participants": JSON.stringify(participants),
        "canton-ha:auth": JSON.stringify({ issuer: "https://auth.example.test", tokenLifetimeHours: 12, renewalWindowHours: 3 }),
    });
    program = await import("../../index");
    await valueOf(program.tokens);
    resources = await registered();
}, 120_000);

function uploads(container: string): Record<string, any> {
    const c = typed("docker:index/container:Container").find((x) => x.name === container)!;
    return Object.fromEntries(reveal(c.state.uploads).map((u: any) => [u.file, u]));
}

describe("Ledger API auth in the dev stack, under mocks", () => {
    it("makes one ParticipantAuth per participant, inside its participant", () => {
        const auths = typed("canton-ha:auth:ParticipantAuth");
        expect(auths.map((a) => a.name).sort()).toEqual(["participant1-auth", "participant2-auth"]);
        for (const a of auths) expect(a.parentTypes).toEqual(["canton-ha:participant:Participant"]);
        const tokens = typed("pulumi-nodejs:dynamic/canton-ha:JwtToken");
        expect(tokens.map((t) => t.name).sort()).toEqual([
            "participant1-token-alice",
            "participant1-token-participant_admin",
            "participant2-token-bob",
            "participant2-token-participant_admin",
        ]);
        for (const t of tokens) expect(t.parentTypes).toEqual(["canton-ha:auth:ParticipantAuth"]);
    });

    it("issues a digitalSignature-only signing certificate per published generation", () => {
        const signed = typed("tls:index/locallySignedCert:LocallySignedCert").filter((c) => /jwt-signing/.test(c.name));
        expect(signed.map((c) => c.name).sort()).toEqual(["participant1-jwt-signing-g1", "participant1-jwt-signing-g2", "participant2-jwt-signing-g1"]);
        for (const c of signed) expect(c.state.allowedUses).toEqual(["digital_signature"]);
    });

    it("keeps tokens and signing keys secret, and the JWKS public", async () => {
        expect(await pulumi.isSecret(pulumi.output(program.tokens))).toBe(true);
        expect(await pulumi.isSecret(pulumi.output(program.jwks))).toBe(false);
        expect(await pulumi.isSecret(pulumi.output(program.tokenExpiries))).toBe(false);
        for (const t of typed("pulumi-nodejs:dynamic/canton-ha:JwtToken")) {
            expect(isSecretValue(t.state.signingKeyPem), t.name).toBe(true);
            expect(reveal(t.state.signingKeyPem)).toMatch(/^-----BEGIN (RSA )?PRIVATE KEY-----/);
        }
        const jwksText = JSON.stringify(await valueOf(program.jwks));
        expect(jwksText).not.toMatch(/PRIVATE|"d"|"p"|"q"/);
    });

    it("participant1's JWKS publishes g1 and g2 (newest first) and the x5c chains verify with openssl", async () => {
        const jwks = (await valueOf(program.jwks)) as unknown as Record<string, { keys: any[] }>;
        expect(jwks.participant1.keys).toHaveLength(2);
        expect(jwks.participant2.keys).toHaveLength(1);
        const g2 = jwks.participant1.keys[0];
        expect(g2.kid).toBe(await jose.calculateJwkThumbprint(await jose.exportJWK(createPublicKey(pki.participant1.leaves[2].keyPem))));
        for (const k of [...jwks.participant1.keys, ...jwks.participant2.keys]) {
            const [leaf, intermediate, root] = k.x5c.map(derBase64ToPem);
            expect(opensslVerify(leaf, intermediate, root)).toMatch(/: OK$/);
        }
    });

    it("every replica gets the JWKS file and one audience-checked auth service for it", async () => {
        const jwks = (await valueOf(program.jwks)) as Record<string, unknown>;
        for (const [replica, participant] of [
            ["participant1-1", "participant1"],
            ["participant1-2", "participant1"],
            ["participant2-1", "participant2"],
        ]) {
            const files = uploads(replica);
            expect(JSON.parse(files["/canton/auth/jwks.json"].content)).toEqual(jwks[participant]);
            const conf = await parseHocon(files["/canton/config/node.conf"].content);
            expect(conf.canton.participants[participant]["ledger-api"]["auth-services"]).toEqual([
                { type: "jwt-rs-256-jwks", url: "file:///canton/auth/jwks.json", "target-audience": `https://${participant}.canton.local/ledger-api` },
            ]);
        }
    });

    it("every token verifies against its participant's uploaded JWKS, as that participant's auth-services expect", async () => {
        const tokens = (await valueOf(program.tokens)) as Record<string, Record<string, string>>;
        const expiries = (await valueOf(program.tokenExpiries)) as unknown as Record<string, Record<string, string>>;
        expect(Object.keys(tokens.participant1).sort()).toEqual(["alice", "participant_admin"]);
        expect(Object.keys(tokens.participant2).sort()).toEqual(["bob", "participant_admin"]);
        for (const [participant, replica] of [
            ["participant1", "participant1-1"],
            ["participant2", "participant2-1"],
        ]) {
            const files = uploads(replica);
            const jwksDoc = JSON.parse(files["/canton/auth/jwks.json"].content);
            const set = jose.createLocalJWKSet(jwksDoc);
            const services = (await parseHocon(files["/canton/config/node.conf"].content)).canton.participants[participant]["ledger-api"]["auth-services"];
            for (const [user, token] of Object.entries(tokens[participant])) {
                // As the participant decides (test/support/canton-auth.ts): by its own services and JWKS.
                expect(await authenticate(services, { "file:///canton/auth/jwks.json": jwksDoc }, token)).toEqual({ user, service: 0 });
                const { payload, protectedHeader } = await jose.jwtVerify(token, set, {
                    issuer: "https://auth.example.test",
                    algorithms: ["RS256"],
                    audience: services[0]["target-audience"],
                });
                expect(payload.sub).toBe(user);
                expect(payload.scope).toBe("daml_ledger_api");
                expect(payload.exp! - payload.iat!).toBe(12 * 3600);
                expect(new Date(payload.exp! * 1000).toISOString()).toBe(expiries[participant][user]);
                // signed with the newest key
                expect(protectedHeader.kid).toBe(JSON.parse(files["/canton/auth/jwks.json"].content).keys[0].kid);
            }
        }
        const p2Set = jose.createLocalJWKSet(JSON.parse(uploads("participant2-1")["/canton/auth/jwks.json"].content));
        await expect(jose.jwtVerify(tokens.participant1.alice, p2Set)).rejects.toBeInstanceOf(jose.errors.JWKSNoMatchingKey);
    });
});
