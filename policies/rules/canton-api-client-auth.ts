// mTLS on the admin APIs and the participant ledger API: `client-auth.type = require`. The
// sequencer public API is left out: Canton has no client certificates there.
import { stackPolicy, stringList } from "../lib/policy";
import { apisOf } from "./canton-api-tls";

export const cantonApiClientAuth = stackPolicy<{ apis: string[] }>({
    name: "canton-api-client-auth",
    description: "Admin APIs and the participant ledger API require client certificates (mTLS): tls.client-auth.type = require.",
    enforcementLevel: "mandatory",
    config: { apis: stringList("APIs that must require client certificates.", ["admin-api", "ledger-api"]) },
    validate(model, cfg, report) {
        for (const node of model.cantonNodes) {
            for (const [api, block] of apisOf(node)) {
                if (!cfg.apis.includes(api) || !block || typeof block.tls !== "object" || block.tls === null) continue; // no TLS at all: canton-api-tls reports it
                const type = block.tls["client-auth"]?.type;
                if (type !== "require") {
                    report(
                        node.file.carrier,
                        `${api} of ${node.kind} '${node.nodeName}' does not require client certificates (client-auth.type is ${type === undefined ? "not set" : `'${String(type)}'`}): anyone who reaches the port can call it`,
                        `set ${api}.tls.client-auth.type = "require", with trust-collection-file = the trust domain's CA chain and an admin-client certificate`,
                        node.where,
                    );
                }
            }
        }
    },
});
