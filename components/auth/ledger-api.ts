// The participant side of JWT auth: where the JWKS lives in the container and the
// `ledger-api.auth-services` it is wired into. Pure: the same HOCON on every platform.
import type { HoconObject } from "../canton/hocon";
import type { ParticipantSet } from "../plan/types";

/** The JWKS, uploaded next to the node config (a ConfigMap volume on Kubernetes). */
export const JWKS_FILE = "/canton/auth/jwks.json";
export const JWKS_URL = `file://${JWKS_FILE}`;

/**
 * One JWKS auth service with `target-audience`: every token, the `participant_admin` one
 * included, must carry this participant's audience. A second, scope-only service would
 * accept a token for any audience (or none) signed by this key set, so the audience would
 * no longer separate participants (Canton 2.9 `AuthServiceJWT`: with `target-audience` a
 * token without that audience is unauthenticated for that service, and the next service is
 * tried). The audience needs no participant id, which is unknown until the node has started.
 */
export function ledgerApiAuth(p: Pick<ParticipantSet, "auth">): HoconObject {
    return {
        "auth-services": [{ type: "jwt-rs-256-jwks", url: JWKS_URL, "target-audience": p.auth.audience }],
    };
}
