// When `pulumi up` re-mints a token. Pure, so the dynamic provider's diff and the tests share it.
// Times are JWT NumericDates: whole seconds since the epoch.

type RenewalDecision = { renew: false; reason: "valid" } | { renew: true; reason: "renewal-window" | "expired" | "no-valid-state" };

/**
 * Keep the token until `expiresAt - window`; from that instant on (inclusive) re-mint it, and
 * likewise once it has expired (at `exp` itself a JWT no longer verifies). State that cannot
 * describe a usable token (missing or non-finite times, `exp` not after `iat`) also re-mints.
 */
export function decideRenewal(now: number, issuedAt: number, expiresAt: number, window: number): RenewalDecision {
    const valid = (x: unknown): x is number => typeof x === "number" && Number.isFinite(x);
    if (!valid(issuedAt) || !valid(expiresAt) || expiresAt <= issuedAt) return { renew: true, reason: "no-valid-state" };
    if (now >= expiresAt) return { renew: true, reason: "expired" };
    if (now >= expiresAt - Math.max(0, window)) return { renew: true, reason: "renewal-window" };
    return { renew: false, reason: "valid" };
}

export function nowSeconds(): number {
    return Math.floor(Date.now() / 1000);
}
