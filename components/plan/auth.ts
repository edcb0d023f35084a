// Ledger API JWT auth, planned from config: which signing keys exist and are published,
// which tokens are minted, and the claims they carry. Pure: no keys, no Pulumi.
import { ADMIN_USER, CantonHaConfig, ParticipantConfig } from "../config";
import type { JwtSigningKeyPlan, ParticipantAuthPlan } from "./types";

/** The scope of every token (the Daml default scope). */
const LEDGER_API_SCOPE = "daml_ledger_api";

/**
 * The participant's audience: a stable name chosen at deploy time, because the participant
 * id (`name::fingerprint`) is unknown until the node has started. It deliberately does not
 * start with `https://daml.com/jwt/aud/participant/`: Canton reads such an audience as a
 * participant id and would reject it.
 */
function participantAudience(dnsDomain: string): string {
    return `https://${dnsDomain}/ledger-api`;
}

function signingCertificateId(generation: number): string {
    return `jwt-signing-g${generation}`;
}

/** Generations in the JWKS: the current one and the previous one, unless it was retired. */
export function publishedGenerations(current: number, retiredThrough: number): number[] {
    return [current - 1, current].filter((g) => g >= 1 && g > retiredThrough);
}

/** A signing key generation and its certificate (keyUsage digitalSignature only). */
function keyPlan(participant: string, generation: number): JwtSigningKeyPlan {
    return {
        generation,
        certificate: { id: signingCertificateId(generation), usage: "signing", commonName: `${participant} JWT signing key g${generation}`, dnsNames: [], ipAddresses: [] },
    };
}

export function authPlan(config: CantonHaConfig, p: ParticipantConfig, dnsDomain: string): ParticipantAuthPlan {
    const audience = participantAudience(dnsDomain);
    const publishedKeys = publishedGenerations(p.jwtKeyGeneration, p.jwtKeysRetiredThrough).map((g) => keyPlan(p.name, g));
    return {
        issuer: config.auth.issuer,
        audience,
        scope: LEDGER_API_SCOPE,
        publishedKeys,
        signingKey: publishedKeys[publishedKeys.length - 1],
        tokens: [
            // Every token carries the participant's audience, the admin's too: the participant
            // has one audience-checked auth service (auth/ledger-api.ts). The reference's admin
            // token has no `aud` and relied on a scope-only service that accepts any audience.
            ...[...p.users.map((u) => u.id), ADMIN_USER].map((user) => ({ user, audience, reissue: p.tokenReissue[user] ?? 0 })),
        ],
        tokenLifetimeSeconds: config.auth.tokenLifetimeHours * 3600,
        renewalWindowSeconds: config.auth.renewalWindowHours * 3600,
    };
}
