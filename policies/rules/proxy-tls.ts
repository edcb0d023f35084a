// The proxy tier (HAProxy or NGINX): TLS 1.3 on every listener and towards every backend,
// backends verified, and participant proxies require client certificates.
import type { Model, ProxyConfig } from "../lib/model";
import { stackPolicy } from "../lib/policy";

/** Whether a proxy fronts a participant: a backend is a participant replica, or it serves a ledger API. */
export function frontsParticipant(model: Model, p: ProxyConfig): boolean {
    const participantHosts = new Set(model.cantonNodes.filter((n) => n.kind === "participant").map((n) => n.hostId));
    if (p.backends.some((b) => participantHosts.has(model.hostByName.get(b.host) ?? b.host.split(".")[0]))) return true;
    return /ledger-api/.test(p.text);
}

export const proxyTls = stackPolicy({
    name: "proxy-tls",
    description: "Every proxy listener serves TLS 1.3 only, every backend connection uses TLS and verifies the backend, and participant proxies require client certificates.",
    enforcementLevel: "mandatory",
    validate(model, _cfg, report) {
        for (const p of model.proxies) {
            const participant = frontsParticipant(model, p);
            const where = p.file.where;
            const add = (problem: string, fix: string) => report(p.file.carrier, problem, fix, where);
            if (p.kind === "haproxy") {
                const globalMin = /ssl-default-bind-options[^\n]*ssl-min-ver\s+TLSv1\.3/.test(p.text);
                const serverMin = /ssl-default-server-options[^\n]*ssl-min-ver\s+TLSv1\.3/.test(p.text);
                for (const bind of p.listeners) {
                    if (!/\sssl(\s|$)/.test(bind)) add(`the listener '${bind}' serves plain text`, "add 'ssl crt <chain+key pem>' to every bind line");
                    else if (!globalMin && !/ssl-min-ver\s+TLSv1\.3/.test(bind))
                        add(`the listener '${bind}' accepts TLS below 1.3`, "set 'ssl-default-bind-options ssl-min-ver TLSv1.3' in the global section");
                    if (participant && !/verify\s+required/.test(bind))
                        add(
                            `the participant proxy's listener '${bind}' does not require client certificates`,
                            "add 'verify required ca-file <participant CA chain>' to the bind line",
                        );
                }
                const defaults = p.text.split("\n").filter((l) => /^\s*default-server\s/.test(l));
                for (const b of p.backends) {
                    const opts = `${b.line} ${defaults.join(" ")}`;
                    if (!/\sssl(\s|$)/.test(opts))
                        add(`the backend '${b.line}' is reached without TLS`, "add 'ssl verify required ca-file <CA chain>' to the server or default-server line");
                    else if (!/verify\s+required/.test(opts)) add(`the backend '${b.line}' is not verified`, "add 'verify required ca-file <CA chain>'");
                }
                if (p.backends.length > 0 && !serverMin)
                    add("connections to the backends may use TLS below 1.3", "set 'ssl-default-server-options ssl-min-ver TLSv1.3' in the global section");
            } else {
                for (const listen of p.listeners) if (!/\sssl(\s|;|$)/.test(listen)) add(`the listener '${listen}' serves plain text`, "add 'ssl' to every listen directive");
                const protocols = [...p.text.matchAll(/^\s*ssl_protocols\s+([^;]+);/gm)].map((m) => m[1].trim());
                if (protocols.length === 0 || protocols.some((x) => x !== "TLSv1.3"))
                    add(`the listeners accept ${protocols.join(", ") || "nginx's default protocols"}, not TLS 1.3 only`, "set 'ssl_protocols TLSv1.3;'");
                const upstream = [...p.text.matchAll(/^\s*grpc_ssl_protocols\s+([^;]+);/gm)].map((m) => m[1].trim());
                if (p.backends.length > 0) {
                    if (!/grpc_pass\s+grpcs:\/\//.test(p.text) && !/proxy_pass\s+https:\/\//.test(p.text))
                        add("the backends are reached without TLS", "use grpc_pass grpcs://<upstream>");
                    if (!/grpc_ssl_verify\s+on/.test(p.text) && !/proxy_ssl_verify\s+on/.test(p.text))
                        add("the backends' certificates are not verified", "set 'grpc_ssl_verify on;' and grpc_ssl_trusted_certificate");
                    if (upstream.length === 0 || upstream.some((x) => x !== "TLSv1.3"))
                        add("connections to the backends may use TLS below 1.3", "set 'grpc_ssl_protocols TLSv1.3;'");
                }
                if (participant && !/ssl_verify_client\s+on/.test(p.text))
                    add("the participant proxy does not require client certificates", "set 'ssl_verify_client on;' and ssl_client_certificate to the participant's CA chain");
            }
        }
    },
});
