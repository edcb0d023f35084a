// Every participant ledger API verifies tokens, and checks that they were minted for it:
// `auth-services` with a JWT type and a `target-audience` (since Canton 2.6.1).
import { isText } from "../lib/props";
import { bool, stackPolicy, stringList } from "../lib/policy";

export const ledgerApiAuth = stackPolicy<{ allowedTypes: string[]; requireAudience: boolean; allowedJwksSchemes: string[] }>({
    name: "ledger-api-audience-auth",
    description:
        "Every participant ledger API has an auth service of an allowed JWT type that checks the token audience (target-audience); JWKS come from file:// or https:// URLs only.",
    enforcementLevel: "mandatory",
    config: {
        allowedTypes: stringList("Accepted auth-services types.", ["jwt-rs-256-jwks", "jwt-rs-256-crt", "jwt-es-256-crt", "jwt-es-512-crt"]),
        requireAudience: bool("Every auth service must set target-audience.", true),
        allowedJwksSchemes: stringList("URL schemes a JWKS may be fetched from.", ["https", "file"]),
    },
    validate(model, cfg, report) {
        for (const node of model.cantonNodes.filter((n) => n.kind === "participant")) {
            const ledger = node.config["ledger-api"];
            const services = ledger && typeof ledger === "object" ? ledger["auth-services"] : undefined;
            const here = `ledger-api of participant '${node.nodeName}'`;
            if (!Array.isArray(services) || services.length === 0) {
                report(
                    node.file.carrier,
                    `${here} has no auth-services: every client that reaches it may act as any party`,
                    'add ledger-api.auth-services = [{ type = "jwt-rs-256-jwks", url = "<JWKS>", target-audience = "<this participant\'s audience>" }]',
                    node.where,
                );
                continue;
            }
            services.forEach((s: any, i: number) => {
                const type = s?.type;
                if (!cfg.allowedTypes.includes(String(type))) {
                    report(
                        node.file.carrier,
                        `${here} has auth service [${i}] of type '${String(type)}', which is not allowed (allowed: ${cfg.allowedTypes.join(", ")})`,
                        "use a JWT auth service with RS256/ES256 keys (jwt-rs-256-jwks with the participant's JWKS)",
                        node.where,
                    );
                    return;
                }
                const aud = s["target-audience"];
                if (cfg.requireAudience && !(isText(aud) && aud.length > 0)) {
                    report(
                        node.file.carrier,
                        `${here}: auth service [${i}] (${String(type)}) has no target-audience, so it accepts a token minted for any participant of the same issuer`,
                        `set auth-services[${i}].target-audience to this participant's audience (the 'aud' of its tokens)`,
                        node.where,
                    );
                }
                if (type === "jwt-rs-256-jwks") {
                    const scheme = isText(s.url) ? /^([a-z][a-z0-9+.-]*):/i.exec(s.url)?.[1]?.toLowerCase() : undefined;
                    if (!scheme || !cfg.allowedJwksSchemes.includes(scheme)) {
                        report(
                            node.file.carrier,
                            `${here}: auth service [${i}] fetches its JWKS from '${String(s.url)}'; the scheme must be one of ${cfg.allowedJwksSchemes.join(", ")}`,
                            "serve the JWKS from a file in the workload or over https",
                            node.where,
                        );
                    }
                }
            });
        }
    },
});
