// One interface, several platforms. Components describe what a node needs in terms of
// capabilities (files that are or are not sensitive, typed probes, volumes, exposure); a
// platform decides how: Docker containers and uploads, or Kubernetes pods, Secrets and
// Services. Docker and Kubernetes differ only here, never in how a config file is written.
import type * as pulumi from "@pulumi/pulumi";
import type { TrustDomainPki } from "../pki/pki";
import type { HostNames, Listener, ProxyPlan } from "../plan/types";

export interface WorkloadFile {
    /** Absolute path inside the workload. */
    path: string;
    /** Text content, or base64 of binary content when `base64` is set. */
    content: pulumi.Input<string>;
    base64?: boolean;
    /** Keys and other secrets: Docker keeps the upload secret, Kubernetes puts it in a Secret. */
    sensitive: boolean;
    /** File mode, e.g. 0o400 for keys (Kubernetes `defaultMode`/`items.mode`); default 0o444. */
    mode?: number;
}

export interface EnvEntry {
    value: pulumi.Input<string>;
    /** Passwords and tokens: never a literal in a manifest (Kubernetes `secretKeyRef`). */
    sensitive: boolean;
}

/** How a platform checks a workload. No shell commands: each platform maps these itself. */
export type Probe =
    | { kind: "tcp"; port: number }
    /** Plain HTTP/1 GET; passes on 2xx (Canton's `/health` answers 500 on a passive replica). */
    | { kind: "http"; port: number; path: string }
    /** gRPC health protocol; `service` "" is the node's overall status, `liveness` never fails on a passive replica. */
    | { kind: "grpc"; port: number; service: string };

export interface Probes {
    /** Covers a slow start (Canton's JVM); liveness and readiness begin once it passed. */
    startup?: Probe;
    /** A failing liveness probe restarts the workload: it must pass on a passive replica. */
    liveness?: Probe;
    /** Whether traffic may be routed to it. */
    readiness?: Probe;
}

export interface WorkloadVolume {
    /** Unique within the stack, e.g. `domain-db-data`. */
    name: string;
    mountPath: string;
    sizeGi: number;
    /** Kubernetes storage class; the cluster default when absent. */
    storageClass?: string;
    /** Keep the data when the stack is destroyed (databases in production). */
    retainOnDelete: boolean;
    /** `protect`: `pulumi destroy` refuses to delete it. */
    protect: boolean;
}

/** What a workload is, for labels and per-kind settings (Kubernetes `app.kubernetes.io/component`). */
export type WorkloadComponent = "sequencer" | "mediator" | "domain-manager" | "participant" | "database" | "proxy";
/** What runs in the image: decides the user it runs as and its writable paths. */
export type WorkloadRuntime = "canton" | "postgres" | "haproxy" | "nginx";

/**
 * A connection a workload makes: the DNS name and port it dials. Platforms that police
 * traffic (Kubernetes NetworkPolicies) allow exactly these; a name that is not one of the
 * platform's own hosts is outside it (a managed database, another organisation's sequencer).
 */
export interface Flow {
    host: string;
    port: number;
}

export interface WorkloadSpec {
    /**
     * The HA group the workload is a replica of: `sequencer` (the whole tier), `mediator`, the
     * domain manager's name, a participant's name, a database server id, a proxy's host id.
     */
    group: string;
    component: WorkloadComponent;
    runtime: WorkloadRuntime;
    /** 1-based replica index within the group. */
    replica: number;
    host: HostNames;
    image: string;
    entrypoint?: string[];
    command?: string[];
    env?: Record<string, EnvEntry>;
    files: WorkloadFile[];
    listeners: Listener[];
    probes: Probes;
    /**
     * What "deployed" means for `pulumi up`: `serving` waits until readiness passes; `started`
     * only until the process runs and its liveness passes. A passive replica is healthy but never
     * serving, so `pulumi up` must not wait for it to serve.
     */
    deployedWhen: "serving" | "started";
    volumes?: WorkloadVolume[];
    /** Size of `/dev/shm` (Docker `shm_size`, a memory-backed emptyDir on Kubernetes). */
    sharedMemoryMb?: number;
    /** Every connection it makes (its database, the sequencers, a proxy's backends). */
    connectsTo: Flow[];
    /** Paths it writes besides its volumes (temp, pid and socket directories): the rest of its file system is read-only. */
    writablePaths: string[];
    labels?: Record<string, string>;
}

/** What `deploy` hands back: the resource later steps can depend on, and where a listener is reached. */
export interface WorkloadHandle {
    resource: pulumi.Resource;
    /** `host:port` of a listener, as other workloads on the platform reach it. */
    address(listener: string): string;
}

/** A one-shot job: runs to completion once per distinct `contentHash` (Docker: a container; Kubernetes: a Job). */
export interface JobSpec {
    /** Unique within the stack; a DNS label. */
    id: string;
    image: string;
    entrypoint?: string[];
    command: string[];
    env?: Record<string, EnvEntry>;
    files: WorkloadFile[];
    /**
     * Identifies what the job does. A change re-runs the job (the platform replaces it); the
     * same value never re-runs it. Platforms record it where operators can see it (a label).
     */
    contentHash: string;
    /** How long one run may take before the platform gives up on it. */
    timeoutSeconds: number;
    /** Every node it administers, as its remote config dials them. */
    connectsTo: Flow[];
    /** Paths it writes (the console's temp and home directories). */
    writablePaths: string[];
}

/** How a finished job ended. `reports` are the lines it printed after the report marker. */
export interface JobResult {
    exitCode: number | undefined;
    /** The tail of its output, for error messages. */
    logTail: string;
    reports: string[];
}

export interface JobRun {
    resource: pulumi.Resource;
    /** Resolves once the run has finished. */
    result: pulumi.Output<JobResult>;
}

/** Make a group's listeners reachable: every replica (`all`) or only the active one (`active`). */
export interface ExposeRequest {
    group: string;
    route: "all" | "active";
    backends: WorkloadHandle[];
    /** The plan's proxy tier for this group, in load-balancer mode. */
    proxy?: ProxyPlan;
    /** The PKI that holds the proxy's certificates. */
    pki: TrustDomainPki;
    /** Without a proxy: the address the plan gives the group's active replica, where the platform routes to it itself. */
    front?: HostNames & { listeners: Listener[] };
}

export interface Exposure {
    /** What clients depend on before they connect (the proxy, a Service). */
    resources: pulumi.Resource[];
}

/** A group must keep this many replicas through voluntary disruptions (Kubernetes PodDisruptionBudget). */
export interface DisruptionBudget {
    group: string;
    component: WorkloadComponent;
    minAvailable: number;
}

export interface Platform {
    readonly name: string;
    /**
     * Workloads start as their image's non-root user, and mounted files are owned by root and
     * readable through the pod's group (Kubernetes). Docker starts images as they are built.
     */
    readonly nonRoot: boolean;
    /** Runs a workload; undefined when the platform runs nothing (`none`). */
    deploy(spec: WorkloadSpec, opts: pulumi.CustomResourceOptions): WorkloadHandle | undefined;
    /**
     * Runs a job to completion during `pulumi up`, once per `contentHash`. Undefined when the
     * platform runs nothing (`none`). Callers decide what a non-zero exit means.
     */
    runOnce(spec: JobSpec, opts: pulumi.CustomResourceOptions): JobRun | undefined;
    /** Makes a group reachable; whether through a proxy or a Service is the platform's choice. */
    expose(request: ExposeRequest, opts: pulumi.ComponentResourceOptions): Exposure;
    /** Declares a disruption budget; platforms without voluntary disruptions ignore it. */
    disruptionBudget(budget: DisruptionBudget, opts: pulumi.CustomResourceOptions): void;
}

/** A file everyone may read (configs, certificate chains). */
export const publicFile = (path: string, content: pulumi.Input<string>): WorkloadFile => ({ path, content, sensitive: false });
/** A key or other secret, readable by its owner only. */
export const secretFile = (path: string, content: pulumi.Input<string>, base64 = false): WorkloadFile => ({ path, content, base64, sensitive: true, mode: 0o400 });
