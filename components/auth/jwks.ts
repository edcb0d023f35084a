// The JWKS a participant verifies tokens against, built from X.509 chains with `jose`.
// Pure: no Pulumi. Modules are loaded inside the functions because the dynamic provider
// (providers.ts) serializes these functions into its own process.
/* eslint-disable @typescript-eslint/no-require-imports -- modules load inside the functions: the dynamic providers that call them are serialized into the stack state */
import type * as Jose from "jose";
import type * as NodeCrypto from "node:crypto";

export const JWT_ALG = "RS256";

interface Jwk {
    kty: "RSA";
    n: string;
    e: string;
    /** RFC 7638 thumbprint (SHA-256) of the public key: stable for a key, unique across keys. */
    kid: string;
    alg: typeof JWT_ALG;
    use: "sig";
    /** Leaf, intermediate, root: standard base64 of each certificate's DER (RFC 7517 4.7), not PEM. */
    x5c: string[];
    /** base64url of the SHA-1 of the leaf's DER (RFC 7517 4.8), not of its hex fingerprint. */
    x5t: string;
}

export interface Jwks {
    keys: Jwk[];
}

/** The base64 bodies of every `CERTIFICATE` block of a PEM file, in file order. */
export function certificateBlocks(pem: string): string[] {
    const out: string[] = [];
    const re = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g;
    for (let m = re.exec(pem); m !== null; m = re.exec(pem)) {
        const body = m[1].replace(/\s+/g, "");
        if (!/^[A-Za-z0-9+/]+=*$/.test(body)) throw new Error("a CERTIFICATE block is not valid base64");
        out.push(body);
    }
    return out;
}

/** base64url(SHA-1(DER)): the JWK `x5t`. */
export function x5tOf(der: Uint8Array): string {
    const crypto: typeof NodeCrypto = require("node:crypto");
    return crypto.createHash("sha1").update(der).digest("base64url");
}

/** RFC 7638 key id of an RSA public key given as a JWK (`kty`, `n`, `e`). */
async function keyIdOf(jwk: { kty: string; n?: string; e?: string }): Promise<string> {
    const jose: typeof Jose = require("jose");
    return jose.calculateJwkThumbprint({ kty: jwk.kty, n: jwk.n, e: jwk.e }, "sha256");
}

/** The key id of the public half of a PKCS#8 private key (what the signer stamps as `kid`). */
export async function keyIdOfPrivateKey(privateKeyPem: string): Promise<string> {
    const crypto: typeof NodeCrypto = require("node:crypto");
    const jwk = crypto.createPublicKey(crypto.createPrivateKey(privateKeyPem)).export({ format: "jwk" });
    return keyIdOf(jwk as { kty: string; n: string; e: string });
}

/**
 * One JWK from a PEM chain (leaf first, then intermediate and root). The chain must be in
 * order, each certificate signed by the next, and the leaf key must be RSA: otherwise this
 * throws, so a mis-wired chain fails the deployment instead of every token.
 */
export async function jwkFromChain(chainPem: string): Promise<Jwk> {
    const crypto: typeof NodeCrypto = require("node:crypto");
    const jose: typeof Jose = require("jose");
    const blocks = certificateBlocks(chainPem);
    if (blocks.length === 0) throw new Error("the signing chain has no certificate");
    const certs = blocks.map((b) => new crypto.X509Certificate(Buffer.from(b, "base64")));
    for (let i = 0; i + 1 < certs.length; i++) {
        if (!certs[i].checkIssued(certs[i + 1]) || !certs[i].verify(certs[i + 1].publicKey)) {
            throw new Error(`certificate ${i} of the signing chain (${certs[i].subject.replace(/\n/g, ", ")}) is not signed by certificate ${i + 1}`);
        }
    }
    const pub = await jose.exportJWK(certs[0].publicKey);
    if (pub.kty !== "RSA" || !pub.n || !pub.e) throw new Error(`the signing certificate holds a ${pub.kty} key; ${JWT_ALG} needs RSA`);
    return {
        kty: "RSA",
        n: pub.n,
        e: pub.e,
        kid: await keyIdOf({ kty: "RSA", n: pub.n, e: pub.e }),
        alg: JWT_ALG,
        use: "sig",
        x5c: blocks,
        x5t: x5tOf(Buffer.from(blocks[0], "base64")),
    };
}

/** The JWKS of some signing chains; duplicate keys are an error (two generations, one key). */
export async function buildJwks(chainsPem: string[]): Promise<Jwks> {
    const keys: Jwk[] = [];
    for (const chain of chainsPem) keys.push(await jwkFromChain(chain));
    const kids = keys.map((k) => k.kid);
    const dup = kids.find((k, i) => kids.indexOf(k) !== i);
    if (dup) throw new Error(`two signing chains carry the same key (kid ${dup})`);
    return { keys };
}
