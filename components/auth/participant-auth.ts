// One participant's Ledger API auth: its JWKS (current and previous signing key) and a token
// per user plus `participant_admin`, which `pulumi up` renews near expiry.
import * as pulumi from "@pulumi/pulumi";
import type { TrustDomainPki } from "../pki/pki";
import type { ParticipantSet } from "../plan/types";
import { publicFile, WorkloadFile } from "../platform/types";
import { JWKS_FILE, JWKS_URL } from "./ledger-api";
import { JwksDocument, JwtToken } from "./providers";

export interface ParticipantAuthArgs {
    participant: ParticipantSet;
    /** The participant's PKI; it holds the `jwt-signing-g<N>` certificates of the plan. */
    pki: TrustDomainPki;
}

/** A Pulumi resource name for a Daml user id (which may contain `:` and other punctuation). */
export function tokenResourceName(participant: string, user: string): string {
    const safe = user.replace(/[^a-z0-9._-]/g, (c) => `_${c.charCodeAt(0).toString(16)}`);
    return `${participant}-token-${safe}`;
}

export class ParticipantAuth extends pulumi.ComponentResource {
    static readonly TYPE = "canton-ha:auth:ParticipantAuth";

    /** The JWKS (JSON text). Public. */
    readonly jwks: pulumi.Output<string>;
    /** Key ids in the JWKS, oldest first; the last one signs new tokens. */
    readonly keyIds: pulumi.Output<string[]>;
    /** User id to token. Secret. */
    readonly tokens: pulumi.Output<Record<string, string>>;
    /** User id to the token's expiry (ISO 8601). Public. */
    readonly tokenExpiries: pulumi.Output<Record<string, string>>;
    /** Files every replica carries: the JWKS its auth services read. */
    readonly files: WorkloadFile[];
    readonly jwksUrl = JWKS_URL;

    constructor(name: string, args: ParticipantAuthArgs, opts?: pulumi.ComponentResourceOptions) {
        super(ParticipantAuth.TYPE, name, {}, opts);
        const { participant: p, pki } = args;
        const auth = p.auth;

        const doc = new JwksDocument(
            `${p.name}-jwks`,
            {
                chains: pulumi.all(auth.publishedKeys.map((k) => pki.certificate(k.certificate).chainPem)),
            },
            { parent: this },
        );
        this.jwks = doc.jwks;
        this.keyIds = doc.kids;
        // Tokens name the newest published key; taking the kid from the JWKS resource also orders
        // minting after publishing. (`kids` is only ever missing under unit-test mocks.)
        const signingKid = doc.kids.apply((kids) => kids?.[kids.length - 1]);
        const signer = pki.certificate(auth.signingKey.certificate);

        const minted = auth.tokens.map((t) => {
            const token = new JwtToken(
                tokenResourceName(p.name, t.user),
                {
                    signingKeyPem: signer.privateKeyPem,
                    kid: signingKid,
                    subject: t.user,
                    audience: t.audience,
                    scope: auth.scope,
                    issuer: auth.issuer,
                    lifetimeSeconds: auth.tokenLifetimeSeconds,
                    renewalWindowSeconds: auth.renewalWindowSeconds,
                    reissue: t.reissue,
                },
                { parent: this },
            );
            return { user: t.user, token };
        });
        this.tokens = pulumi.secret(pulumi.all(Object.fromEntries(minted.map((m) => [m.user, m.token.token]))));
        this.tokenExpiries = pulumi.all(Object.fromEntries(minted.map((m) => [m.user, m.token.expiresAtIso])));
        this.files = [publicFile(JWKS_FILE, this.jwks)];
        this.registerOutputs({ jwks: this.jwks, keyIds: this.keyIds, tokens: this.tokens, tokenExpiries: this.tokenExpiries });
    }
}
