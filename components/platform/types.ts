// One interface, several platforms. Components describe a workload; a platform runs it.
// Docker and Kubernetes differ only here, never in how a config file is written.
import * as pulumi from "@pulumi/pulumi";
import type { Host, Listener } from "../plan/types";

export interface WorkloadFile {
    /** Absolute path inside the container. */
    path: string;
    /** Text content, or base64 of binary content when `base64` is set. */
    content: pulumi.Input<string>;
    base64?: boolean;
}

export interface WorkloadVolume {
    /** Unique within the stack, e.g. `domain-db-data`. */
    name: string;
    mountPath: string;
    /** Keep the data when the stack is destroyed (databases in production). */
    retainOnDelete: boolean;
}

export interface WorkloadSpec {
    host: Host;
    image: string;
    entrypoint?: string[];
    command?: string[];
    /** Values may be secrets; platforms keep them secret. */
    env?: Record<string, pulumi.Input<string>>;
    files: WorkloadFile[];
    listeners: Listener[];
    /** A command run inside the container; exit 0 means the process is up (not necessarily active). */
    healthCheck: string[];
    volumes?: WorkloadVolume[];
    /**
     * Size of `/dev/shm`. Docker's default of 64 MB is too small for Canton's Postgres (the
     * Canton 2.9 manual runs it with `--shm-size 256mb`); Kubernetes mounts a memory-backed
     * emptyDir of this size.
     */
    sharedMemoryMb?: number;
}

/** A one-shot job: runs to completion once per distinct `contentHash` (Docker: a container; Kubernetes: a Job). */
export interface JobSpec {
    /** Unique within the stack; a DNS label. */
    id: string;
    image: string;
    entrypoint?: string[];
    command: string[];
    env?: Record<string, pulumi.Input<string>>;
    files: WorkloadFile[];
    /**
     * Identifies what the job does. A change re-runs the job (the platform replaces it); the
     * same value never re-runs it. Platforms record it where operators can see it (a label).
     */
    contentHash: string;
    /** How long one run may take before the platform gives up on it. */
    timeoutSeconds: number;
}

/** A job run as the platform reports it. `exitCode` and `logs` resolve once the run has finished. */
export interface JobRun {
    resource: pulumi.Resource;
    exitCode: pulumi.Output<number>;
    logs: pulumi.Output<string>;
}

export interface Platform {
    readonly name: string;
    /** Runs the workload; returns the resource later steps can depend on, if any was created. */
    deploy(spec: WorkloadSpec, opts: pulumi.CustomResourceOptions): pulumi.Resource | undefined;
    /**
     * Runs a job to completion during `pulumi up`, once per `contentHash`. Returns undefined
     * when the platform runs nothing (`none`). Callers decide what a non-zero exit means.
     */
    runOnce(spec: JobSpec, opts: pulumi.CustomResourceOptions): JobRun | undefined;
}

/** A health check that passes once the process listens on the port (bash's /dev/tcp). */
export function tcpCheck(port: number): string[] {
    return ["bash", "-c", `exec 3<>/dev/tcp/127.0.0.1/${port}`];
}
