// Ledger API access tokens: claims and RS256 signing with `jose`. Pure: no Pulumi.
// Modules are loaded inside the functions (see jwks.ts).
/* eslint-disable @typescript-eslint/no-require-imports -- modules load inside the functions: the dynamic providers that call them are serialized into the stack state */
import type * as Jose from "jose";
import { JWT_ALG, keyIdOfPrivateKey } from "./jwks";

interface TokenSpec {
    /** `sub`: the Ledger API user id. */
    subject: string;
    /** `aud`. canton-ha always sets it (participants check it); omitting it makes a token every participant rejects. */
    audience?: string;
    scope: string;
    issuer: string;
    lifetimeSeconds: number;
}

type TokenClaims = {
    sub: string;
    aud?: string;
    scope: string;
    iss: string;
    iat: number;
    exp: number;
};

export function tokenClaims(spec: TokenSpec, issuedAt: number): TokenClaims {
    if (!Number.isInteger(spec.lifetimeSeconds) || spec.lifetimeSeconds <= 0) throw new Error(`token lifetime must be a positive number of seconds, got ${spec.lifetimeSeconds}`);
    return {
        sub: spec.subject,
        ...(spec.audience ? { aud: spec.audience } : {}),
        scope: spec.scope,
        iss: spec.issuer,
        iat: issuedAt,
        exp: issuedAt + spec.lifetimeSeconds,
    };
}

/**
 * Signs the claims with a PKCS#8 RSA key; header `{alg: RS256, typ: JWT, kid}`. The key must
 * be the one the JWKS publishes under `kid`: a mismatch throws rather than minting a token
 * no participant would accept.
 */
export async function signToken(privateKeyPem: string, kid: string, claims: TokenClaims): Promise<string> {
    const jose: typeof Jose = require("jose");
    const actual = await keyIdOfPrivateKey(privateKeyPem);
    if (actual !== kid) throw new Error(`the signing key's id is ${actual} but the JWKS publishes ${kid}; refusing to mint a token that would not verify`);
    const key = await jose.importPKCS8(privateKeyPem, JWT_ALG);
    return new jose.SignJWT({ ...claims }).setProtectedHeader({ alg: JWT_ALG, typ: "JWT", kid }).sign(key);
}
