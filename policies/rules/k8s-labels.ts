// Advisory: the label contract every canton-ha Kubernetes object and pod carries. Selectors,
// budgets, NetworkPolicies and these policies find groups and replicas by these labels.
import { LABELS, isPodCarrier, podTemplateOf } from "../lib/model";
import { resourcePolicy, stringList } from "../lib/policy";

export const k8sLabels = resourcePolicy<{ components: string[] }>({
    name: "k8s-recommended-labels",
    description:
        "Advisory: Kubernetes objects carry app.kubernetes.io/part-of, managed-by, instance (canton-ha-<stack>), component and name; pod templates also canton-ha.io/replica.",
    enforcementLevel: "advisory",
    config: { components: stringList("Known app.kubernetes.io/component values.", ["sequencer", "mediator", "domain-manager", "participant", "database", "proxy", "bootstrap"]) },
    validate(res, cfg, report) {
        if (!res.type.startsWith("kubernetes:") || res.type.startsWith("kubernetes:yaml") || res.type.startsWith("kubernetes:helm")) return;
        const check = (labels: Record<string, unknown> | undefined, what: string, pod: boolean) => {
            const l = labels ?? {};
            const missing: string[] = [];
            if (l[LABELS.partOf] !== "canton-ha") missing.push(`${LABELS.partOf}=canton-ha`);
            if (l[LABELS.managedBy] !== "pulumi") missing.push(`${LABELS.managedBy}=pulumi`);
            if (l[LABELS.instance] !== `canton-ha-${res.stack}`) missing.push(`${LABELS.instance}=canton-ha-${res.stack}`);
            if (!cfg.components.includes(String(l[LABELS.component]))) missing.push(`${LABELS.component} (one of ${cfg.components.join(", ")})`);
            if (typeof l[LABELS.group] !== "string") missing.push(LABELS.group);
            if (pod && typeof l[LABELS.replica] !== "string") missing.push(LABELS.replica);
            if (missing.length > 0)
                report(`${what} lacks the labels ${missing.join(", ")}`, "label it with the platform's label contract (components/platform/kubernetes/labels.ts)");
        };
        if (res.type !== "kubernetes:core/v1:Namespace") check(res.props.metadata?.labels, "the object", res.type === "kubernetes:core/v1:Pod");
        if (isPodCarrier(res.type) && res.type !== "kubernetes:core/v1:Pod") check(podTemplateOf(res)?.metadata.labels, "its pod template", true);
    },
});
