// Active/passive replicas (mediators, participants) are one logical node: the same Canton node
// name, the same database (whose lock decides which one is active), replication enabled. And
// no two logical nodes share one database.
import { databaseOf, LABELS, type CantonNode, type Model } from "../lib/model";
import { stackPolicy } from "../lib/policy";

class UnionFind<T> {
    private readonly parent = new Map<T, T>();
    find(x: T): T {
        const p = this.parent.get(x) ?? x;
        if (p === x) return x;
        const root = this.find(p);
        this.parent.set(x, root);
        return root;
    }
    union(a: T, b: T): void {
        const ra = this.find(a);
        const rb = this.find(b);
        if (ra !== rb) this.parent.set(ra, rb);
    }
}

/** The Kubernetes HA group of the workload that carries a node's config, if any. */
function groupLabelOf(node: CantonNode, model: Model): string | undefined {
    const w = model.workloads.find((x) => x.files.includes(node.file) && x.platform === "kubernetes");
    return w?.labels[LABELS.group];
}

export const haReplicasConsistent = stackPolicy({
    name: "ha-replicas-share-node-and-database",
    description:
        "All replicas of a participant or mediator use one Canton node name and one database, with replication enabled; replicated nodes use a persistent database, and no two logical nodes share a database.",
    enforcementLevel: "mandatory",
    validate(model, _cfg, report) {
        const nodes = model.cantonNodes.filter((n) => n.kind === "participant" || n.kind === "mediator");
        const uf = new UnionFind<CantonNode>();
        const link = (key: (n: CantonNode) => string | undefined) => {
            const first = new Map<string, CantonNode>();
            for (const n of nodes) {
                const k = key(n);
                if (k === undefined) continue;
                const f = first.get(k);
                if (f) uf.union(n, f);
                else first.set(k, n);
            }
        };
        link((n) => `${n.kind}/${n.nodeName}`);
        link((n) => {
            const db = databaseOf(n);
            return db && !db.id.startsWith("(") ? `${n.kind}/${db.id}` : undefined;
        });
        link((n) => {
            const g = groupLabelOf(n, model);
            return g ? `${n.kind}/group:${g}` : undefined;
        });
        const groups = new Map<CantonNode, CantonNode[]>();
        for (const n of nodes) groups.set(uf.find(n), [...(groups.get(uf.find(n)) ?? []), n]);
        for (const members of groups.values()) {
            const replicas = members.filter((n, i) => members.findIndex((m) => m.hostId === n.hostId) === i);
            if (replicas.length < 2) continue;
            const kind = replicas[0].kind;
            const names = [...new Set(replicas.map((r) => r.nodeName))];
            const label = `${kind} ${names.map((x) => `'${x}'`).join("/")} (replicas ${replicas.map((r) => r.hostId).join(", ")})`;
            if (names.length > 1) {
                const detail = replicas.map((r) => `${r.hostId}: '${r.nodeName}'`).join(", ");
                report(
                    replicas[1].file.carrier,
                    `the replicas of ${label} have different Canton node names (${detail}); they would be separate nodes fighting over one identity and database`,
                    "give every replica the node name of its logical node",
                    replicas[1].where,
                );
            }
            const dbs = new Map<string, string[]>();
            for (const r of replicas) {
                const id = databaseOf(r)?.id ?? "(no storage)";
                dbs.set(id, [...(dbs.get(id) ?? []), r.hostId]);
            }
            if (dbs.size > 1) {
                const detail = [...dbs].map(([db, hosts]) => `${hosts.join(", ")} on ${db}`).join("; ");
                const odd = [...dbs.values()].sort((a, b) => a.length - b.length)[0][0];
                const at = replicas.find((r) => r.hostId === odd)!;
                report(
                    at.file.carrier,
                    `the replicas of ${label} use different databases (${detail}); the passive replica must share the active one's database to take over`,
                    "point every replica's storage at the same database",
                    at.where,
                );
            } else {
                const db = [...dbs.keys()][0];
                if (db.startsWith("("))
                    report(
                        replicas[0].file.carrier,
                        `the replicas of ${label} have ${db}: replicas can only share a persistent database`,
                        'use storage.type = "postgres" on one shared database',
                        replicas[0].where,
                    );
            }
            for (const r of replicas) {
                if (r.config.replication?.enabled !== true)
                    report(r.file.carrier, `replica ${r.hostId} of ${label} does not enable replication`, "set replication.enabled = true on every replica", r.where);
            }
        }
        // One database per logical node.
        const owners = new Map<string, Set<string>>();
        for (const n of model.cantonNodes) {
            const db = databaseOf(n);
            if (!db || db.id.startsWith("(")) continue;
            owners.set(db.id, new Set([...(owners.get(db.id) ?? []), `${n.kind} '${n.nodeName}'`]));
        }
        for (const [db, who] of owners) {
            if (who.size < 2 || [...who].every((w) => w.startsWith("sequencer "))) continue; // sequencers share theirs by design
            const n = model.cantonNodes.find((x) => databaseOf(x)?.id === db)!;
            report(
                n.file.carrier,
                `the database ${db} is used by ${[...who].join(" and ")}: each logical node needs its own database`,
                "give each node its own database (and user)",
                n.where,
            );
        }
    },
});
