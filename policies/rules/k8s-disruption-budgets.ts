// Kubernetes: every HA group has a PodDisruptionBudget, so a node drain never takes all of a
// group's replicas at once.
import { podGroups } from "../lib/k8s";
import { selects, T } from "../lib/model";
import { firstUnknownPath } from "../lib/props";
import { integer, stackPolicy } from "../lib/policy";

/** How many pods of `size` a PDB keeps through voluntary disruptions. */
function kept(spec: any, size: number): number {
    const n = (v: unknown) => (typeof v === "number" ? v : typeof v === "string" && v.endsWith("%") ? Math.ceil((Number(v.slice(0, -1)) / 100) * size) : NaN);
    if (spec?.minAvailable !== undefined) return n(spec.minAvailable);
    if (spec?.maxUnavailable !== undefined)
        return size - (typeof spec.maxUnavailable === "string" ? Math.floor((Number(spec.maxUnavailable.slice(0, -1)) / 100) * size) : Number(spec.maxUnavailable));
    return NaN;
}

export const k8sDisruptionBudgets = stackPolicy<{ minGroupSize: number }>({
    name: "k8s-pdb-per-ha-group",
    description:
        "Kubernetes: every HA group (pods of one instance and app.kubernetes.io/name, at least minGroupSize of them) is covered by a PodDisruptionBudget that keeps at least one pod and allows at least one disruption.",
    enforcementLevel: "mandatory",
    config: { minGroupSize: integer("Groups with at least this many pods need a budget.", 2, 2) },
    validate(model, cfg, report) {
        const pdbs = model.ofType(T.pdb);
        if (pdbs.some((p) => firstUnknownPath(p.props.spec))) return; // decided once the budgets are known
        for (const g of podGroups(model).filter((x) => x.size >= cfg.minGroupSize)) {
            const covering = pdbs.filter((p) => (p.props.metadata?.namespace ?? "default") === g.namespace && g.workloads.every((w) => selects(p.props.spec?.selector, w.labels)));
            const here = `HA group '${g.name}' (${g.workloads.map((w) => w.id).join(", ")})`;
            if (covering.length === 0) {
                report(
                    g.workloads[0].res,
                    `${here} has no PodDisruptionBudget: a node drain may evict all ${g.size} pods at once`,
                    `add a PodDisruptionBudget selecting app.kubernetes.io/instance=${g.instance}, app.kubernetes.io/name=${g.name} with minAvailable: 1`,
                    here,
                );
                continue;
            }
            for (const p of covering) {
                const k = kept(p.props.spec, g.size);
                if (!(k >= 1)) report(p, `the budget of ${here} keeps ${Number.isNaN(k) ? "no" : k} pods through a drain`, "set minAvailable: 1 (or maxUnavailable: 1)", undefined);
                else if (k >= g.size)
                    report(
                        p,
                        `the budget of ${here} keeps all ${g.size} pods, so no node that runs one can ever be drained`,
                        `set minAvailable to at most ${g.size - 1}`,
                        undefined,
                    );
            }
        }
    },
});
