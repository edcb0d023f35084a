// Advisory: ledger API tokens are bearer credentials; a short lifetime bounds a leaked one.
import { T } from "../lib/model";
import { integer, resourcePolicy } from "../lib/policy";

export const tokenLifetime = resourcePolicy<{ maxLifetimeHours: number }>({
    name: "jwt-token-lifetime",
    description: "Advisory: ledger API tokens (canton-ha JwtToken) live at most maxLifetimeHours (24); `pulumi up` renews them.",
    enforcementLevel: "advisory",
    types: [T.jwtToken],
    config: { maxLifetimeHours: integer("Longest token lifetime, in hours.", 24, 1) },
    validate(res, cfg, report) {
        const s = res.props.lifetimeSeconds;
        if (typeof s === "number" && s > cfg.maxLifetimeHours * 3600) {
            report(
                `the token lives ${s / 3600} hours, longer than ${cfg.maxLifetimeHours}: a leaked token stays valid that long`,
                `lower canton-ha:auth.tokenLifetimeHours to ${cfg.maxLifetimeHours} or less and run \`pulumi up\` on a schedule`,
            );
        }
    },
});
