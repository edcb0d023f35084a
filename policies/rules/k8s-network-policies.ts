// Kubernetes: every workload is selected by a NetworkPolicy that restricts its ingress, so
// only the flows the topology needs reach a Canton node or database.
import { T, selects } from "../lib/model";
import { bool, stackPolicy } from "../lib/policy";
import { firstUnknownPath } from "../lib/props";

export const k8sNetworkPolicies = stackPolicy<{ requireEgress: boolean }>({
    name: "k8s-network-policy-per-workload",
    description: "Kubernetes: every pod template (workloads and jobs) is selected by a NetworkPolicy of its namespace that restricts ingress (and egress, if required).",
    enforcementLevel: "mandatory",
    config: { requireEgress: bool("Also require an Egress policy for every pod.", false) },
    validate(model, cfg, report) {
        const policies = model.ofType(T.networkPolicy);
        // A selector or label not known yet (a preview): decided once the values are known.
        if (policies.some((p) => firstUnknownPath(p.props.spec) || firstUnknownPath(p.props.metadata?.namespace))) return;
        const types = (p: any): string[] => (Array.isArray(p.props.spec?.policyTypes) ? p.props.spec.policyTypes : p.props.spec?.egress ? ["Ingress", "Egress"] : ["Ingress"]);
        for (const w of model.workloads.filter((x) => x.platform === "kubernetes" && !firstUnknownPath(x.podTemplateLabels))) {
            const mine = policies.filter((p) => (p.props.metadata?.namespace ?? "default") === w.namespace && selects(p.props.spec?.podSelector, w.labels, true));
            const need = cfg.requireEgress ? ["Ingress", "Egress"] : ["Ingress"];
            for (const t of need) {
                if (!mine.some((p) => types(p).includes(t))) {
                    report(
                        w.res,
                        `pod ${w.id} is selected by no NetworkPolicy with policyType ${t}, so ${t === "Ingress" ? "any pod in the cluster can connect to it" : "it may connect anywhere"}`,
                        `add a NetworkPolicy selecting canton-ha.io/replica=${w.id} (or its group) that allows only the flows it needs`,
                        undefined,
                    );
                }
            }
        }
    },
});
