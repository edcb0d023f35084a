// Nothing is published beyond the allowed host addresses (loopback by default): Docker ports
// bind to an allowed `ip` (no ip means 0.0.0.0), and Kubernetes pods use no hostPort outside
// them. Kubernetes Services that publish outside the cluster: k8s-external-services.
import { isPodCarrier, podTemplateOf, T } from "../lib/model";
import { isText } from "../lib/props";
import { resourcePolicy, stringList } from "../lib/policy";

export const hostPortsLoopback = resourcePolicy<{ allowedBindAddresses: string[] }>({
    name: "host-ports-loopback",
    description: "Host ports bind only to allowed addresses (127.0.0.1 by default): Docker port bindings (no ip means 0.0.0.0) and Kubernetes hostPorts.",
    enforcementLevel: "mandatory",
    config: { allowedBindAddresses: stringList("Host addresses ports may be published on.", ["127.0.0.1"]) },
    validate(res, cfg, report) {
        const allowed = cfg.allowedBindAddresses.join(", ");
        if (res.type === T.container) {
            for (const p of (res.props.ports ?? []) as any[]) {
                const ip = isText(p?.ip) && p.ip.length > 0 ? p.ip : "0.0.0.0";
                if (!cfg.allowedBindAddresses.includes(ip)) {
                    report(
                        `port ${String(p?.internal)} is published on ${ip}:${String(p?.external ?? p?.internal)}, reachable beyond ${allowed}`,
                        `publish on an allowed address (canton-ha:network.bindAddress ${cfg.allowedBindAddresses[0]}), or add ${ip} to allowedBindAddresses in the policy pack config if that network is trusted`,
                    );
                }
            }
        } else if (isPodCarrier(res.type)) {
            const tpl = podTemplateOf(res);
            for (const c of [...(tpl?.spec.initContainers ?? []), ...(tpl?.spec.containers ?? [])] as any[]) {
                for (const p of (c?.ports ?? []) as any[]) {
                    if (p?.hostPort === undefined) continue;
                    const ip = isText(p.hostIP) && p.hostIP.length > 0 ? p.hostIP : "0.0.0.0";
                    if (!cfg.allowedBindAddresses.includes(ip))
                        report(
                            `container '${String(c?.name)}' binds hostPort ${String(p.hostPort)} on ${ip} of its node`,
                            "remove the hostPort and reach the pod through a ClusterIP Service",
                        );
                }
            }
        }
    },
});
