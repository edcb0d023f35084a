// Exposure and workloads: host ports, Services, pod security, images.
import { CANTON_IMAGE, container, edit, INSTANCE, k8s, k8sParticipantPair, k8sReplica, labels, golden, resource } from "../support/wire";
import type { CaseTable } from "./types";

const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
const pod = (f: (spec: any, c: any) => void) => edit(k8sParticipantPair(), "participant1-1", DEPLOYMENT, (i) => f(i.spec.template.spec, i.spec.template.spec.containers[0]));
const image = (name: string) => [resource("docker:index/remoteImage:RemoteImage", `image-${name.replace(/[^a-z0-9]+/gi, "-")}`, { name, keepLocally: true })];
const k8sImage = (ref: string) => pod((_s, c) => (c.image = ref));

const dbPod = k8s(
    "apps/v1/StatefulSet",
    "domain-db",
    {
        spec: {
            replicas: 1,
            template: {
                metadata: { labels: labels("database", "domain-db", "domain-db") },
                spec: { containers: [{ name: "database", image: "postgres:15", ports: [{ name: "postgres", containerPort: 5432 }] }] },
            },
        },
    },
    { labels: labels("database", "domain-db", "domain-db") },
);
const service = (name: string, spec: Record<string, unknown>) => k8s("v1/Service", name, { spec }, { labels: labels("proxy", name) });
const proxySelector = { "app.kubernetes.io/instance": INSTANCE, "canton-ha.io/replica": "participant1-proxy" };

export const exposureCases: CaseTable = {
    "host-ports-loopback": {
        compliant: [
            { name: "ports on 127.0.0.1", resources: [container("sequencer1", { ports: [{ internal: 4401, ip: "127.0.0.1" }] })] },
            {
                name: "an address the config allows",
                resources: [container("sequencer1", { ports: [{ internal: 4401, ip: "10.0.0.5" }] })],
                config: { allowedBindAddresses: ["127.0.0.1", "10.0.0.5"] },
            },
            { name: "Kubernetes pods without hostPorts", resources: k8sParticipantPair() },
        ],
        violating: [
            { name: "0.0.0.0", resources: [container("sequencer1", { ports: [{ internal: 4401, ip: "0.0.0.0" }] })], expect: /port 4401 is published on 0.0.0.0:4401/ },
            { name: "no ip (Docker binds every address)", resources: [container("domain-db", { ports: [{ internal: 5432 }] })], expect: /port 5432 is published on 0.0.0.0/ },
            {
                name: "a hostPort",
                resources: pod((_s, c) => (c.ports = [{ name: "ledger-api", containerPort: 10011, hostPort: 10011 }])),
                expect: /binds hostPort 10011 on 0.0.0.0/,
            },
        ],
    },
    "k8s-external-services": {
        compliant: [
            { name: "ClusterIP Services", resources: k8sParticipantPair() },
            {
                name: "a LoadBalancer for a proxy's ledger API",
                resources: [
                    service("participant1-proxy-external", {
                        type: "LoadBalancer",
                        selector: proxySelector,
                        ports: [{ name: "ledger-api", port: 10011, targetPort: "ledger-api" }],
                    }),
                ],
            },
        ],
        violating: [
            {
                name: "a NodePort",
                resources: [service("p", { type: "NodePort", selector: proxySelector, ports: [{ name: "ledger-api", port: 10011 }] })],
                expect: /of type NodePort/,
            },
            {
                name: "the database behind a LoadBalancer",
                resources: [
                    dbPod,
                    service("domain-db", {
                        type: "LoadBalancer",
                        selector: { "app.kubernetes.io/instance": INSTANCE, "canton-ha.io/replica": "domain-db" },
                        ports: [{ port: 5432, targetPort: 5432 }],
                    }),
                ],
                expect: /publishes the database domain-db outside the cluster/,
            },
            {
                name: "a health port published",
                resources: [service("p", { type: "LoadBalancer", selector: proxySelector, ports: [{ name: "health", port: 8001 }] })],
                expect: /publishes port 8001 \(health\)/,
            },
            {
                name: "externalIPs",
                resources: [service("p", { type: "ClusterIP", externalIPs: ["203.0.113.7"], selector: proxySelector, ports: [{ name: "ledger-api", port: 10011 }] })],
                expect: /externalIPs 203.0.113.7/,
            },
        ],
    },
    "k8s-public-admin-api": {
        compliant: [
            {
                name: "a source-restricted LoadBalancer for the ledger API only",
                resources: [
                    service("p", { type: "LoadBalancer", loadBalancerSourceRanges: ["198.51.100.0/24"], selector: proxySelector, ports: [{ name: "ledger-api", port: 10011 }] }),
                ],
            },
        ],
        violating: [
            {
                name: "the admin API behind a LoadBalancer",
                resources: [
                    service("p", { type: "LoadBalancer", loadBalancerSourceRanges: ["198.51.100.0/24"], selector: proxySelector, ports: [{ name: "admin-api", port: 10012 }] }),
                ],
                expect: /publishes the admin API port 10012/,
            },
            {
                name: "a LoadBalancer open to everyone",
                resources: [service("p", { type: "LoadBalancer", selector: proxySelector, ports: [{ name: "ledger-api", port: 10011 }] })],
                expect: /accepts connections from any address/,
            },
        ],
    },
    "k8s-pod-security-context": {
        compliant: [
            { name: "the platform's restricted pods", resources: k8sParticipantPair() },
            {
                name: "an allowed capability",
                resources: pod((_s, c) => (c.securityContext.capabilities.add = ["NET_BIND_SERVICE"])),
                config: { allowedCapabilities: ["NET_BIND_SERVICE"] },
            },
        ],
        violating: [
            { name: "runAsNonRoot missing", resources: pod((s) => delete s.securityContext.runAsNonRoot), expect: /may run as root/ },
            { name: "UID 0", resources: pod((s) => (s.securityContext.runAsUser = 0)), expect: /runs as UID 0/ },
            { name: "privilege escalation", resources: pod((_s, c) => (c.securityContext.allowPrivilegeEscalation = true)), expect: /allows privilege escalation/ },
            { name: "default capabilities", resources: pod((_s, c) => delete c.securityContext.capabilities), expect: /keeps the default capabilities/ },
            { name: "an added capability", resources: pod((_s, c) => (c.securityContext.capabilities.add = ["NET_ADMIN"])), expect: /adds the capabilities NET_ADMIN/ },
            { name: "privileged", resources: pod((_s, c) => (c.securityContext.privileged = true)), expect: /is privileged/ },
            { name: "no seccomp profile", resources: pod((s) => delete s.securityContext.seccompProfile), expect: /without a seccomp profile/ },
            {
                name: "a writable root file system where required",
                resources: pod((_s, c) => delete c.securityContext.readOnlyRootFilesystem),
                config: { requireReadOnlyRootFilesystem: true },
                expect: /writable root file system/,
            },
        ],
    },
    "k8s-no-host-access": {
        compliant: [{ name: "the platform's pods", resources: k8sParticipantPair() }],
        violating: [
            { name: "hostNetwork", resources: pod((s) => (s.hostNetwork = true)), expect: /sets hostNetwork: true/ },
            {
                name: "a hostPath volume",
                resources: pod((s) => s.volumes.push({ name: "docker", hostPath: { path: "/var/run/docker.sock" } })),
                expect: /mounts the node's \/var\/run\/docker.sock/,
            },
        ],
    },
    "image-pinned": {
        compliant: [
            { name: "a tag", resources: [...image("postgres:15"), ...k8sParticipantPair()] },
            { name: "a digest", resources: image(`postgres@sha256:${"a".repeat(64)}`) },
            { name: "a Docker container referring to its pulled image id", resources: [container("sequencer1", { image: "sha256:0123abcd" })] },
        ],
        violating: [
            { name: "no tag", resources: image("postgres"), expect: /image postgres has no tag, so it means ':latest'/ },
            { name: ":latest", resources: image("haproxy:latest"), expect: /uses the moving tag 'latest'/ },
            {
                name: "a Kubernetes image without a tag",
                resources: k8sImage("registry.canton-ha.test/canton-enterprise"),
                expect: /container 'participant' image registry.canton-ha.test\/canton-enterprise has no tag/,
            },
            { name: "a malformed digest", resources: image("postgres@sha256:abc"), expect: /malformed digest/ },
        ],
    },
    "image-allowed-registries": {
        compliant: [
            { name: "Docker Hub images", resources: image("postgres:15") },
            { name: "the Canton image from a listed registry", resources: k8sParticipantPair(), config: { allowedRegistries: ["registry.canton-ha.test"] } },
            {
                name: "a listed registry path prefix",
                resources: image("mirror.canton-ha.test:5000/canton/canton-enterprise:2.9.4"),
                config: { allowedRegistries: ["mirror.canton-ha.test:5000/canton"] },
            },
        ],
        violating: [
            {
                name: "a registry nobody listed (the default: none)",
                resources: k8sParticipantPair(),
                expect: /comes from the registry 'registry.canton-ha.test', which is not in allowedRegistries \(empty\)/,
            },
            {
                name: "another registry than the listed one",
                resources: image("other.canton-ha.test/canton-enterprise:2.9.4"),
                config: { allowedRegistries: ["registry.canton-ha.test"] },
                expect: /'other.canton-ha.test'/,
            },
            {
                name: "Docker Hub where it is not allowed",
                resources: image("postgres:15"),
                config: { allowDockerHub: false },
                expect: /comes from Docker Hub, which is not allowed/,
            },
        ],
    },
    "image-exact-version": {
        compliant: [
            {
                name: "exact versions",
                resources: [
                    ...image("postgres:15.8"),
                    ...image("haproxy:2.6.12"),
                    ...k8sReplica("participant", "participant1", "participant1-1", golden("dev/participant1-1.conf"), { image: CANTON_IMAGE }),
                ],
            },
            { name: "a digest", resources: image(`haproxy@sha256:${"b".repeat(64)}`) },
        ],
        violating: [
            { name: "a minor line", resources: image("haproxy:2.6"), expect: /names a release line \('2.6'\)/ },
            { name: "a Postgres major", resources: image("postgres:15"), expect: /pin the full version \(2 numeric parts\)/ },
        ],
    },
};
