// The database servers on the platform: TLS on, a minimum protocol version, and pg_hba rules
// that accept only TLS connections with a verified client certificate and SCRAM passwords.
// A managed (external) Postgres is not on the platform and is not seen here.
import { LABELS, type Workload } from "../lib/model";
import { isText } from "../lib/props";
import { bool, stackPolicy, stringList, text } from "../lib/policy";

const VERSIONS = ["TLSv1.2", "TLSv1.3"];

function isDatabase(w: Workload): boolean {
    return (
        w.labels[LABELS.component] === "database" ||
        w.files.some((f) => /pg_hba\.conf$/.test(f.path)) ||
        w.containers.some((c) => isText(c.image) && /(^|\/)postgres(ql)?[:@]/.test(c.image))
    );
}

/** `-c key=value` from the command line and `key = value` from a postgresql.conf. */
function settingsOf(w: Workload): Map<string, string> {
    const out = new Map<string, string>();
    for (const f of w.files.filter((x) => /postgresql[^/]*\.conf$/.test(x.path))) {
        if (!isText(f.content)) continue;
        for (const line of f.content.split("\n")) {
            const m = /^\s*([a-z_]+)\s*=\s*'?([^'#\s]*)'?/.exec(line);
            if (m) out.set(m[1], m[2]);
        }
    }
    for (const c of w.containers) {
        const line = c.command.join(" ");
        for (const m of line.matchAll(/-c\s+([a-z_]+)=("[^"]*"|'[^']*'|\S+)/g)) out.set(m[1], m[2].replace(/^["']|["']$/g, ""));
    }
    return out;
}

export const postgresServerTls = stackPolicy<{ minimumProtocolVersion: string; requireClientCertificates: boolean; allowedMethods: string[] }>({
    name: "postgres-server-tls",
    description:
        "Postgres servers on the platform run with ssl = on and a minimum TLS version, and their pg_hba.conf accepts remote connections only over TLS (hostssl), with SCRAM and a verified client certificate.",
    enforcementLevel: "mandatory",
    config: {
        minimumProtocolVersion: text("Lowest accepted ssl_min_protocol_version.", "TLSv1.3", VERSIONS),
        requireClientCertificates: bool("hostssl rules must carry clientcert=verify-full (or use the cert method).", true),
        allowedMethods: stringList("pg_hba methods accepted on connections that are not rejected.", ["scram-sha-256", "cert", "peer"]),
    },
    validate(model, cfg, report) {
        for (const w of model.workloads.filter((x) => !x.job && isDatabase(x))) {
            const s = settingsOf(w);
            const here = `database '${w.id}'`;
            if (s.get("ssl") !== "on" && s.get("ssl") !== "true")
                report(
                    w.res,
                    `${here} does not turn TLS on (ssl is ${s.get("ssl") ?? "not set"})`,
                    "start Postgres with -c ssl=on and its server certificate and key",
                    `${here} (${w.res.name})`,
                );
            const v = s.get("ssl_min_protocol_version");
            if (VERSIONS.indexOf(v ?? "") < VERSIONS.indexOf(cfg.minimumProtocolVersion)) {
                report(
                    w.res,
                    `${here} accepts TLS below ${cfg.minimumProtocolVersion} (ssl_min_protocol_version is ${v ?? "not set, Postgres' default TLSv1.2"})`,
                    `start Postgres with -c ssl_min_protocol_version=${cfg.minimumProtocolVersion}`,
                    `${here} (${w.res.name})`,
                );
            }
            const hba = w.files.find((f) => /pg_hba\.conf$/.test(f.path));
            if (!hba) {
                report(
                    w.res,
                    `${here} has no pg_hba.conf of its own, so the image's default (which trusts local and accepts passwords without TLS) applies`,
                    "mount a pg_hba.conf with hostssl rules only",
                    `${here} (${w.res.name})`,
                );
                continue;
            }
            if (!isText(hba.content)) continue;
            hba.content.split("\n").forEach((raw, i) => {
                const line = raw.replace(/#.*$/, "").trim();
                if (!line) return;
                const parts = line.split(/\s+/);
                const type = parts[0];
                const method = type === "local" ? parts[3] : parts[4];
                const options = parts.slice(type === "local" ? 4 : 5);
                if (method === "reject") return;
                const at = `${hba.where} line ${i + 1} ('${line}')`;
                if (type === "host" || type === "hostnossl" || type === "hostgssenc" || type === "hostnogssenc") {
                    report(hba.carrier, `${at} accepts connections without TLS`, "use hostssl for every rule that is not 'reject'", at);
                    return;
                }
                if (!cfg.allowedMethods.includes(method ?? "")) {
                    report(
                        hba.carrier,
                        `${at} uses the auth method '${method}' (allowed: ${cfg.allowedMethods.join(", ")})`,
                        "use scram-sha-256 (with clientcert=verify-full) or cert",
                        at,
                    );
                    return;
                }
                if (type === "hostssl" && cfg.requireClientCertificates && method !== "cert" && !options.includes("clientcert=verify-full")) {
                    report(hba.carrier, `${at} does not verify the client certificate`, "add clientcert=verify-full to the rule", at);
                }
            });
        }
    },
});
