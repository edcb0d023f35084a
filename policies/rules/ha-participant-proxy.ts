// Load-balancer mode: every participant with more than one replica has a proxy that routes to
// all of its replicas and follows the active one (the replicas' is-active `/health`).
import { at } from "../lib/hocon";
import { backendHosts, haMode, replicasByName } from "../lib/ha";
import { stackPolicy } from "../lib/policy";
import { frontsParticipant } from "./proxy-tls";

export const haParticipantProxy = stackPolicy({
    name: "ha-participant-load-balancer",
    description:
        "In load-balancer mode, every participant with more than one replica has a proxy that routes to every replica and health-checks /health, and each replica serves the is-active health check.",
    enforcementLevel: "mandatory",
    validate(model, _cfg, report) {
        if (haMode(model) !== "loadbalancer") return;
        for (const [name, replicas] of replicasByName(model, "participant")) {
            if (replicas.length < 2) continue;
            for (const r of replicas) {
                const check = at(r.root, "canton", "monitoring", "health", "check", "type");
                if (check !== "is-active") {
                    report(
                        r.file.carrier,
                        `replica ${r.hostId} of participant '${name}' has no is-active health check (monitoring.health.check.type is ${String(check ?? "not set")}), so the proxy cannot tell the active replica`,
                        'set canton.monitoring.health { server { address, port }, check.type = "is-active" }',
                        r.where,
                    );
                }
            }
            if (model.workloads.length === 0) continue; // render-only: the proxy config is deployed by other means
            const hosts = replicas.map((r) => r.hostId);
            const proxies = model.proxies.filter((p) => frontsParticipant(model, p) && hosts.some((h) => backendHosts(model, p).has(h)));
            if (proxies.length === 0) {
                report(
                    replicas[0].file.carrier,
                    `participant '${name}' has ${replicas.length} replicas (${hosts.join(", ")}) but no proxy in front of them: ledger API clients must find the active replica themselves`,
                    "run a participant proxy (canton-ha makes one per replicated participant in haMode loadbalancer)",
                    `participant '${name}'`,
                );
                continue;
            }
            for (const p of proxies) {
                const routed = backendHosts(model, p);
                const missing = hosts.filter((h) => !routed.has(h));
                if (missing.length > 0)
                    report(
                        p.file.carrier,
                        `the proxy of participant '${name}' does not route to ${missing.join(", ")}, so a failover to ${missing.length === 1 ? "it" : "them"} goes dark`,
                        "add every replica as a backend server",
                        p.file.where,
                    );
                if (p.kind === "haproxy" && !(/option\s+httpchk/.test(p.text) && /\/health/.test(p.text))) {
                    report(
                        p.file.carrier,
                        `the proxy of participant '${name}' does not health-check the replicas' /health, so it keeps sending calls to a passive replica`,
                        "add 'option httpchk', 'http-check send meth GET uri /health' and 'check port <health port>'",
                        p.file.where,
                    );
                }
            }
        }
    },
});
