// Active/active sequencers are one logical service on one database: each is an HA writer
// (`sequencer.high-availability.enabled`), all use the same database, and total-node-count
// leaves room for all of them.
import { databaseOf } from "../lib/model";
import { nodesOf, stackCarrier } from "../lib/ha";
import { stackPolicy } from "../lib/policy";

/** Canton's default `high-availability.total-node-count`. */
const DEFAULT_TOTAL_NODE_COUNT = 10;

export const haSequencersSharedDatabase = stackPolicy({
    name: "ha-sequencers-shared-database",
    description:
        "With more than one sequencer, every sequencer is a database sequencer with high-availability enabled, all share one database, and total-node-count >= the number of sequencers.",
    enforcementLevel: "mandatory",
    validate(model, _cfg, report) {
        const seqs = nodesOf(model, "sequencer");
        const names = [...new Set(seqs.map((s) => s.nodeName))];
        if (names.length < 2) return;
        const dbs = new Map<string, string[]>();
        for (const s of seqs) {
            const inner = s.config.sequencer ?? {};
            if (inner.type !== undefined && inner.type !== "database") {
                report(s.file.carrier, `sequencer '${s.nodeName}' is of type '${String(inner.type)}', which cannot run active/active`, 'set sequencer.type = "database"', s.where);
            }
            const ha = inner["high-availability"] ?? {};
            if (ha.enabled !== true)
                report(
                    s.file.carrier,
                    `sequencer '${s.nodeName}' does not enable high-availability, so ${names.length} sequencers on one database corrupt each other's writes`,
                    "set sequencer.high-availability.enabled = true",
                    s.where,
                );
            const total = typeof ha["total-node-count"] === "number" ? ha["total-node-count"] : DEFAULT_TOTAL_NODE_COUNT;
            if (total < names.length) {
                report(
                    s.file.carrier,
                    `sequencer '${s.nodeName}' has high-availability.total-node-count ${total}, fewer than the ${names.length} sequencers`,
                    `raise canton-ha:domain.totalNodeCount to at least ${names.length} before the sequencers are first deployed (it must not change afterwards)`,
                    s.where,
                );
            }
            const db = databaseOf(s)?.id ?? "(no storage)";
            dbs.set(db, [...(dbs.get(db) ?? []), s.nodeName]);
        }
        if (dbs.size > 1) {
            const detail = [...dbs].map(([db, n]) => `${n.join(", ")} on ${db}`).join("; ");
            report(
                stackCarrier(model, seqs[0].file),
                `the sequencers do not share one database (${detail}): each would run its own, diverging sequence`,
                "point every sequencer's storage at the same database (canton-ha renders one 'sequencer' database)",
                `the sequencer tier`,
            );
        }
    },
});
