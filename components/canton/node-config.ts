// Pure renderers: one Canton HOCON file per node, computed from the node's own plan alone.
import { ledgerApiAuth } from "../auth/ledger-api";
import { LISTEN_ADDRESS } from "../plan/build";
import type { DatabaseRef, DomainManagerNode, Listener, MediatorPairPlan, ParticipantReplica, ParticipantSet, Replica, SequencerNode, SequencerTierPlan } from "../plan/types";
import { env, HoconObject, renderHocon } from "./hocon";
import { renderedBy } from "./header";
import { DB_PASSWORD_ENV, files } from "./layout";
import { replication } from "./replication";

const TLS_PROTOCOL = "TLSv1.3";

/** Postgres over TLS: verify-full against the trust domain's CA, client cert CN = user. */
export function storage(ref: DatabaseRef): HoconObject {
    return {
        type: "postgres",
        config: {
            dataSourceClass: "org.postgresql.ds.PGSimpleDataSource",
            properties: {
                serverName: ref.server.host.fqdn,
                portNumber: ref.server.port,
                databaseName: ref.database,
                user: ref.user,
                password: env(DB_PASSWORD_ENV),
                ssl: true,
                sslmode: "verify-full",
                // Ours are verified with the trust domain's chain; a managed one with its provider's.
                sslrootcert: ref.server.external ? files.dbServerCaChain : files.caChain,
                ...(ref.clientCert ? { sslcert: files.dbClientCert, sslkey: files.dbClientKeyDer } : {}),
            },
        },
        // The 2.9 key; `storage.max-connections` is a deprecated path Canton moves here.
        parameters: { "max-connections": ref.poolSize },
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

/**
 * Canton's gRPC health service on its own plain-text port, as Digital Asset's charts run it:
 * Kubernetes probes read `liveness` (always SERVING) and `""` (NOT_SERVING while passive).
 */
function grpcHealth(l: Listener): HoconObject {
    return { "grpc-health-server": { address: LISTEN_ADDRESS, port: l.port } };
}

export function sequencerConfig(tier: SequencerTierPlan, s: SequencerNode, stack: string): string {
    return renderHocon(
        {
            canton: {
                sequencers: {
                    [s.name]: {
                        storage: storage(tier.db),
                        "public-api": api(s.publicApi, serverOnlyTls()),
                        "admin-api": api(s.adminApi, mutualTls()),
                        monitoring: grpcHealth(s.grpcHealth),
                        // Active/active: every replica writes to the shared database. Current 2.x
                        // hands out writer indices through a DB lock, so no `node-index` here.
                        sequencer: {
                            type: "database",
                            "high-availability": { enabled: true, "total-node-count": tier.totalNodeCount },
                        },
                    },
                },
            },
        },
        renderedBy(stack, `Sequencer ${s.name} (active/active, shared database)`),
    );
}

export function mediatorConfig(m: MediatorPairPlan, r: Replica, stack: string): string {
    return renderHocon(
        {
            canton: {
                mediators: {
                    [m.name]: {
                        storage: storage(m.db),
                        "admin-api": api(r.adminApi, mutualTls()),
                        monitoring: grpcHealth(r.grpcHealth),
                        // Active/passive like the participant: the replicas share the database and
                        // the active one holds its lock (2.x MediatorNodeConfig.replication is the
                        // same ReplicationConfig; 2.9 manual, HA). No lease over the sequencer (that
                        // was Canton 0.x), and no mediator set_passive in 2.9.
                        replication: replication(m.replication),
                    },
                },
            },
        },
        renderedBy(stack, `Mediator replica ${r.host.id} of '${m.name}' (active/passive)`),
    );
}

export function domainManagerConfig(d: DomainManagerNode, stack: string): string {
    return renderHocon(
        {
            canton: {
                "domain-managers": {
                    [d.name]: {
                        storage: storage(d.db),
                        "admin-api": api(d.adminApi, mutualTls()),
                        monitoring: grpcHealth(d.grpcHealth),
                        init: { "domain-parameters": { "protocol-version": d.protocolVersion } },
                        // Closed unless the stack says otherwise: Canton's default is open
                        // (2.9 `DomainConfig.scala` `TopologyConfig(open = true)`), which lets
                        // anyone who reaches a sequencer join. Digital Asset's chart closes it too.
                        topology: { open: d.topologyOpen },
                    },
                },
            },
        },
        renderedBy(stack, `Domain manager '${d.name}'`),
    );
}

export function participantConfig(p: ParticipantSet, r: ParticipantReplica, stack: string): string {
    return renderHocon(
        {
            canton: {
                participants: {
                    // Same node name on every replica: they are one logical participant.
                    [p.name]: {
                        storage: storage(p.db),
                        // JWT auth against the participant's JWKS; tokens need no participant id.
                        "ledger-api": api(r.ledgerApi, mutualTls(), ledgerApiAuth(p)),
                        "admin-api": api(r.adminApi, mutualTls()),
                        monitoring: grpcHealth(r.grpcHealth),
                        // Active/passive: the active replica holds the database lock.
                        replication: replication(p.replication),
                    },
                },
                // HTTP/1 GET /health answers 200 only on the active replica; load balancers use it.
                monitoring: { health: { server: { address: LISTEN_ADDRESS, port: r.health.port }, check: { type: "is-active" } } },
            },
        },
        // No replica count in the header: adding a replica must not change (and roll) the others.
        renderedBy(stack, `Participant '${p.name}' replica ${r.index} (active/passive, shared database)`),
    );
}
