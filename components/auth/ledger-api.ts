// The participant side of JWT auth: where the JWKS lives in the container and the
// `ledger-api.auth-services` it is wired into. Pure: the same HOCON on every platform.
import type { HoconObject } from "../canton/hocon";
import type { Plan } from "../plan/types";

/** The JWKS, uploaded next to the node config (a ConfigMap volume on Kubernetes). */
export const JWKS_FILE = "/canton/auth/jwks.json";
export const JWKS_URL = `file://${JWKS_FILE}`;

/**
 * Two JWKS auth services over the same key set. Canton tries them in order:
 *  1. `target-audience`: audience-based user tokens whose `aud` is the participant's audience;
 *  2. `target-scope`: scope-based tokens such as the reference's `participant_admin` token,
 *     which carries `scope` but no `aud`. With `target-audience` set, Canton parses every
 *     token as audience-based and rejects one without `aud`, hence the second service.
 * Neither needs the participant id, which is unknown until the node has started.
 */
export function ledgerApiAuth(plan: Plan, participant: string): HoconObject {
    const p = plan.participants.find((x) => x.name === participant);
    if (!p) throw new Error(`plan has no participant '${participant}'`);
    return {
        "auth-services": [
            { type: "jwt-rs-256-jwks", url: JWKS_URL, "target-audience": p.auth.audience },
            { type: "jwt-rs-256-jwks", url: JWKS_URL, "target-scope": p.auth.scope },
        ],
    };
}
