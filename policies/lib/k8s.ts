// Kubernetes HA groups: the pods of one `app.kubernetes.io/instance` + `app.kubernetes.io/name`
// (a sequencer tier, a mediator pair, a participant's replicas, a proxy's copies).
import { LABELS, type Model, type Workload } from "./model";
import { firstUnknownPath } from "./props";

export interface PodGroup {
    namespace: string;
    instance: string;
    name: string;
    workloads: Workload[];
    /** Pods the group runs: the sum of the controllers' replicas (1 when not set). */
    size: number;
}

export function podGroups(model: Model): PodGroup[] {
    const out = new Map<string, PodGroup>();
    // Pods whose labels are not known yet (a preview) are decided once they are.
    for (const w of model.workloads.filter((x) => x.platform === "kubernetes" && !x.job && !firstUnknownPath(x.podTemplateLabels))) {
        const instance = w.labels[LABELS.instance];
        const name = w.labels[LABELS.group];
        if (!instance || !name) continue;
        const key = `${w.namespace}/${instance}/${name}`;
        const g = out.get(key) ?? { namespace: w.namespace ?? "default", instance, name, workloads: [], size: 0 };
        g.workloads.push(w);
        g.size += typeof w.replicas === "number" ? w.replicas : 1;
        out.set(key, g);
    }
    return [...out.values()];
}
