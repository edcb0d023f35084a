// Kubernetes: the replicas of an HA group are spread over nodes (pod anti-affinity), so one
// node failure takes at most one of them.
import { podGroups } from "../lib/k8s";
import { arr, selects } from "../lib/model";
import { firstUnknownPath } from "../lib/props";
import { bool, integer, stackPolicy, stringList } from "../lib/policy";

export const k8sAntiAffinity = stackPolicy<{ minGroupSize: number; requireHard: boolean; topologyKeys: string[] }>({
    name: "k8s-anti-affinity-per-ha-group",
    description: "Kubernetes: every pod template of an HA group has a pod anti-affinity term that repels the group's other pods over an allowed topology key (node or zone).",
    enforcementLevel: "mandatory",
    config: {
        minGroupSize: integer("Groups with at least this many pods need anti-affinity.", 2, 2),
        requireHard: bool("Require requiredDuringScheduling (not only preferred) terms.", false),
        topologyKeys: stringList("Topology keys that spread replicas.", ["kubernetes.io/hostname", "topology.kubernetes.io/zone"]),
    },
    validate(model, cfg, report) {
        for (const g of podGroups(model).filter((x) => x.size >= cfg.minGroupSize)) {
            for (const w of g.workloads.filter((x) => !firstUnknownPath(x.podSpec?.affinity))) {
                const anti = w.podSpec?.affinity?.podAntiAffinity ?? {};
                const required = arr(anti.requiredDuringSchedulingIgnoredDuringExecution);
                const preferred = arr(anti.preferredDuringSchedulingIgnoredDuringExecution).map((p: any) => p?.podAffinityTerm);
                const terms = cfg.requireHard ? required : [...required, ...preferred];
                // A term spreads the group when it selects the group's pods (its siblings) over an allowed key.
                const spreads = terms.some((t: any) => cfg.topologyKeys.includes(String(t?.topologyKey)) && g.workloads.every((x) => selects(t?.labelSelector, x.labels)));
                if (!spreads) {
                    report(
                        w.res,
                        `pod ${w.id} of HA group '${g.name}' has no ${cfg.requireHard ? "required " : ""}pod anti-affinity against the group's other pods, so the scheduler may put them all on one node`,
                        `add affinity.podAntiAffinity.${cfg.requireHard ? "required" : "preferred"}DuringSchedulingIgnoredDuringExecution with labelSelector app.kubernetes.io/instance=${g.instance}, app.kubernetes.io/name=${g.name} and topologyKey kubernetes.io/hostname`,
                        undefined,
                    );
                }
            }
        }
    },
});
