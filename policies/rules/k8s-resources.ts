// Advisory: containers declare what they need, so the scheduler places them where it fits and
// a memory leak is bounded (Canton's JVM grows to whatever it is given).
import { isPodCarrier, podTemplateOf } from "../lib/model";
import { resourcePolicy } from "../lib/policy";

export const k8sResources = resourcePolicy({
    name: "k8s-resource-requests",
    description: "Advisory: Kubernetes containers request CPU and memory and set a memory limit.",
    enforcementLevel: "advisory",
    validate(res, _cfg, report) {
        if (!isPodCarrier(res.type)) return;
        const tpl = podTemplateOf(res);
        for (const c of [...(tpl?.spec.initContainers ?? []), ...(tpl?.spec.containers ?? [])] as any[]) {
            const r = c?.resources ?? {};
            const missing = [
                r.requests?.cpu ? undefined : "requests.cpu",
                r.requests?.memory ? undefined : "requests.memory",
                r.limits?.memory ? undefined : "limits.memory",
            ].filter(Boolean);
            if (missing.length > 0) report(`container '${String(c?.name)}' sets no ${missing.join(", ")}`, "set resources.requests (cpu, memory) and resources.limits.memory");
        }
    },
});
