// Canton configs, Postgres and proxies: TLS, mTLS, auth, storage.
import { cantonContainer, container, devCantonContainers, golden, withUpload } from "../support/wire";
import { cutBlock, replaceOnce, type CaseTable } from "./types";

const dev = devCantonContainers();
const remote = container("bootstrap-domain", {
    attach: true,
    files: { "/canton/bootstrap/remote.conf": golden("bootstrap/dev/domain.remote.conf"), "/canton/bootstrap/domain.canton": golden("bootstrap/dev/domain.canton") },
});

const PG_COMMAND = [
    "bash",
    "-c",
    "docker-entrypoint.sh postgres -c max_connections=202 -c ssl=on -c ssl_min_protocol_version=TLSv1.3 -c ssl_cert_file=/etc/canton-ha/tls/server-chain.pem -c hba_file=/etc/canton-ha/pg_hba.conf -c password_encryption=scram-sha-256",
];
export const database = (hba: string | undefined = golden("dev/domain-db.pg_hba.conf"), command = PG_COMMAND) =>
    container("domain-db", {
        command,
        files: hba === undefined ? {} : { "/etc/canton-ha/pg_hba.conf": hba },
        envs: { POSTGRES_PASSWORD: { secret: "pw" } },
        aliases: ["db.domain.canton.local", "domain-db"],
    });

/** The load-balancer topology of the renderer goldens (big-lb): its Canton nodes and HAProxy configs. */
export function bigLb(): ReturnType<typeof devCantonContainers> {
    const hosts: [string, string][] = [
        ["sequencer1", "domain"],
        ["sequencer2", "domain"],
        ["sequencer3", "domain"],
        ["mediator1", "domain"],
        ["mediator2", "domain"],
        ["domain-manager", "domain"],
        ["bank-1", "bank"],
        ["bank-2", "bank"],
        ["bank-3", "bank"],
        ["exchange-1", "exchange"],
        ["custodian-1", "custodian"],
        ["custodian-2", "custodian"],
    ];
    const dns = (d: string) => (d === "custodian" ? "custody.example.org" : `${d}.canton.local`);
    return [
        ...hosts.map(([h, d]) => cantonContainer(h, golden(`big-lb/${h}.conf`), { aliases: [`${h}.${dns(d)}`, h] })),
        container("sequencer-proxy", {
            files: { "/usr/local/etc/haproxy/haproxy.cfg": golden("lb/haproxy-sequencer.cfg") },
            aliases: ["sequencer.domain.canton.local", "sequencer-proxy"],
        }),
        container("bank-proxy", { files: { "/usr/local/etc/haproxy/haproxy.cfg": golden("lb/haproxy-bank.cfg") }, aliases: ["bank.bank.canton.local", "bank-proxy"] }),
        container("custodian-proxy", {
            files: { "/usr/local/etc/haproxy/haproxy.cfg": golden("lb/haproxy-custodian.cfg") },
            aliases: ["custodian.custody.example.org", "custodian-proxy"],
        }),
        container("bootstrap-domain", { attach: true, files: { "/canton/bootstrap/domain.canton": golden("bootstrap/big-lb/domain.canton") } }),
        container("bootstrap-participant-bank", { attach: true, files: { "/canton/bootstrap/participant-bank.canton": golden("bootstrap/big-lb/participant-bank.canton") } }),
    ];
}

const conf = (host: string, f: (t: string) => string) => withUpload(dev, host, "/canton/config/node.conf", f);

/** The domain manager's config with `topology.open` set (canton-ha renders false; Canton's default is true). */
const withOpen = (open: boolean) => conf("domain-manager", (t) => (open ? replaceOnce(t, "open = false", "open = true") : t));

export const cantonCases: CaseTable = {
    "canton-open-domain": {
        compliant: [{ name: "a closed domain (topology.open = false)", resources: withOpen(false) }],
        violating: [
            {
                name: "an open domain, chosen explicitly",
                resources: withOpen(true),
                expect: /domain manager 'domain' sets topology.open = true: anyone who reaches a sequencer can join/,
            },
            {
                name: "no topology.open at all (Canton's default is open)",
                resources: conf("domain-manager", (t) => cutBlock(t, "topology")),
                expect: /does not set topology.open, and Canton's default is true.*canton-ha:domain.open' false/,
            },
        ],
    },
    "canton-api-tls": {
        compliant: [
            { name: "the dev topology's rendered configs", resources: [...dev, remote] },
            {
                name: "TLS 1.2 where the config allows it",
                resources: conf("mediator1", (t) => replaceOnce(t, 'minimum-server-protocol-version = "TLSv1.3"', 'minimum-server-protocol-version = "TLSv1.2"')),
                config: { minimumProtocolVersion: "TLSv1.2" },
            },
        ],
        violating: [
            {
                name: "the sequencer public API without TLS",
                resources: conf("sequencer1", (t) => cutBlock(t, "public-api", "tls")),
                expect: /public-api of sequencer 'sequencer1' has no tls block/,
            },
            {
                name: "an admin API at TLS 1.2",
                resources: conf("mediator1", (t) => replaceOnce(t, 'minimum-server-protocol-version = "TLSv1.3"', 'minimum-server-protocol-version = "TLSv1.2"')),
                expect: /accepts TLSv1.2, below TLSv1.3/,
            },
            {
                name: "no minimum protocol version",
                resources: conf("participant1-2", (t) => replaceOnce(t, /\n\s*minimum-server-protocol-version = "TLSv1.3"/, "")),
                expect: /ledger-api.tls of participant 'participant1' accepts Canton's default/,
            },
            { name: "a node without its admin API block", resources: conf("domain-manager", (t) => cutBlock(t, "admin-api")), expect: /has no admin-api block/ },
            {
                name: "no private key file",
                resources: conf("sequencer2", (t) => replaceOnce(t, /\n\s*private-key-file = "\/canton\/tls\/server.key"/, "")),
                expect: /has no private-key-file/,
            },
            {
                name: "a remote config without transport security",
                resources: [
                    withUpload([remote], "bootstrap-domain", "/canton/bootstrap/remote.conf", (t) => replaceOnce(t, "transport-security = true", "transport-security = false"))[0],
                ],
                expect: /dials its public API without TLS/,
            },
            { name: "a config that cannot be read", resources: conf("sequencer1", (t) => t.replace(/\}\s*$/, "")), expect: /cannot be read/ },
        ],
    },
    "canton-api-client-auth": {
        compliant: [
            { name: "the dev topology", resources: dev },
            {
                name: "ledger API without client certs when only admin APIs are required",
                resources: conf("participant1-1", (t) => replaceOnce(t, 'type = "require"', 'type = "optional"')),
                config: { apis: ["admin-api"] },
            },
        ],
        violating: [
            {
                name: "an optional client certificate on a ledger API",
                resources: conf("participant1-1", (t) => replaceOnce(t, 'type = "require"', 'type = "optional"')),
                expect: /ledger-api of participant 'participant1' does not require client certificates \(client-auth.type is 'optional'\)/,
            },
            {
                name: "no client-auth on a sequencer admin API",
                resources: conf("sequencer2", (t) => cutBlock(t, "admin-api", "tls", "client-auth")),
                expect: /admin-api of sequencer 'sequencer2' does not require client certificates \(client-auth.type is not set\)/,
            },
        ],
    },
    "ledger-api-audience-auth": {
        compliant: [{ name: "the dev participants (JWKS with target-audience)", resources: dev }],
        violating: [
            {
                name: "no auth services",
                resources: conf("participant2-1", (t) => cutBlock(t, "auth-services")),
                expect: /ledger-api of participant 'participant2' has no auth-services/,
            },
            { name: "no target-audience", resources: conf("participant1-1", (t) => replaceOnce(t, /\n\s*target-audience = "[^"]*"/, "")), expect: /has no target-audience/ },
            {
                name: "the wildcard auth service",
                resources: conf("participant1-2", (t) => replaceOnce(t, 'type = "jwt-rs-256-jwks"', 'type = "wildcard"')),
                expect: /of type 'wildcard', which is not allowed/,
            },
            {
                name: "a JWKS over plain http",
                resources: conf("participant1-2", (t) => replaceOnce(t, 'url = "file:///canton/auth/jwks.json"', 'url = "http://auth.example/jwks"')),
                expect: /the scheme must be one of https, file/,
            },
        ],
    },
    "canton-storage-tls": {
        compliant: [{ name: "the dev nodes (verify-full, password substitution)", resources: dev }],
        violating: [
            {
                name: "sslmode require",
                resources: conf("mediator2", (t) => replaceOnce(t, 'sslmode = "verify-full"', 'sslmode = "require"')),
                expect: /storage of mediator 'mediator' .* uses sslmode 'require'/,
            },
            { name: "ssl off", resources: conf("participant2-1", (t) => replaceOnce(t, "ssl = true", "ssl = false")), expect: /does not use TLS \(ssl is false\)/ },
            {
                name: "a literal password",
                resources: conf("sequencer1", (t) => replaceOnce(t, "password = ${CANTON_DB_PASSWORD}", 'password = "hunter2"')),
                expect: /has its database password written into the config file/,
            },
            { name: "no sslrootcert", resources: conf("domain-manager", (t) => replaceOnce(t, /\n\s*sslrootcert = "[^"]*"/, "")), expect: /names no sslrootcert/ },
        ],
    },
    "postgres-server-tls": {
        compliant: [{ name: "the rendered pg_hba.conf and server flags", resources: [database()] }],
        violating: [
            {
                name: "a host (non-TLS) rule",
                resources: [database(golden("dev/domain-db.pg_hba.conf") + "host all all 10.0.0.0/8 scram-sha-256\n")],
                expect: /accepts connections without TLS/,
            },
            {
                name: "trust",
                resources: [
                    database(golden("dev/domain-db.pg_hba.conf").replace("local   all  all                     scram-sha-256", "local   all  all                     trust")),
                ],
                expect: /uses the auth method 'trust'/,
            },
            {
                name: "no client certificate check",
                resources: [database(golden("dev/domain-db.pg_hba.conf").replace(" clientcert=verify-full", ""))],
                expect: /does not verify the client certificate/,
            },
            {
                name: "TLS 1.2 allowed",
                resources: [database(undefined, [PG_COMMAND[0], PG_COMMAND[1], PG_COMMAND[2].replace(" -c ssl_min_protocol_version=TLSv1.3", "")])],
                expect: /accepts TLS below TLSv1.3/,
            },
            {
                name: "no pg_hba.conf of its own",
                resources: [{ ...database(undefined), inputs: { ...database(undefined).inputs, uploads: [], image: "postgres:15" } }],
                expect: /does not turn TLS on|has no pg_hba.conf/,
            },
        ],
    },
    "proxy-tls": {
        compliant: [
            { name: "the rendered HAProxy configs (sequencer and participant)", resources: bigLb() },
            { name: "the rendered NGINX participant config", resources: [container("bank-proxy", { files: { "/etc/nginx/nginx.conf": golden("lb/nginx-bank.conf") } })] },
        ],
        violating: [
            {
                name: "a participant proxy that takes any client",
                resources: withUpload(bigLb(), "bank-proxy", "/usr/local/etc/haproxy/haproxy.cfg", (t) =>
                    t.replace(/ verify required ca-file \/etc\/canton-ha-proxy\/tls\/client-ca-chain.pem/g, ""),
                ),
                expect: /participant proxy's listener .* does not require client certificates/,
            },
            {
                name: "no TLS 1.3 minimum",
                resources: withUpload(bigLb(), "sequencer-proxy", "/usr/local/etc/haproxy/haproxy.cfg", (t) =>
                    replaceOnce(t, /\n\s*ssl-default-bind-options ssl-min-ver TLSv1.3/, ""),
                ),
                expect: /accepts TLS below 1.3/,
            },
            {
                name: "unverified backends",
                resources: withUpload(bigLb(), "sequencer-proxy", "/usr/local/etc/haproxy/haproxy.cfg", (t) => t.replace(/verify required/g, "verify none")),
                expect: /is not verified/,
            },
            {
                name: "NGINX without client certificates",
                resources: [
                    container("bank-proxy", { files: { "/etc/nginx/nginx.conf": golden("lb/nginx-bank.conf").replace(/ssl_verify_client on;/g, "ssl_verify_client off;") } }),
                ],
                expect: /does not require client certificates/,
            },
            {
                name: "NGINX with TLS 1.2",
                resources: [
                    container("bank-proxy", {
                        files: { "/etc/nginx/nginx.conf": golden("lb/nginx-bank.conf").replace(/ssl_protocols TLSv1.3;/g, "ssl_protocols TLSv1.2 TLSv1.3;") },
                    }),
                ],
                expect: /not TLS 1.3 only/,
            },
        ],
    },
};
