// The Kubernetes platform. How the capabilities map (docs/kubernetes.md says why):
// - a workload replica is its own Deployment (replicas 1, `Recreate`), or a StatefulSet when it
//   owns a volume (Postgres: at most one pod on its PVC, even through a node partition);
//   stateless proxies are one Deployment with `kubernetes.proxyReplicas` copies;
// - every replica has its own Service (its host id), so peers, proxies and the bootstrap Job
//   reach a passive replica by name (`publishNotReadyAddresses`);
// - readiness is the workload's readiness probe: for active/passive nodes "serving" (a
//   participant's Ledger API accepts, the others' gRPC status), so a Service over a group
//   routes to the active replica only (`expose`, route `active`);
// - `deployedWhen: started` (a standby) tells the provider to wait only for the replica's pod
//   of the current spec (`pulumi.com/waitFor`), never for readiness it may never reach;
// - files and env become a ConfigMap and a Secret (files.ts); a checksum rolls the pods;
// - jobs are Jobs read back by JobResultReader; disruption budgets are PDBs;
// - NetworkPolicies allow exactly the flows the specs declare (network.ts).
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { KubernetesPlan, Listener } from "../../plan/types";
import { exposeThroughProxy } from "../expose";
import type { DisruptionBudget, Exposure, ExposeRequest, JobRun, JobSpec, Platform, WorkloadHandle, WorkloadSpec } from "../types";
import { workloadObjects } from "./files";
import { JobResultReader } from "./job-result";
import { CHECKSUM_ANNOTATION, groupSelector, Identity, JOB_HASH_ANNOTATION, labelsOf, replicaSelector } from "./labels";
import { clientApiPolicy, defaultDeny, flowPolicies, resolveFlow } from "./network";
import { containerSecurity, placement, podSecurity, probes, resourcesFor, runAsUser, scratch } from "./pod";
import { registrySecret } from "./registry";

export interface KubernetesPlatformArgs {
    settings: KubernetesPlan;
    /** `canton-ha-<stack>`: the `app.kubernetes.io/instance` of everything. */
    instance: string;
    /**
     * Keep the namespace on `pulumi destroy`: it holds retained database claims, which a
     * deleted namespace would take with it (postgres.retainData).
     */
    retainNamespace: boolean;
    /** Credentials for the Canton image's registry, made into an image pull Secret. */
    registryAuth?: { address: string; username: string; password: pulumi.Input<string> };
}

/** The annotation that tells the provider what "deployed" means. */
const WAIT_FOR = "pulumi.com/waitFor";
const SKIP_AWAIT = "pulumi.com/skipAwait";
const JOB_CONTAINER = "run";

export class KubernetesPlatform implements Platform {
    readonly name = "kubernetes";
    readonly nonRoot = true;
    readonly provider: k8s.Provider;
    readonly namespace: pulumi.Output<string>;
    private readonly settings: KubernetesPlan;
    private readonly instance: string;
    private readonly pullSecrets: { name: pulumi.Input<string> }[];
    private readonly serviceAccount: k8s.core.v1.ServiceAccount;
    /** What each workload resource was deployed from (exposure reads its listeners). */
    private readonly specs = new Map<pulumi.Resource, WorkloadSpec>();
    /** Rendering only: nothing runs, so no job result can be read. */
    private readonly rendering: boolean;

    constructor(
        args: KubernetesPlatformArgs,
        private readonly parent?: pulumi.Resource,
    ) {
        const s = (this.settings = args.settings);
        this.instance = args.instance;
        this.rendering = s.renderYamlTo !== undefined;
        this.provider = new k8s.Provider(
            "kubernetes",
            {
                kubeconfig: s.kubeconfig,
                context: s.context,
                namespace: s.namespace,
                renderYamlToDirectory: s.renderYamlTo,
                // Update ConfigMaps and Secrets in place: their names are fixed (pods mount them by
                // name), and the checksum annotation already rolls exactly the pods that use them.
                enableConfigMapMutable: true,
                enableSecretMutable: true,
            },
            { parent },
        );
        const base = this.opts({});
        const labels = this.labels({ group: "namespace", component: "bootstrap", replica: "namespace" });
        if (s.createNamespace) {
            const ns = new k8s.core.v1.Namespace(
                "namespace",
                {
                    metadata: {
                        name: s.namespace,
                        // Pod Security Admission: the API server itself refuses a pod that is not `restricted`.
                        labels: { ...labels, "pod-security.kubernetes.io/enforce": "restricted", "pod-security.kubernetes.io/enforce-version": "latest" },
                    },
                },
                { ...base, retainOnDelete: args.retainNamespace },
            );
            this.namespace = ns.metadata.name;
        } else {
            this.namespace = pulumi.output(s.namespace);
        }
        const inNs = this.opts({});
        // No pod needs the API: the bootstrap Job's result is read by the deployer (job-result.ts).
        this.serviceAccount = new k8s.core.v1.ServiceAccount(
            "workloads",
            { metadata: { name: "canton-ha", namespace: this.namespace, labels }, automountServiceAccountToken: false },
            inNs,
        );
        const made = args.registryAuth ? [registrySecret(args.registryAuth, this.namespace, labels, inNs)] : [];
        this.pullSecrets = [...made.map((r) => ({ name: r.metadata.name })), ...s.imagePullSecrets.map((name) => ({ name }))];
        defaultDeny({ namespace: this.namespace, instance: this.instance, labels, opts: inNs });
    }

    /** Resource options: the provider, and the namespace first. */
    private opts(opts: pulumi.CustomResourceOptions): pulumi.CustomResourceOptions {
        return { ...opts, parent: opts.parent ?? this.parent, provider: this.provider };
    }

    private labels(id: Omit<Identity, "instance">, extra?: Record<string, string>): Record<string, string> {
        return labelsOf({ instance: this.instance, ...id }, extra);
    }

    deploy(spec: WorkloadSpec, opts: pulumi.CustomResourceOptions): WorkloadHandle {
        const id = spec.host.id;
        const o = this.opts(opts);
        const labels = this.labels({ group: spec.group, component: spec.component, replica: id }, spec.labels);
        const files = workloadObjects({ name: id, namespace: this.namespace, labels, files: spec.files, env: spec.env, opts: o });
        const dependsOn = [...(files.configMap ? [files.configMap] : []), ...(files.secret ? [files.secret] : [])];
        const scratchDirs = scratch(spec.writablePaths, spec.sharedMemoryMb);
        const env = [...files.env, ...(spec.runtime === "canton" ? [{ name: "JDK_JAVA_OPTIONS", value: this.settings.jvmOptions }] : [])];
        const volumeClaims = (spec.volumes ?? []).map((v) => this.claim(v, labels, opts));
        const container: k8s.types.input.core.v1.Container = {
            name: spec.component,
            image: spec.image,
            imagePullPolicy: this.settings.imagePullPolicy,
            command: spec.entrypoint,
            args: spec.command,
            env,
            ports: spec.listeners.map((l) => ({ name: l.name, containerPort: l.port, protocol: "TCP" })),
            ...probes(spec.probes),
            resources: resourcesFor(this.settings, spec.runtime),
            securityContext: containerSecurity,
            volumeMounts: [...files.mounts, ...scratchDirs.mounts, ...(spec.volumes ?? []).map((v, i) => ({ name: `data-${i}`, mountPath: v.mountPath }))],
        };
        const template: k8s.types.input.core.v1.PodTemplateSpec = {
            metadata: { labels, annotations: { [CHECKSUM_ANNOTATION]: files.checksum } },
            spec: {
                serviceAccountName: this.serviceAccount.metadata.name,
                automountServiceAccountToken: false,
                enableServiceLinks: false,
                imagePullSecrets: this.pullSecrets,
                securityContext: podSecurity(runAsUser(this.settings, spec.runtime)),
                ...placement(this.settings, this.instance, spec.group),
                terminationGracePeriodSeconds: 30,
                containers: [container],
                volumes: [
                    ...(files.volume ? [files.volume] : []),
                    ...scratchDirs.volumes,
                    ...volumeClaims.map((c, i) => ({ name: `data-${i}`, persistentVolumeClaim: { claimName: c.metadata.name } })),
                ],
            },
        };
        // A standby is healthy but never ready: wait for its pod of this spec, not for readiness.
        const annotations = spec.deployedWhen === "started" ? { [WAIT_FOR]: "jsonpath={.status.updatedReplicas}=1" } : undefined;
        const metadata = { name: id, namespace: this.namespace, labels, annotations };
        const selector = { matchLabels: replicaSelector(this.instance, id) };
        const workloadOpts = { ...o, dependsOn: [...toArray(o.dependsOn), ...dependsOn, ...volumeClaims] };
        const isProxy = spec.component === "proxy";
        const replicas = isProxy ? this.settings.proxyReplicas : 1;
        const resource: pulumi.Resource =
            volumeClaims.length > 0
                ? new k8s.apps.v1.StatefulSet(id, { metadata, spec: { replicas: 1, serviceName: id, podManagementPolicy: "Parallel", selector, template } }, workloadOpts)
                : new k8s.apps.v1.Deployment(
                      id,
                      {
                          metadata,
                          spec: {
                              replicas,
                              // One pod per Canton replica or database, never two during a rollout; proxies roll.
                              strategy: isProxy ? { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } } : { type: "Recreate" },
                              selector,
                              template,
                          },
                      },
                      workloadOpts,
                  );
        this.service(id, spec.listeners, labels, replicaSelector(this.instance, id), spec.deployedWhen === "started", o);
        if (isProxy && replicas > 1) this.disruptionBudget({ group: spec.group, component: "proxy", minAvailable: replicas - 1 }, o);
        this.policies(spec.connectsTo, spec.listeners, isClientFacing(spec.component), id, labels, o);
        const ports = new Map(spec.listeners.map((l) => [l.name, l.port]));
        this.specs.set(resource, spec);
        return {
            resource,
            address: (listener) => {
                const port = ports.get(listener);
                if (port === undefined) throw new Error(`workload ${id} has no listener '${listener}'`);
                return `${spec.host.fqdn}:${port}`;
            },
        };
    }

    /** A replica's own Service. A passive replica is listed too: peers must reach it by name. */
    private service(name: string, listeners: Listener[], labels: Record<string, string>, selector: Record<string, string>, notReadyToo: boolean, o: pulumi.CustomResourceOptions) {
        const ports = listeners.filter((l) => !l.internal).map((l) => ({ name: l.name, port: l.port, targetPort: l.name, protocol: "TCP" }));
        return new k8s.core.v1.Service(
            name,
            {
                // The workload's own await says when it is deployed; the Service has nothing to add.
                metadata: { name, namespace: this.namespace, labels, annotations: { [SKIP_AWAIT]: "true" } },
                spec: { type: "ClusterIP", selector, ports, publishNotReadyAddresses: notReadyToo },
            },
            o,
        );
    }

    private claim(v: NonNullable<WorkloadSpec["volumes"]>[number], labels: Record<string, string>, opts: pulumi.CustomResourceOptions) {
        return new k8s.core.v1.PersistentVolumeClaim(
            v.name,
            {
                // The provider waits for a claim to bind; with WaitForFirstConsumer it binds only once its pod exists.
                metadata: { name: v.name, namespace: this.namespace, labels, annotations: { [SKIP_AWAIT]: "true" } },
                spec: { accessModes: ["ReadWriteOnce"], storageClassName: v.storageClass ?? this.settings.storageClass, resources: { requests: { storage: `${v.sizeGi}Gi` } } },
            },
            // Data outlives the stack when the operator asks for it (postgres.retainData); a new
            // `pulumi up` then adopts the same claim by name (server-side apply).
            this.opts({ ...opts, retainOnDelete: v.retainOnDelete, protect: v.protect }),
        );
    }

    private policies(
        connectsTo: WorkloadSpec["connectsTo"],
        listeners: Listener[],
        clientFacing: boolean,
        id: string,
        labels: Record<string, string>,
        o: pulumi.CustomResourceOptions,
    ) {
        const targets = connectsTo.map((f) => resolveFlow(f, this.settings.namespace, this.settings.clusterDomain));
        const targetLabels = (replica: string) => ({ ...labels, "canton-ha.io/flow-target": replica });
        flowPolicies({ namespace: this.namespace, instance: this.instance, labels, replica: id, targets, targetLabels, opts: o });
        const ports = (name: string) => listeners.filter((l) => l.name === name).map((l) => l.port);
        if (!clientFacing) return;
        clientApiPolicy({
            namespace: this.namespace,
            instance: this.instance,
            labels,
            replica: id,
            ledgerPorts: ports("ledger-api"),
            sequencerPorts: ports("public-api"),
            exposed: this.settings.exposure !== "none",
            opts: o,
        });
    }

    runOnce(spec: JobSpec, opts: pulumi.CustomResourceOptions): JobRun | undefined {
        const o = this.opts(opts);
        const labels = this.labels({ group: spec.id, component: "bootstrap", replica: spec.id });
        const files = workloadObjects({ name: spec.id, namespace: this.namespace, labels, files: spec.files, env: spec.env, opts: o });
        const scratchDirs = scratch(spec.writablePaths);
        const annotations = { [JOB_HASH_ANNOTATION]: spec.contentHash };
        const job = new k8s.batch.v1.Job(
            spec.id,
            {
                metadata: { name: spec.id, namespace: this.namespace, labels, annotations: { ...annotations, [SKIP_AWAIT]: "true" } },
                spec: {
                    backoffLimit: 0,
                    activeDeadlineSeconds: spec.timeoutSeconds,
                    template: {
                        // The checksum covers files and the token: any change is a new Job, i.e. a new run (as on Docker).
                        metadata: { labels, annotations: { ...annotations, [CHECKSUM_ANNOTATION]: files.checksum } },
                        spec: {
                            restartPolicy: "Never",
                            serviceAccountName: this.serviceAccount.metadata.name,
                            automountServiceAccountToken: false,
                            enableServiceLinks: false,
                            imagePullSecrets: this.pullSecrets,
                            securityContext: podSecurity(runAsUser(this.settings, "canton")),
                            containers: [
                                {
                                    name: JOB_CONTAINER,
                                    image: spec.image,
                                    imagePullPolicy: this.settings.imagePullPolicy,
                                    command: spec.entrypoint,
                                    args: spec.command,
                                    env: [...files.env, { name: "HOME", value: "/tmp" }, { name: "JDK_JAVA_OPTIONS", value: this.settings.jvmOptions }],
                                    resources: resourcesFor(this.settings, "canton"),
                                    securityContext: containerSecurity,
                                    volumeMounts: [...files.mounts, ...scratchDirs.mounts],
                                },
                            ],
                            volumes: [...(files.volume ? [files.volume] : []), ...scratchDirs.volumes],
                        },
                    },
                },
            },
            // The name is fixed, so the old run goes before the new one is created.
            { ...o, deleteBeforeReplace: true, dependsOn: [...toArray(o.dependsOn), ...(files.configMap ? [files.configMap] : []), ...(files.secret ? [files.secret] : [])] },
        );
        this.policies(spec.connectsTo, [], false, spec.id, labels, o);
        if (this.rendering) return undefined;
        const reader = new JobResultReader(
            `${spec.id}-result`,
            {
                namespace: this.settings.namespace,
                job: spec.id,
                uid: job.metadata.uid,
                container: JOB_CONTAINER,
                kubeconfig: this.settings.kubeconfig,
                context: this.settings.context,
                timeoutSeconds: spec.timeoutSeconds + 60,
            },
            { parent: opts.parent, dependsOn: [job] },
        );
        return { resource: job, result: pulumi.all([reader.exitCode, reader.logTail, reader.reports]).apply(([exitCode, logTail, reports]) => ({ exitCode, logTail, reports })) };
    }

    expose(req: ExposeRequest, opts: pulumi.ComponentResourceOptions): Exposure {
        const o = this.opts({ parent: opts.parent, dependsOn: opts.dependsOn });
        if (req.proxy) {
            const exposure = exposeThroughProxy(this, req, opts);
            this.external(req.proxy.host.id, req.proxy.listeners, req.proxy.host.id, o);
            return exposure;
        }
        if (req.route === "active" && req.front) {
            // The group's Service routes to ready pods, and only the active replica is ready. The
            // provider's Service await would wait for every endpoint to be ready, i.e. forever
            // while a standby exists: the bootstrap Job is what waits for the active replica.
            const front = req.front;
            const labels = this.labels({ group: req.group, component: "participant", replica: front.id });
            const service = new k8s.core.v1.Service(
                front.id,
                {
                    metadata: { name: front.id, namespace: this.namespace, labels, annotations: { [SKIP_AWAIT]: "true" } },
                    spec: {
                        type: "ClusterIP",
                        selector: groupSelector(this.instance, req.group),
                        ports: front.listeners.map((l) => ({ name: l.name, port: l.port, targetPort: l.name, protocol: "TCP" })),
                    },
                },
                o,
            );
            this.external(front.id, front.listeners, undefined, o, groupSelector(this.instance, req.group));
            return { resources: [service] };
        }
        // Client-side HA: every replica's own Service is its address; outside the cluster, one each.
        for (const b of req.backends) {
            const spec = this.specs.get(b.resource);
            if (spec) this.external(spec.host.id, spec.listeners, spec.host.id, o);
        }
        return { resources: [] };
    }

    /** A Service of type LoadBalancer or NodePort for clients outside the cluster, when configured. */
    private external(name: string, listeners: Listener[], replica: string | undefined, o: pulumi.CustomResourceOptions, selector?: Record<string, string>) {
        const type = this.settings.exposure;
        if (type === "none") return undefined;
        return new k8s.core.v1.Service(
            `${name}-external`,
            {
                // Whether a cloud load balancer gets an address is the cluster's business, not a reason to block `pulumi up`.
                metadata: {
                    name: `${name}-external`,
                    namespace: this.namespace,
                    labels: this.labels({ group: name, component: "proxy", replica: name }),
                    annotations: { [SKIP_AWAIT]: "true" },
                },
                spec: {
                    type,
                    selector: selector ?? replicaSelector(this.instance, replica ?? name),
                    ports: listeners.filter((l) => !l.internal).map((l) => ({ name: l.name, port: l.port, targetPort: l.name, protocol: "TCP" })),
                },
            },
            o,
        );
    }

    /**
     * At least `minAvailable` ready pods of the group through voluntary disruptions. A passive
     * replica is not ready, so it may always be evicted (`AlwaysAllow`), and the active one
     * only while another replica is ready: a drain never takes the active and its standby at
     * once (docs/kubernetes.md, "Disruptions").
     */
    disruptionBudget(budget: DisruptionBudget, opts: pulumi.CustomResourceOptions): void {
        new k8s.policy.v1.PodDisruptionBudget(
            `${budget.group}-pdb`,
            {
                metadata: {
                    name: `${budget.group}-pdb`,
                    namespace: this.namespace,
                    labels: this.labels({ group: budget.group, component: budget.component, replica: budget.group }),
                },
                spec: { minAvailable: budget.minAvailable, selector: { matchLabels: groupSelector(this.instance, budget.group) }, unhealthyPodEvictionPolicy: "AlwaysAllow" },
            },
            this.opts(opts),
        );
    }
}

/** Workloads whose APIs serve clients (ledger API, sequencer public API). */
function isClientFacing(component: WorkloadSpec["component"]): boolean {
    return component === "participant" || component === "sequencer" || component === "proxy";
}

function toArray(d: pulumi.CustomResourceOptions["dependsOn"]): pulumi.Input<pulumi.Resource>[] {
    if (d === undefined) return [];
    return Array.isArray(d) ? d : [d as pulumi.Input<pulumi.Resource>];
}
