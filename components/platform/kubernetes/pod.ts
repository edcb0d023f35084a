// Pod parts every workload shares: probes from the platform-neutral Probe, the restricted
// security context, anti-affinity and topology spread per HA group, temp directories for a
// read-only root file system, and /dev/shm.
import type * as k8s from "@pulumi/kubernetes";
import type { KubernetesPlan } from "../../plan/types";
import type { Probe, WorkloadRuntime } from "../types";
import { groupSelector } from "./labels";

type K8sProbe = k8s.types.input.core.v1.Probe;

function action(p: Probe): K8sProbe {
    switch (p.kind) {
        case "tcp":
            return { tcpSocket: { port: p.port } };
        case "http":
            return { httpGet: { port: p.port, path: p.path, scheme: "HTTP" } };
        case "grpc":
            return { grpc: { port: p.port, service: p.service } };
    }
}

/**
 * Readiness: probed every second, so the replica that takes over joins its Service within a
 * second; out after two failures in a row, each allowed 3 s (Digital Asset's charts' timeout),
 * so one slow answer on a busy node never takes a serving replica out. A replica that steps
 * down refuses at once and leaves within 2 s. Kubernetes runs a pod's probes one at a time,
 * so a timeout longer than the period delays the next probe rather than overlapping it.
 * docs/kubernetes.md tabulates this against the charts' 5 s x 1 and the old 1 s x 1.
 */
const READINESS_TIMING = { periodSeconds: 1, failureThreshold: 2, successThreshold: 1, timeoutSeconds: 3 } as const;

/**
 * Timings. Startup: up to 10 minutes for a JVM on a busy node, checked every 5 s. Liveness:
 * a minute of failures before a restart (a GC pause is not a death). Readiness: above.
 */
export function probes(p: { startup?: Probe; liveness?: Probe; readiness?: Probe }): Pick<k8s.types.input.core.v1.Container, "startupProbe" | "livenessProbe" | "readinessProbe"> {
    return {
        startupProbe: p.startup && { ...action(p.startup), periodSeconds: 5, failureThreshold: 120, timeoutSeconds: 3 },
        livenessProbe: p.liveness && { ...action(p.liveness), periodSeconds: 10, failureThreshold: 6, timeoutSeconds: 5 },
        readinessProbe: p.readiness && { ...action(p.readiness), ...READINESS_TIMING },
    };
}

export function runAsUser(settings: KubernetesPlan, runtime: WorkloadRuntime): number {
    return settings.runAsUser[runtime];
}

/** Pod Security `restricted`: non-root, seccomp RuntimeDefault; files readable through fsGroup. */
export function podSecurity(uid: number): k8s.types.input.core.v1.PodSecurityContext {
    return { runAsNonRoot: true, runAsUser: uid, runAsGroup: uid, fsGroup: uid, fsGroupChangePolicy: "OnRootMismatch", seccompProfile: { type: "RuntimeDefault" } };
}

export const containerSecurity: k8s.types.input.core.v1.SecurityContext = {
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    privileged: false,
    capabilities: { drop: ["ALL"] },
};

/** One memory-backed or disk emptyDir per writable path, and /dev/shm when sized. */
export function scratch(writablePaths: string[], sharedMemoryMb?: number) {
    const volumes: k8s.types.input.core.v1.Volume[] = writablePaths.map((_, i) => ({ name: `scratch-${i}`, emptyDir: {} }));
    const mounts: k8s.types.input.core.v1.VolumeMount[] = writablePaths.map((path, i) => ({ name: `scratch-${i}`, mountPath: path }));
    if (sharedMemoryMb !== undefined) {
        // Canton's manual asks for a larger /dev/shm for Postgres than container defaults (64 MB).
        volumes.push({ name: "dshm", emptyDir: { medium: "Memory", sizeLimit: `${sharedMemoryMb}Mi` } });
        mounts.push({ name: "dshm", mountPath: "/dev/shm" });
    }
    return { volumes, mounts };
}

/**
 * Replicas of one HA group on different nodes (and zones where the cluster has them).
 * `preferred` still schedules on a single-node cluster; `required` leaves a replica Pending
 * rather than share a node with its peer.
 */
export function placement(settings: KubernetesPlan, instance: string, group: string): Pick<k8s.types.input.core.v1.PodSpec, "affinity" | "topologySpreadConstraints"> {
    const term = { labelSelector: { matchLabels: groupSelector(instance, group) }, topologyKey: "kubernetes.io/hostname" };
    return {
        affinity: {
            podAntiAffinity:
                settings.antiAffinity === "required"
                    ? { requiredDuringSchedulingIgnoredDuringExecution: [term] }
                    : { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: term }] },
        },
        topologySpreadConstraints: [
            { maxSkew: 1, topologyKey: "topology.kubernetes.io/zone", whenUnsatisfiable: "ScheduleAnyway", labelSelector: { matchLabels: groupSelector(instance, group) } },
        ],
    };
}

export function resourcesFor(settings: KubernetesPlan, runtime: WorkloadRuntime): k8s.types.input.core.v1.ResourceRequirements {
    const r = runtime === "canton" ? settings.resources.canton : runtime === "postgres" ? settings.resources.postgres : settings.resources.proxy;
    const memoryLimit = r.memoryLimit ?? r.memory;
    return { requests: { cpu: r.cpu, memory: r.memory }, limits: { memory: memoryLimit } };
}
