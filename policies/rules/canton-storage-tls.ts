// Canton's database connections: TLS that verifies the server (sslmode verify-full against
// the trust domain's chain) and no password written into the config file.
import { isSubstitution } from "../lib/hocon";
import { databaseOf } from "../lib/model";
import { isText } from "../lib/props";
import { stackPolicy, stringList } from "../lib/policy";

export const cantonStorageTls = stackPolicy<{ allowedSslModes: string[] }>({
    name: "canton-storage-tls",
    description:
        "Every Canton node's Postgres connection uses TLS with server verification (ssl = true, sslmode verify-full, sslrootcert) and takes its password from a substitution, never a literal.",
    enforcementLevel: "mandatory",
    config: { allowedSslModes: stringList("Accepted sslmode values.", ["verify-full"]) },
    validate(model, cfg, report) {
        for (const node of model.cantonNodes) {
            const db = databaseOf(node);
            if (!db || !/postgres/i.test(String(db.type ?? ""))) continue;
            const p = db.properties;
            const url = node.config.storage?.config?.url;
            const query = isText(url) ? new URLSearchParams(url.split("?")[1] ?? "") : undefined;
            const prop = (k: string) => p[k] ?? query?.get(k) ?? undefined;
            const here = `the storage of ${node.kind} '${node.nodeName}' (${db.id})`;
            const ssl = prop("ssl");
            if (!(ssl === true || ssl === "true"))
                report(
                    node.file.carrier,
                    `${here} does not use TLS (ssl is ${ssl === undefined ? "not set" : String(ssl)})`,
                    "set storage.config.properties.ssl = true",
                    node.where,
                );
            const mode = prop("sslmode");
            if (!cfg.allowedSslModes.includes(String(mode))) {
                report(
                    node.file.carrier,
                    `${here} uses sslmode '${String(mode)}', which does not verify the database server (allowed: ${cfg.allowedSslModes.join(", ")})`,
                    `set storage.config.properties.sslmode = "${cfg.allowedSslModes[0]}" and sslrootcert to the CA chain`,
                    node.where,
                );
            }
            if (!isText(prop("sslrootcert")))
                report(
                    node.file.carrier,
                    `${here} names no sslrootcert to verify the server against`,
                    "set storage.config.properties.sslrootcert to the database's CA chain file",
                    node.where,
                );
            const pw = p.password ?? query?.get("password");
            if (pw !== undefined && !isSubstitution(pw) && !(isText(pw) && /^\$\{[^}]+\}$/.test(pw))) {
                report(
                    node.file.carrier,
                    `${here} has its database password written into the config file`,
                    "use a substitution such as password = ${CANTON_DB_PASSWORD} and pass the value as a secret env var",
                    node.where,
                );
            }
        }
    },
});
