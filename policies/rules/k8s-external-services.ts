// Kubernetes Services that publish outside the cluster (LoadBalancer, NodePort, externalIPs):
// only of allowed types, and never for a database or a plain-text port (health, metrics). An
// mTLS admin API behind a cloud load balancer is allowed, and flagged by the advisory
// k8s-public-admin-api.
import { isPodCarrier, LABELS, matches, podTemplateOf, stringRecord, T } from "../lib/model";
import { UNKNOWN, type Res } from "../lib/props";
import { stackPolicy, stringList } from "../lib/policy";

export const isExternal = (svc: Res) =>
    ["LoadBalancer", "NodePort"].includes(String(svc.props.spec?.type)) || (Array.isArray(svc.props.spec?.externalIPs) && svc.props.spec.externalIPs.length > 0);

/** The name of each port a Service publishes: its own name, or the container port it targets. */
export function servicePorts(svc: Res, pods: Res[]): { port: unknown; name: string }[] {
    const sel = stringRecord(svc.props.spec?.selector);
    const containerPorts = pods
        .filter((p) => matches(sel, stringRecord(podTemplateOf(p)?.metadata.labels)))
        .flatMap((p) => (podTemplateOf(p)?.spec.containers ?? []).flatMap((c: any) => (Array.isArray(c?.ports) ? c.ports : [])));
    return (Array.isArray(svc.props.spec?.ports) ? svc.props.spec.ports : []).map((p: any) => {
        const target = p?.targetPort ?? p?.port;
        const named = typeof target === "string" ? target : containerPorts.find((c: any) => c?.containerPort === target)?.name;
        return { port: p?.port, name: String(p?.name ?? named ?? target) };
    });
}

export const k8sExternalServices = stackPolicy<{ allowedServiceTypes: string[]; forbiddenExternalPorts: string[] }>({
    name: "k8s-external-services",
    description:
        "Kubernetes Services are of allowed types (ClusterIP, LoadBalancer), and those that publish outside the cluster never select database pods nor publish plain-text ports (Postgres, health, metrics).",
    enforcementLevel: "mandatory",
    config: {
        allowedServiceTypes: stringList("Service types allowed (NodePort opens a port on every node).", ["ClusterIP", "LoadBalancer"]),
        forbiddenExternalPorts: stringList("Port names (substrings) that must never be published outside the cluster.", ["postgres", "health", "metrics", "debug", "jmx"]),
    },
    validate(model, cfg, report) {
        const pods = model.resources.filter((r) => isPodCarrier(r.type));
        for (const svc of model.ofType(T.service)) {
            if (svc.props.spec?.type === UNKNOWN) continue; // decided once the value is known
            const type = String(svc.props.spec?.type ?? "ClusterIP");
            if (!cfg.allowedServiceTypes.includes(type))
                report(
                    svc,
                    `the Service is of type ${type} (allowed: ${cfg.allowedServiceTypes.join(", ")})`,
                    "use ClusterIP, or a LoadBalancer for the ledger and sequencer front doors",
                );
            if (Array.isArray(svc.props.spec?.externalIPs) && svc.props.spec.externalIPs.length > 0)
                report(svc, `the Service publishes on externalIPs ${svc.props.spec.externalIPs.join(", ")}`, "remove spec.externalIPs");
            if (!isExternal(svc)) continue;
            const sel = stringRecord(svc.props.spec?.selector);
            const dbPods = pods.filter(
                (p) => matches(sel, stringRecord(podTemplateOf(p)?.metadata.labels)) && podTemplateOf(p)?.metadata.labels?.[LABELS.component] === "database",
            );
            if (dbPods.length > 0)
                report(
                    svc,
                    `the Service publishes the database ${dbPods.map((p) => p.name).join(", ")} outside the cluster`,
                    "keep database Services ClusterIP; only Canton nodes connect to them",
                );
            for (const p of servicePorts(svc, pods)) {
                if (cfg.forbiddenExternalPorts.some((f) => p.name.includes(f)))
                    report(
                        svc,
                        `the Service publishes port ${String(p.port)} (${p.name}) outside the cluster; it is not a TLS front door`,
                        `remove port ${p.name} from the external Service (reach it inside the cluster or with kubectl port-forward)`,
                    );
            }
        }
    },
});

export const k8sPublicAdminApi = stackPolicy({
    name: "k8s-public-admin-api",
    description: "Advisory: admin APIs are not published outside the cluster (even with mTLS, an admin API belongs on a private network, a bastion or kubectl port-forward).",
    enforcementLevel: "advisory",
    validate(model, _cfg, report) {
        const pods = model.resources.filter((r) => isPodCarrier(r.type));
        for (const svc of model.ofType(T.service).filter(isExternal)) {
            for (const p of servicePorts(svc, pods).filter((x) => x.name.includes("admin"))) {
                report(
                    svc,
                    `the Service publishes the admin API port ${String(p.port)} (${p.name}) outside the cluster`,
                    "drop the admin API from the external Service and reach it through a ClusterIP Service (port-forward, bastion, VPN)",
                );
            }
            if (svc.props.spec?.type === "LoadBalancer" && !(Array.isArray(svc.props.spec?.loadBalancerSourceRanges) && svc.props.spec.loadBalancerSourceRanges.length > 0)) {
                report(svc, "the LoadBalancer accepts connections from any address", "set spec.loadBalancerSourceRanges to the networks of your clients");
            }
        }
    },
});
