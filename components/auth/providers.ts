// Two dynamic resources with their own lifecycle, run by the engine's Node.js dynamic
// provider (`pulumi-resource-pulumi-nodejs`):
//   - Jwks: builds the JWKS from the signing chains (with jose), and validates them;
//   - JwtToken: mints one token, and on every later `pulumi up` decides in `diff` whether
//     it must be re-minted (inside the renewal window, expired, or its claims changed).
//     Otherwise the diff is empty and the token in the state is kept.
// The provider objects are serialized into the state by Pulumi, with the functions they
// call: keep them free of closures over program objects (no plan, no resources).
import * as pulumi from "@pulumi/pulumi";
import { buildJwks } from "./jwks";
import { decideRenewal, nowSeconds } from "./renewal";
import { signToken, tokenClaims } from "./tokens";

interface JwksInputs {
    /** PEM chains (leaf, intermediate, root) of the published signing keys, oldest first. */
    chains: string[];
}

interface JwksOutputs extends JwksInputs {
    /** The JWKS document as JSON text, newest key first. */
    jwks: string;
    /** Key ids in the order of `chains` (oldest first): the last one signs. */
    kids: string[];
}

function sameStrings(a: unknown, b: unknown): boolean {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => x === b[i]);
}

async function jwksOutputs(inputs: JwksInputs): Promise<JwksOutputs> {
    const jwks = await buildJwks(inputs.chains);
    const kids = jwks.keys.map((k) => k.kid);
    return { chains: inputs.chains, kids, jwks: JSON.stringify({ keys: [...jwks.keys].reverse() }, null, 2) + "\n" };
}

export const jwksProvider: pulumi.dynamic.ResourceProvider = {
    async create(inputs: JwksInputs) {
        const outs = await jwksOutputs(inputs);
        return { id: outs.kids.join(","), outs };
    },
    async diff(_id: string, olds: JwksOutputs, news: JwksInputs) {
        return { changes: !sameStrings(olds.chains, news.chains) };
    },
    async update(_id: string, _olds: JwksOutputs, news: JwksInputs) {
        return { outs: await jwksOutputs(news) };
    },
};

export interface TokenInputs {
    /** PKCS#8 PEM of the current signing key. Secret. */
    signingKeyPem: string;
    /** Key id the JWKS publishes for that key. */
    kid: string;
    subject: string;
    audience?: string;
    scope: string;
    issuer: string;
    lifetimeSeconds: number;
    renewalWindowSeconds: number;
    /** Bumped by the operator to force a re-mint. */
    reissue: number;
}

interface TokenOutputs extends Omit<TokenInputs, "signingKeyPem"> {
    /** The JWT. Secret. */
    token: string;
    /** `iat` and `exp` of the token, seconds since the epoch. */
    issuedAt: number;
    expiresAt: number;
    /** `exp` as an ISO 8601 time, for people. */
    expiresAtIso: string;
}

/** Inputs that end up in the token: changing any of them re-mints it. */
const TOKEN_DEFINING_INPUTS = ["kid", "subject", "audience", "scope", "issuer", "lifetimeSeconds", "reissue"] as const;

export async function mintToken(inputs: TokenInputs, now: number): Promise<TokenOutputs> {
    const claims = tokenClaims(inputs, now);
    const token = await signToken(inputs.signingKeyPem, inputs.kid, claims);
    const { signingKeyPem: _key, ...rest } = inputs;
    return { ...rest, token, issuedAt: claims.iat, expiresAt: claims.exp, expiresAtIso: new Date(claims.exp * 1000).toISOString() };
}

/** Why `pulumi up` would re-mint a token, or undefined to keep it (no diff). */
export function tokenChange(olds: Partial<TokenOutputs>, news: TokenInputs, now: number): string | undefined {
    const changed = TOKEN_DEFINING_INPUTS.filter((k) => (olds[k] ?? null) !== (news[k] ?? null));
    if (changed.length > 0) return `changed: ${changed.join(", ")}`;
    const d = decideRenewal(now, olds.issuedAt as number, olds.expiresAt as number, news.renewalWindowSeconds);
    return d.renew ? d.reason : undefined;
}

export const tokenProvider: pulumi.dynamic.ResourceProvider = {
    async create(inputs: TokenInputs) {
        const outs = await mintToken(inputs, nowSeconds());
        return { id: `${outs.subject}@${outs.kid.slice(0, 16)}`, outs };
    },
    async diff(_id: string, olds: TokenOutputs, news: TokenInputs) {
        return { changes: tokenChange(olds, news, nowSeconds()) !== undefined };
    },
    async update(_id: string, _olds: TokenOutputs, news: TokenInputs) {
        return { outs: await mintToken(news, nowSeconds()) };
    },
};

type Inputs<T> = { [K in keyof T]: pulumi.Input<T[K]> };

/** The JWKS of one participant. Public. */
export class JwksDocument extends pulumi.dynamic.Resource {
    declare readonly jwks: pulumi.Output<string>;
    declare readonly kids: pulumi.Output<string[]>;
    constructor(name: string, args: Inputs<JwksInputs>, opts?: pulumi.CustomResourceOptions) {
        super(jwksProvider, name, { ...args, jwks: undefined, kids: undefined }, opts, "canton-ha", "Jwks");
    }
}

/** One Ledger API token; `pulumi up` re-mints it only when {@link tokenChange} says so. */
export class JwtToken extends pulumi.dynamic.Resource {
    declare readonly token: pulumi.Output<string>;
    declare readonly issuedAt: pulumi.Output<number>;
    declare readonly expiresAt: pulumi.Output<number>;
    declare readonly expiresAtIso: pulumi.Output<string>;
    constructor(name: string, args: Inputs<TokenInputs>, opts?: pulumi.CustomResourceOptions) {
        super(
            tokenProvider,
            name,
            { ...args, signingKeyPem: pulumi.secret(args.signingKeyPem), token: undefined, issuedAt: undefined, expiresAt: undefined, expiresAtIso: undefined },
            // The engine encrypts the token in the state; the program wraps it as a secret too.
            { ...opts, additionalSecretOutputs: ["token"] },
            "canton-ha",
            "JwtToken",
        );
    }
}
