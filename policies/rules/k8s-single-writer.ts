// Kubernetes: active/passive nodes and databases run one pod per Deployment, replaced with
// the Recreate strategy: a rolling update would start a second pod with the same identity
// (and, for Postgres, the same data directory) before the old one stops.
import { LABELS, T } from "../lib/model";
import { UNKNOWN } from "../lib/props";
import { resourcePolicy, stringList } from "../lib/policy";

export const k8sSingleWriter = resourcePolicy<{ components: string[] }>({
    name: "k8s-active-passive-recreate",
    description:
        "Kubernetes: Deployments and StatefulSets of active/passive components (mediator, participant, domain manager) and databases have at most one replica, and Deployments use the Recreate strategy.",
    enforcementLevel: "mandatory",
    types: [T.deployment, T.statefulSet],
    config: { components: stringList("app.kubernetes.io/component values that are single-writer.", ["mediator", "participant", "domain-manager", "database"]) },
    validate(res, cfg, report) {
        const component = res.props.spec?.template?.metadata?.labels?.[LABELS.component] ?? res.props.metadata?.labels?.[LABELS.component];
        if (!cfg.components.includes(String(component))) return;
        const replicas = res.props.spec?.replicas ?? 1;
        if (typeof replicas === "number" && replicas > 1)
            report(`it runs ${replicas} pods of one ${component} identity`, "run one Deployment per replica with replicas: 1 (each replica has its own host id and certificate)");
        if (res.type === T.deployment && res.props.spec?.strategy?.type !== "Recreate" && res.props.spec?.strategy?.type !== UNKNOWN) {
            report(
                `its update strategy is ${String(res.props.spec?.strategy?.type ?? "RollingUpdate (the default)")}: an update starts the new ${component} pod before the old one stops`,
                "set spec.strategy.type: Recreate",
            );
        }
    },
});
