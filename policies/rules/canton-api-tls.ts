// TLS on every Canton API, at a minimum protocol version: the node configs' `tls` blocks, and
// the remote configs (console, bootstrap) that dial them.
import type { CantonKind, CantonNode } from "../lib/model";
import { stackPolicy, text } from "../lib/policy";

/** The server APIs each kind of node has (Canton 2.x). */
export const APIS: Record<CantonKind, string[]> = {
    sequencer: ["public-api", "admin-api"],
    mediator: ["admin-api"],
    "domain-manager": ["admin-api"],
    participant: ["ledger-api", "admin-api"],
};

const VERSIONS = ["TLSv1.2", "TLSv1.3"];

/** Every API block of a node: the expected ones (possibly missing) and any other `*-api` object. */
export function apisOf(node: CantonNode): [string, Record<string, any> | undefined][] {
    const names = new Set([...APIS[node.kind], ...Object.keys(node.config).filter((k) => k.endsWith("-api") && typeof node.config[k] === "object")]);
    return [...names].map((n) => [n, node.config[n] as Record<string, any> | undefined]);
}

export const cantonApiTls = stackPolicy<{ minimumProtocolVersion: string }>({
    name: "canton-api-tls",
    description:
        "Every Canton API (sequencer public and admin, mediator and domain manager admin, participant ledger and admin) serves TLS with a minimum protocol version, and every remote config dials it with TLS.",
    enforcementLevel: "mandatory",
    config: { minimumProtocolVersion: text("Lowest accepted `minimum-server-protocol-version`.", "TLSv1.3", VERSIONS) },
    validate(model, cfg, report) {
        const min = VERSIONS.indexOf(cfg.minimumProtocolVersion);
        for (const node of model.cantonNodes) {
            for (const [api, block] of apisOf(node)) {
                const key = `canton.${node.kind}s.${node.nodeName}.${api}`;
                if (!block) {
                    report(
                        node.file.carrier,
                        `the ${node.kind} '${node.nodeName}' has no ${api} block, so Canton serves it on its default port without TLS`,
                        `configure ${api} with a tls block (cert-chain-file, private-key-file, minimum-server-protocol-version = ${cfg.minimumProtocolVersion})`,
                        node.where,
                    );
                    continue;
                }
                const tls = block.tls;
                if (!tls || typeof tls !== "object") {
                    report(
                        node.file.carrier,
                        `${api} of ${node.kind} '${node.nodeName}' has no tls block: it serves plain text`,
                        `add ${api}.tls with cert-chain-file, private-key-file and minimum-server-protocol-version = ${cfg.minimumProtocolVersion} (${key})`,
                        node.where,
                    );
                    continue;
                }
                for (const f of ["cert-chain-file", "private-key-file"]) {
                    if (typeof tls[f] !== "string" || tls[f].length === 0)
                        report(
                            node.file.carrier,
                            `${api}.tls of ${node.kind} '${node.nodeName}' has no ${f}`,
                            `set ${api}.tls.${f} to the node's certificate chain and key files`,
                            node.where,
                        );
                }
                const version = tls["minimum-server-protocol-version"];
                const idx = VERSIONS.indexOf(String(version));
                if (idx < min) {
                    report(
                        node.file.carrier,
                        `${api}.tls of ${node.kind} '${node.nodeName}' accepts ${version === undefined ? "Canton's default protocol versions (TLS 1.2 included)" : String(version)}, below ${cfg.minimumProtocolVersion}`,
                        `set ${api}.tls.minimum-server-protocol-version = "${cfg.minimumProtocolVersion}"`,
                        node.where,
                    );
                }
            }
        }
        for (const r of model.remoteNodes) {
            const pub = r.config["public-api"];
            if (pub && typeof pub === "object" && pub["transport-security"] !== true) {
                report(
                    r.file.carrier,
                    `the remote config of '${r.name}' dials its public API without TLS (transport-security is ${String(pub["transport-security"])})`,
                    `set ${r.section}.${r.name}.public-api.transport-security = true and custom-trust-certificates.pem-file to the domain's CA chain`,
                    r.where,
                );
            }
            for (const api of ["admin-api", "ledger-api"]) {
                const block = r.config[api];
                if (block && typeof block === "object" && !(block.tls && typeof block.tls === "object")) {
                    report(
                        r.file.carrier,
                        `the remote config of '${r.name}' dials ${api} without TLS`,
                        `add ${r.section}.${r.name}.${api}.tls with trust-collection-file and client-cert`,
                        r.where,
                    );
                }
            }
        }
        for (const u of model.unreadable) {
            report(
                u.file.carrier,
                `${u.file.path} looks like a Canton config but cannot be read (${u.error}), so its TLS settings cannot be checked`,
                "fix the HOCON syntax of the rendered file",
                u.file.where,
            );
        }
    },
});
