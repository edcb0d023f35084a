// The Docker platform: one network, one container per workload, named volumes for data.
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import type { JobRun, JobSpec, Platform, WorkloadSpec } from "./types";

export interface DockerPlatformArgs {
    /** Prefix for container, network and volume names: `canton-ha-<stack>`. */
    namePrefix: string;
    bindAddress: string;
    publishPorts: boolean;
    /** Credentials for pulls from one registry (the Canton image's); others use the engine's own login. */
    registryAuth?: { address: string; username: string; password: pulumi.Input<string> };
}

export class DockerPlatform implements Platform {
    readonly name = "docker";
    readonly network: docker.Network;
    private readonly images = new Map<string, docker.RemoteImage>();
    /** A provider that only pulls, logged in to `registryAuth.address`. */
    private readonly pullProvider?: docker.Provider;

    constructor(private readonly args: DockerPlatformArgs, private readonly parent?: pulumi.Resource) {
        this.network = new docker.Network(args.namePrefix, { name: args.namePrefix, driver: "bridge" }, { parent });
        if (args.registryAuth) {
            const auth = args.registryAuth;
            this.pullProvider = new docker.Provider("registry-login", {
                registryAuth: [{ address: auth.address, username: auth.username, password: pulumi.secret(auth.password) }],
            }, { parent });
        }
    }

    /**
     * One image resource per reference; kept locally on destroy because other stacks may share
     * it. Only the pull of an image from the logged-in registry goes through the login
     * provider: containers stay on the default provider, so adding or changing credentials
     * never replaces a container.
     */
    private image(ref: string): docker.RemoteImage {
        let img = this.images.get(ref);
        if (!img) {
            const viaLogin = this.pullProvider && ref.startsWith(`${this.args.registryAuth!.address}/`);
            img = new docker.RemoteImage(`image-${ref.replace(/[^a-zA-Z0-9]+/g, "-")}`, { name: ref, keepLocally: true }, {
                parent: this.parent,
                provider: viaLogin ? this.pullProvider : undefined,
            });
            this.images.set(ref, img);
        }
        return img;
    }

    deploy(spec: WorkloadSpec, opts: pulumi.CustomResourceOptions): docker.Container {
        const image = this.image(spec.image);
        const volumes = (spec.volumes ?? []).map((v) => {
            const vol = new docker.Volume(`${spec.host.id}-${v.name}`, { name: `${this.args.namePrefix}-${v.name}` }, {
                parent: opts.parent,
                // Data outlives the stack when the operator asks for it (postgres.retainData).
                retainOnDelete: v.retainOnDelete,
            });
            return { volumeName: vol.name, containerPath: v.mountPath };
        });
        const envs = Object.entries(spec.env ?? {}).map(([k, v]) => pulumi.interpolate`${k}=${v}`);
        return new docker.Container(spec.host.id, {
            name: `${this.args.namePrefix}-${spec.host.id}`,
            image: image.imageId,
            hostname: spec.host.id,
            entrypoints: spec.entrypoint,
            command: spec.command,
            envs,
            uploads: spec.files.map((f) => (f.base64 ? { file: f.path, contentBase64: f.content } : { file: f.path, content: f.content })),
            networksAdvanced: [{ name: this.network.name, aliases: spec.host.dnsNames }],
            ports: this.args.publishPorts
                ? spec.listeners.map((l) => ({ internal: l.port, external: l.port, ip: this.args.bindAddress }))
                : [],
            healthcheck: { tests: ["CMD", ...spec.healthCheck], interval: "2s", timeout: "2s", retries: 3, startPeriod: "120s" },
            // `pulumi up` returns only when the container reports healthy: later steps
            // depend on real readiness, not on sleeps.
            wait: true,
            waitTimeout: 300,
            restart: "unless-stopped",
            volumes,
            shmSize: spec.sharedMemoryMb,
            logDriver: "json-file",
            logOpts: { "max-size": "50m", "max-file": "3" },
        }, opts);
    }

    /**
     * A one-shot container. `attach` makes the provider wait for it to exit, `logs` keeps its
     * output in `containerLogs`, `mustRun: false` accepts a stopped container, so `exitCode`
     * is read back (the provider does not fail on a non-zero exit: callers check it).
     * Every input change replaces the container, i.e. runs the job again; the content hash
     * label makes "what changed" visible in the diff. The exited container stays (its log
     * can be read with `docker logs`) until the next run replaces it.
     */
    runOnce(spec: JobSpec, opts: pulumi.CustomResourceOptions): JobRun {
        const image = this.image(spec.image);
        const envs = Object.entries(spec.env ?? {}).map(([k, v]) => pulumi.interpolate`${k}=${v}`);
        const container = new docker.Container(spec.id, {
            name: `${this.args.namePrefix}-${spec.id}`,
            image: image.imageId,
            hostname: spec.id,
            entrypoints: spec.entrypoint,
            command: spec.command,
            envs,
            uploads: spec.files.map((f) => (f.base64 ? { file: f.path, contentBase64: f.content } : { file: f.path, content: f.content })),
            networksAdvanced: [{ name: this.network.name }],
            labels: [{ label: JOB_HASH_LABEL, value: spec.contentHash }],
            attach: true,
            logs: true,
            mustRun: false,
            restart: "no",
            logDriver: "json-file",
        }, {
            ...opts,
            // The name is fixed, so the old run must go before the new one is created.
            deleteBeforeReplace: true,
            customTimeouts: { create: `${spec.timeoutSeconds}s` },
        });
        return { resource: container, exitCode: container.exitCode, logs: container.containerLogs };
    }
}

/** Docker label holding a job's content hash. */
export const JOB_HASH_LABEL = "canton-ha.job-content-hash";
