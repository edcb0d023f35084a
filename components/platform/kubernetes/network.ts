// NetworkPolicies that allow exactly the planned flows. Every pod of the stack is denied
// ingress and egress by default; each workload may then dial what its spec says it connects
// to (and cluster DNS), and each target accepts exactly those clients on exactly those ports.
// Client APIs (ledger API, sequencer public API) also accept pods labelled as their clients
// and, when exposed outside the cluster, any source.
import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import type { Flow } from "../types";
import { INSTANCE_LABEL, LEDGER_CLIENT_LABEL, REPLICA_LABEL, SEQUENCER_CLIENT_LABEL } from "./labels";

/** Where a flow goes: one of the stack's replica identities, or outside the namespace. */
type Target = { replica: string; port: number } | { external: string; port: number };

/** Resolves the DNS names of this namespace's Services (`<id>.<ns>.svc.<domain>`, `<id>.<ns>`, `<id>`). */
export function resolveFlow(flow: Flow, namespace: string, clusterDomain: string): Target {
    const suffixes = [`.${namespace}.svc.${clusterDomain}`, `.${namespace}.svc`, `.${namespace}`, ""];
    for (const suffix of suffixes) {
        if (!flow.host.endsWith(suffix)) continue;
        const id = flow.host.slice(0, flow.host.length - suffix.length);
        if (/^[a-z0-9-]+$/.test(id)) return { replica: id, port: flow.port };
    }
    return { external: flow.host, port: flow.port };
}

interface PolicyArgs {
    namespace: pulumi.Input<string>;
    instance: string;
    labels: Record<string, string>;
    opts: pulumi.CustomResourceOptions;
}

const tcp = (port: number) => ({ protocol: "TCP", port });
/** CoreDNS / kube-dns in kube-system, as every cluster labels it. */
const DNS_PEER = { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } }, podSelector: { matchLabels: { "k8s-app": "kube-dns" } } };

export function defaultDeny(args: PolicyArgs): k8s.networking.v1.NetworkPolicy {
    return new k8s.networking.v1.NetworkPolicy(
        "default-deny",
        {
            metadata: { name: "canton-ha-default-deny", namespace: args.namespace, labels: args.labels },
            spec: { podSelector: { matchLabels: { [INSTANCE_LABEL]: args.instance } }, policyTypes: ["Ingress", "Egress"] },
        },
        args.opts,
    );
}

/** Egress of one replica identity: DNS and its flows. Ingress of each internal target from it. */
export function flowPolicies(
    args: PolicyArgs & { replica: string; targets: Target[]; targetLabels: (replica: string) => Record<string, string> },
): k8s.networking.v1.NetworkPolicy[] {
    const self = { [INSTANCE_LABEL]: args.instance, [REPLICA_LABEL]: args.replica };
    const internal = new Map<string, number[]>();
    const external = new Set<number>();
    for (const t of args.targets) {
        if ("replica" in t)
            internal.set(
                t.replica,
                [...new Set([...(internal.get(t.replica) ?? []), t.port])].sort((a, b) => a - b),
            );
        else external.add(t.port);
    }
    const egress: k8s.types.input.networking.v1.NetworkPolicyEgressRule[] = [{ to: [DNS_PEER], ports: [{ protocol: "UDP", port: 53 }, tcp(53)] }];
    for (const [replica, ports] of internal)
        egress.push({ to: [{ podSelector: { matchLabels: { [INSTANCE_LABEL]: args.instance, [REPLICA_LABEL]: replica } } }], ports: ports.map(tcp) });
    // A managed database or another organisation's sequencer: its address is not known here, its port is.
    if (external.size > 0) egress.push({ to: [{ ipBlock: { cidr: "0.0.0.0/0" } }, { ipBlock: { cidr: "::/0" } }], ports: [...external].sort((a, b) => a - b).map(tcp) });
    const out = [
        new k8s.networking.v1.NetworkPolicy(
            `${args.replica}-egress`,
            {
                metadata: { name: `${args.replica}-egress`, namespace: args.namespace, labels: args.labels },
                spec: { podSelector: { matchLabels: self }, policyTypes: ["Egress"], egress },
            },
            args.opts,
        ),
    ];
    for (const [replica, ports] of internal) {
        out.push(
            new k8s.networking.v1.NetworkPolicy(
                `${replica}-from-${args.replica}`,
                {
                    metadata: { name: `${replica}-from-${args.replica}`, namespace: args.namespace, labels: args.targetLabels(replica) },
                    spec: {
                        podSelector: { matchLabels: { [INSTANCE_LABEL]: args.instance, [REPLICA_LABEL]: replica } },
                        policyTypes: ["Ingress"],
                        ingress: [{ from: [{ podSelector: { matchLabels: self } }], ports: ports.map(tcp) }],
                    },
                },
                args.opts,
            ),
        );
    }
    return out;
}

/** Client APIs: the pods labelled as their clients, in any namespace, and everyone when exposed outside the cluster. */
export function clientApiPolicy(
    args: PolicyArgs & { replica: string; ledgerPorts: number[]; sequencerPorts: number[]; exposed: boolean },
): k8s.networking.v1.NetworkPolicy | undefined {
    const rules: k8s.types.input.networking.v1.NetworkPolicyIngressRule[] = [];
    const anywhere = args.exposed ? [{ ipBlock: { cidr: "0.0.0.0/0" } }, { ipBlock: { cidr: "::/0" } }] : [];
    if (args.ledgerPorts.length > 0)
        rules.push({ from: [{ namespaceSelector: {}, podSelector: { matchLabels: { [LEDGER_CLIENT_LABEL]: "true" } } }, ...anywhere], ports: args.ledgerPorts.map(tcp) });
    if (args.sequencerPorts.length > 0)
        rules.push({ from: [{ namespaceSelector: {}, podSelector: { matchLabels: { [SEQUENCER_CLIENT_LABEL]: "true" } } }, ...anywhere], ports: args.sequencerPorts.map(tcp) });
    if (rules.length === 0) return undefined;
    return new k8s.networking.v1.NetworkPolicy(
        `${args.replica}-api-clients`,
        {
            metadata: { name: `${args.replica}-api-clients`, namespace: args.namespace, labels: args.labels },
            spec: { podSelector: { matchLabels: { [INSTANCE_LABEL]: args.instance, [REPLICA_LABEL]: args.replica } }, policyTypes: ["Ingress"], ingress: rules },
        },
        args.opts,
    );
}
