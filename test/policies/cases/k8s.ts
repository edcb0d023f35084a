// Kubernetes HA and hygiene: budgets, anti-affinity, NetworkPolicies, single-writer
// Deployments, labels, resources.
import { edit, INSTANCE, k8s, k8sParticipantPair, labels, pdb } from "../support/wire";
import type { CaseTable } from "./types";

const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
const PDB = "kubernetes:policy/v1:PodDisruptionBudget";
const pair = k8sParticipantPair;
const drop = (type: string) => pair().filter((r) => r.type !== type);
const tpl = (name: string, f: (spec: any, deployment: any) => void) => edit(pair(), name, DEPLOYMENT, (i) => f(i.spec.template.spec, i));

export const k8sCases: CaseTable = {
    "k8s-pdb-per-ha-group": {
        compliant: [
            { name: "a budget of minAvailable 1 for a pair", resources: pair() },
            { name: "maxUnavailable 1", resources: edit(pair(), "participant1-pdb", PDB, (i) => (i.spec = { maxUnavailable: 1, selector: i.spec.selector })) },
        ],
        violating: [
            { name: "no budget", resources: drop(PDB), expect: /HA group 'participant1' \(participant1-1, participant1-2\) has no PodDisruptionBudget/ },
            { name: "a budget that keeps every pod", resources: [...drop(PDB), pdb("participant1", 2)], expect: /keeps all 2 pods, so no node that runs one can ever be drained/ },
            { name: "a budget of another group", resources: [...drop(PDB), pdb("participant2")], expect: /has no PodDisruptionBudget/ },
            { name: "a budget of 0%", resources: [...drop(PDB), pdb("participant1", "0%")], expect: /keeps 0 pods/ },
        ],
    },
    "k8s-anti-affinity-per-ha-group": {
        compliant: [
            { name: "required anti-affinity by hostname", resources: pair() },
            {
                name: "preferred anti-affinity by zone",
                resources: ["participant1-1", "participant1-2"].reduce(
                    (rs, n) =>
                        edit(
                            rs,
                            n,
                            DEPLOYMENT,
                            (i) =>
                                (i.spec.template.spec.affinity = {
                                    podAntiAffinity: {
                                        preferredDuringSchedulingIgnoredDuringExecution: [
                                            {
                                                weight: 100,
                                                podAffinityTerm: {
                                                    labelSelector: { matchLabels: { "app.kubernetes.io/name": "participant1" } },
                                                    topologyKey: "topology.kubernetes.io/zone",
                                                },
                                            },
                                        ],
                                    },
                                }),
                        ),
                    pair(),
                ),
            },
        ],
        violating: [
            {
                name: "a replica without anti-affinity",
                resources: tpl("participant1-2", (s) => delete s.affinity),
                expect: /pod participant1-2 of HA group 'participant1' has no pod anti-affinity/,
            },
            {
                name: "an anti-affinity over a key that does not spread",
                resources: tpl("participant1-1", (s) => (s.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].topologyKey = "kubernetes.io/os")),
                expect: /pod participant1-1 of HA group/,
            },
            {
                name: "an anti-affinity against other pods",
                resources: tpl(
                    "participant1-1",
                    (s) => (s.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].labelSelector.matchLabels["app.kubernetes.io/name"] = "participant2"),
                ),
                expect: /pod participant1-1/,
            },
            {
                name: "preferred only where required terms are demanded",
                resources: tpl(
                    "participant1-1",
                    (s) =>
                        (s.affinity = {
                            podAntiAffinity: {
                                preferredDuringSchedulingIgnoredDuringExecution: [
                                    { weight: 1, podAffinityTerm: s.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0] },
                                ],
                            },
                        }),
                ),
                config: { requireHard: true },
                expect: /has no required pod anti-affinity/,
            },
        ],
    },
    "k8s-network-policy-per-workload": {
        compliant: [
            { name: "a default-deny policy of the instance", resources: pair() },
            {
                name: "a per-replica ingress policy",
                resources: [
                    ...drop("kubernetes:networking.k8s.io/v1:NetworkPolicy"),
                    ...["participant1-1", "participant1-2"].map((r) =>
                        k8s("networking.k8s.io/v1/NetworkPolicy", `${r}-ingress`, {
                            spec: { podSelector: { matchLabels: { "canton-ha.io/replica": r } }, ingress: [{ ports: [{ port: 10011 }] }] },
                        }),
                    ),
                ],
            },
        ],
        violating: [
            {
                name: "no NetworkPolicy",
                resources: drop("kubernetes:networking.k8s.io/v1:NetworkPolicy"),
                expect: /pod participant1-1 is selected by no NetworkPolicy with policyType Ingress/,
            },
            {
                name: "a policy in another namespace",
                resources: edit(pair(), "default-deny", "kubernetes:networking.k8s.io/v1:NetworkPolicy", (i) => (i.metadata.namespace = "other")),
                expect: /selected by no NetworkPolicy/,
            },
            {
                name: "egress required, ingress only",
                resources: edit(pair(), "default-deny", "kubernetes:networking.k8s.io/v1:NetworkPolicy", (i) => (i.spec.policyTypes = ["Ingress"])),
                config: { requireEgress: true },
                expect: /with policyType Egress, so it may connect anywhere/,
            },
        ],
    },
    "k8s-active-passive-recreate": {
        compliant: [
            { name: "one pod per replica Deployment, Recreate", resources: pair() },
            {
                name: "a sequencer with a rolling update",
                resources: [
                    k8s("apps/v1/Deployment", "sequencer1", {
                        spec: { replicas: 1, strategy: { type: "RollingUpdate" }, template: { metadata: { labels: labels("sequencer", "sequencer", "sequencer1") }, spec: {} } },
                    }),
                ],
            },
        ],
        violating: [
            {
                name: "a rolling update of a participant replica",
                resources: tpl("participant1-1", (_s, d) => (d.spec.strategy = { type: "RollingUpdate" })),
                expect: /its update strategy is RollingUpdate: an update starts the new participant pod before the old one stops/,
            },
            { name: "two pods of one identity", resources: tpl("participant1-2", (_s, d) => (d.spec.replicas = 2)), expect: /it runs 2 pods of one participant identity/ },
            {
                name: "a database StatefulSet with two replicas",
                resources: [
                    k8s("apps/v1/StatefulSet", "domain-db", { spec: { replicas: 2, template: { metadata: { labels: labels("database", "domain-db", "domain-db") }, spec: {} } } }),
                ],
                expect: /runs 2 pods of one database identity/,
            },
        ],
    },
    "k8s-recommended-labels": {
        compliant: [{ name: "the platform's label contract", resources: pair() }],
        violating: [
            {
                name: "a Service without labels",
                resources: [k8s("v1/Service", "participant1-1", { spec: { selector: { "canton-ha.io/replica": "participant1-1" } } })],
                expect: /the object lacks the labels app.kubernetes.io\/part-of=canton-ha/,
            },
            {
                name: "a pod template without its replica label",
                resources: tpl("participant1-1", (_s, d) => delete d.spec.template.metadata.labels["canton-ha.io/replica"]),
                expect: /its pod template lacks the labels canton-ha.io\/replica/,
            },
            {
                name: "a foreign instance",
                resources: edit(pair(), "participant1-pdb", PDB, (i) => (i.metadata.labels["app.kubernetes.io/instance"] = "other")),
                expect: new RegExp(`app.kubernetes.io/instance=${INSTANCE}`),
            },
        ],
    },
    "k8s-resource-requests": {
        compliant: [{ name: "requests and a memory limit", resources: pair() }],
        violating: [
            {
                name: "no resources",
                resources: tpl("participant1-1", (s) => delete s.containers[0].resources),
                expect: /container 'participant' sets no requests.cpu, requests.memory, limits.memory/,
            },
        ],
    },
};
