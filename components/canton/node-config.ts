// Pure renderers: one Canton HOCON file per node, computed from the plan alone.
import type { DatabaseRef, DatabaseServer, Listener, Plan } from "../plan/types";
import { ledgerApiAuth } from "../auth/ledger-api";
import { LISTEN_ADDRESS } from "../plan/build";
import { env, HoconObject, renderHocon } from "./hocon";
import { DB_PASSWORD_ENV, files } from "./layout";

const TLS_PROTOCOL = "TLSv1.3";

function dbServer(plan: Plan, ref: DatabaseRef): DatabaseServer {
    const server = plan.databaseServers.find((d) => d.id === ref.server);
    if (!server) throw new Error(`plan has no database server '${ref.server}'`);
    return server;
}

/** Postgres over TLS: verify-full against the trust domain's CA, client cert CN = user. */
export function storage(plan: Plan, ref: DatabaseRef): HoconObject {
    const server = dbServer(plan, ref);
    return {
        type: "postgres",
        config: {
            dataSourceClass: "org.postgresql.ds.PGSimpleDataSource",
            properties: {
                serverName: server.host.fqdn,
                portNumber: server.port,
                databaseName: ref.database,
                user: ref.user,
                password: env(DB_PASSWORD_ENV),
                ssl: true,
                sslmode: "verify-full",
                sslrootcert: files.caChain,
                sslcert: files.dbClientCert,
                sslkey: files.dbClientKeyDer,
            },
        },
        parameters: { "max-connections": plan.config.postgres.maxConnections },
    };
}

/** TLS for an API that requires client certificates (admin APIs, the ledger API). */
export function mutualTls(): HoconObject {
    return {
        "cert-chain-file": files.serverChain,
        "private-key-file": files.serverKey,
        "trust-collection-file": files.caChain,
        "client-auth": {
            type: "require",
            "admin-client": { "cert-chain-file": files.adminClientChain, "private-key-file": files.adminClientKey },
        },
        "minimum-server-protocol-version": TLS_PROTOCOL,
    };
}

/** The sequencer public API has TLS but no client auth: Canton has no mTLS there. */
function serverOnlyTls(): HoconObject {
    return {
        "cert-chain-file": files.serverChain,
        "private-key-file": files.serverKey,
        "minimum-server-protocol-version": TLS_PROTOCOL,
    };
}

function api(l: Listener, tls: HoconObject, extra: HoconObject = {}): HoconObject {
    return { address: LISTEN_ADDRESS, port: l.port, tls, ...extra };
}

function header(plan: Plan, what: string): string {
    return `${what}\nRendered by canton-ha for stack '${plan.stack}'. Do not edit: \`pulumi up\` rewrites it.`;
}

export function sequencerConfig(plan: Plan, index: number): string {
    const s = plan.sequencers.find((x) => x.index === index)!;
    return renderHocon(
        {
            canton: {
                sequencers: {
                    [s.name]: {
                        storage: storage(plan, s.db),
                        "public-api": api(s.publicApi, serverOnlyTls()),
                        "admin-api": api(s.adminApi, mutualTls()),
                        // Active/active: every replica writes to the shared database. Current 2.x
                        // hands out writer indices through a DB lock, so no `node-index` here.
                        sequencer: {
                            type: "database",
                            "high-availability": { enabled: true, "total-node-count": plan.config.domain.totalNodeCount },
                        },
                    },
                },
            },
        },
        header(plan, `Sequencer ${s.name} (active/active, shared database)`),
    );
}

export function mediatorConfig(plan: Plan, replicaIndex: number): string {
    const m = plan.mediators;
    const r = m.replicas.find((x) => x.index === replicaIndex)!;
    return renderHocon(
        {
            canton: {
                mediators: {
                    [m.name]: {
                        storage: storage(plan, m.db),
                        "admin-api": api(r.adminApi, mutualTls()),
                        // Active/passive: replicas share the database; the lease runs over the sequencer.
                        replication: { enabled: true },
                    },
                },
            },
        },
        header(plan, `Mediator replica ${r.host.id} of '${m.name}' (active/passive)`),
    );
}

export function domainManagerConfig(plan: Plan): string {
    const d = plan.domainManager;
    return renderHocon(
        {
            canton: {
                "domain-managers": {
                    [d.name]: {
                        storage: storage(plan, d.db),
                        "admin-api": api(d.adminApi, mutualTls()),
                        init: { "domain-parameters": { "protocol-version": d.protocolVersion } },
                    },
                },
            },
        },
        header(plan, `Domain manager '${d.name}'`),
    );
}

export function participantConfig(plan: Plan, name: string, replicaIndex: number): string {
    const p = plan.participants.find((x) => x.name === name)!;
    const r = p.replicas.find((x) => x.index === replicaIndex)!;
    return renderHocon(
        {
            canton: {
                participants: {
                    // Same node name on every replica: they are one logical participant.
                    [p.name]: {
                        storage: storage(plan, p.db),
                        // JWT auth against the participant's JWKS; tokens need no participant id.
                        "ledger-api": api(r.ledgerApi, mutualTls(), ledgerApiAuth(plan, p.name)),
                        "admin-api": api(r.adminApi, mutualTls()),
                        replication: { enabled: true },
                    },
                },
                // HTTP/1 GET /health answers 200 only on the active replica; load balancers use it.
                monitoring: { health: { server: { address: LISTEN_ADDRESS, port: r.health.port }, check: { type: "is-active" } } },
            },
        },
        header(plan, `Participant '${p.name}' replica ${r.index} of ${p.replicas.length} (active/passive, shared database)`),
    );
}
