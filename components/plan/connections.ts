// How many Postgres connections a database server must allow, from the Canton nodes that use
// it. Postgres' default of 100 is too few for an HA domain: two sequencers, two mediators and
// a domain manager with the default pool of 16 already hold about 160.
//
// The per-node figures are Canton 2.9's own (manual, "Persistence" > "Max Connection
// Settings"; StorageConfig.scala on main-2.x), with X = storage.parameters.max-connections
// and Y = the indexer's ingestion-parallelism:
//   participant replica:   X + Y + 2   (Ledger API X/2, Canton reads X/4, writes X/4 - 1,
//                                        the replication lock connection, the indexer pool
//                                        Y + 1 and the indexer's main-lock connection)
//   mediator / domain manager replica: X (reads X/2, writes X/2 - 1, the lock connection)
//   HA sequencer:          2X          (reader pool X and writer pool X)
// Every replica holds its pools, passive ones included (they keep trying for the lock), and
// "during startup, the node will use an additional set of at most X temporary connections".
// All nodes may start at once (a host reboot), so each replica also gets its X transient
// connections. On top: Postgres' superuser_reserved_connections (3) and room for an
// operator's psql and the health checks.
import type { Plan } from "./types";

/** Canton's default `ledger-api-server-parameters.indexer.ingestion-parallelism` (IndexerConfig.scala). */
export const INDEXER_INGESTION_PARALLELISM = 16;
/** superuser_reserved_connections (3) plus psql, pg_isready and the like. */
const CONNECTION_HEADROOM = 10;

type NodeKind = "participant" | "mediator" | "domain-manager" | "sequencer";

/** Steady connections of one replica plus its start-up transient ones. */
export function replicaConnections(kind: NodeKind, pool: number): number {
    const steady = { participant: pool + INDEXER_INGESTION_PARALLELISM + 2, mediator: pool, "domain-manager": pool, sequencer: 2 * pool }[kind];
    return steady + pool;
}

/** `max_connections` for a database server used by these replicas. */
export function serverMaxConnections(replicas: { kind: NodeKind; count: number }[], pool: number): number {
    return replicas.reduce((sum, r) => sum + r.count * replicaConnections(r.kind, pool), CONNECTION_HEADROOM);
}

/** The node kinds and replica counts that use each database server, by server id. */
export function usersOfServers(plan: Pick<Plan, "domain" | "participants">): Map<string, { kind: NodeKind; count: number }[]> {
    const out = new Map<string, { kind: NodeKind; count: number }[]>();
    const add = (server: string, kind: NodeKind, count: number) => out.set(server, [...(out.get(server) ?? []), { kind, count }]);
    const d = plan.domain;
    add(d.sequencers.db.server.id, "sequencer", d.sequencers.nodes.length);
    add(d.mediators.db.server.id, "mediator", d.mediators.replicas.length);
    add(d.domainManager.db.server.id, "domain-manager", 1);
    plan.participants.forEach((p) => add(p.db.server.id, "participant", p.replicas.length));
    return out;
}
