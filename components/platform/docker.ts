// The Docker platform: one network, one container per workload, named volumes for data.
// Capabilities map as follows:
// - sensitive files and env entries stay secret (Docker takes uploads and envs as one property
//   each, so one secret makes the whole property secret in the state);
// - the container health check is the workload's startup probe (a TCP connect through the
//   images' bash): `wait: true` then means "started", which is what Docker can tell; routing by
//   readiness (the participant's `/health`) is the proxy's job here, not Docker's;
// - exposure is the project's proxy tier; listeners are published on the host at the same port;
// - disruption budgets do not apply (no voluntary disruptions on one host);
// - files are uploaded root-owned (the provider's tar headers carry no owner) with their mode;
//   a workload whose image runs as a non-root user reads keys through group 0 (`group_add`),
//   so keys are 0440 root:root, never world-readable;
// - writable paths the images may lack get a tmpfs owned by the image's user.
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { logTail, reportsOf } from "../bootstrap/log";
import { exposeThroughProxy } from "./expose";
import type { EnvEntry, ExposeRequest, Exposure, JobRun, JobSpec, Platform, Probe, WorkloadFile, WorkloadHandle, WorkloadRuntime, WorkloadSpec } from "./types";

interface DockerPlatformArgs {
    /** Prefix for container, network and volume names: `canton-ha-<stack>`. */
    namePrefix: string;
    /** Host address listeners are published on; nothing is published when undefined. */
    publishOn?: string;
    /** Credentials for pulls from one registry (the Canton image's); others use the engine's own login. */
    registryAuth?: { address: string; username: string; password: pulumi.Input<string> };
}

/** Docker label holding a job's content hash. */
const JOB_HASH_LABEL = "canton-ha.job-content-hash";

/**
 * The user each runtime's image runs as (the official images' ids, and the stand-in's for
 * Canton: tools/images/apps/setup.sh). `root` images switch users themselves (the Postgres
 * entrypoint copies its key for `postgres` and hands over through gosu).
 */
const IMAGE_USER: Record<WorkloadRuntime, { uid: number; startsAsRoot: boolean }> = {
    canton: { uid: 1000, startsAsRoot: false },
    postgres: { uid: 999, startsAsRoot: true },
    haproxy: { uid: 99, startsAsRoot: false },
    nginx: { uid: 101, startsAsRoot: false },
};

/** Health check timing: probe every 2 s, give a JVM 2 minutes to start. */
const HEALTH = { intervalMs: 2000, timeoutMs: 2000, retries: 3, startPeriodMs: 120_000 };

/**
 * A duration as the provider reads it back: Go's `time.Duration.String()` ("2m0s", not
 * "120s"). The provider stores what the engine reports, so any other spelling of the same
 * duration shows as a diff on every refresh and fails `--expect-no-changes`.
 * Whole milliseconds only, which is all this platform uses.
 */
export function goDuration(ms: number): string {
    if (!Number.isInteger(ms) || ms < 0) throw new Error(`docker durations are whole, non-negative milliseconds; got ${ms}`);
    if (ms === 0) return "0s";
    if (ms < 1000) return `${ms}ms`;
    const h = Math.floor(ms / 3_600_000);
    const m = Math.floor((ms % 3_600_000) / 60_000);
    const secMs = ms % 60_000;
    const millis = secMs % 1000;
    const fraction = millis === 0 ? "" : "." + String(millis).padStart(3, "0").replace(/0+$/, "");
    const sec = `${Math.floor(secMs / 1000)}${fraction}s`;
    if (h > 0) return `${h}h${m}m${sec}`;
    if (m > 0) return `${m}m${sec}`;
    return sec;
}

/** A TCP probe as a container health check: bash's /dev/tcp, which the Canton, Postgres and proxy images have. */
function dockerHealthCheck(probe: Probe): string[] {
    if (probe.kind !== "tcp") throw new Error(`the docker platform checks health by TCP connect; got a ${probe.kind} probe`);
    return ["bash", "-c", `exec 3<>/dev/tcp/127.0.0.1/${probe.port}`];
}

function envs(env: Record<string, EnvEntry> | undefined): pulumi.Output<string>[] {
    return Object.entries(env ?? {}).map(([k, e]) => {
        const entry = pulumi.interpolate`${k}=${e.value}`;
        return e.sensitive ? pulumi.secret(entry) : entry;
    });
}

/**
 * Uploads with their modes. The provider writes them root-owned (its tar headers carry no
 * owner; pulumi-docker 5.2.0's upstream has no upload owner), so for an image that runs as
 * another user the owner's bits are granted to group 0 as well, which the container joins
 * (`groupAdds`): a 0400 key becomes 0440 root:root. Every process Docker starts in the
 * container carries group 0 (`docker exec` too, as any uid); a process that switches users
 * through initgroups (gosu, NGINX workers) does not. Before, keys were 0644: any process.
 */
function uploads(files: WorkloadFile[], readThroughRootGroup: boolean) {
    return files.map((f) => {
        const content = f.sensitive ? pulumi.secret(f.content) : f.content;
        const mode = f.mode ?? 0o444;
        const permissions = `0${(readThroughRootGroup ? mode | ((mode & 0o700) >> 3) : mode).toString(8).padStart(3, "0")}`;
        return f.base64 ? { file: f.path, contentBase64: content, permissions } : { file: f.path, content, permissions };
    });
}

/**
 * A tmpfs for each writable path other than /tmp, owned by the image's user, mode 0700:
 * Docker keeps the image's own writable file system, but a directory the image lacks (NGINX's
 * temp directory) would otherwise be missing, and one made by an upload would be root's.
 * /tmp (mode 1777 in every image) stays the image's: a tmpfs would be noexec, and JVM
 * libraries unpack native code there.
 */
function scratchMounts(writablePaths: string[], runtime: WorkloadRuntime): Record<string, string> | undefined {
    const uid = IMAGE_USER[runtime].uid;
    const paths = writablePaths.filter((p) => p !== "/tmp");
    return paths.length === 0 ? undefined : Object.fromEntries(paths.map((p) => [p, `uid=${uid},gid=${uid},mode=0700`]));
}

export class DockerPlatform implements Platform {
    readonly name = "docker";
    readonly nonRoot = false;
    readonly network: docker.Network;
    private readonly images = new Map<string, docker.RemoteImage>();
    /** A provider that only pulls, logged in to `registryAuth.address`. */
    private readonly pullProvider?: docker.Provider;

    constructor(
        private readonly args: DockerPlatformArgs,
        private readonly parent?: pulumi.Resource,
    ) {
        this.network = new docker.Network(args.namePrefix, { name: args.namePrefix, driver: "bridge" }, { parent });
        if (args.registryAuth) {
            const auth = args.registryAuth;
            this.pullProvider = new docker.Provider(
                "registry-login",
                {
                    registryAuth: [{ address: auth.address, username: auth.username, password: pulumi.secret(auth.password) }],
                },
                { parent },
            );
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
            img = new docker.RemoteImage(
                `image-${ref.replace(/[^a-zA-Z0-9]+/g, "-")}`,
                { name: ref, keepLocally: true },
                {
                    parent: this.parent,
                    provider: viaLogin ? this.pullProvider : undefined,
                },
            );
            this.images.set(ref, img);
        }
        return img;
    }

    deploy(spec: WorkloadSpec, opts: pulumi.CustomResourceOptions): WorkloadHandle {
        const image = this.image(spec.image);
        const volumes = (spec.volumes ?? []).map((v) => {
            const vol = new docker.Volume(
                `${spec.host.id}-${v.name}`,
                { name: `${this.args.namePrefix}-${v.name}` },
                {
                    parent: opts.parent,
                    // Data outlives the stack when the operator asks for it (postgres.retainData).
                    retainOnDelete: v.retainOnDelete,
                    protect: v.protect,
                },
            );
            return { volumeName: vol.name, containerPath: v.mountPath };
        });
        const check = spec.probes.startup ?? spec.probes.readiness ?? spec.probes.liveness;
        if (!check) throw new Error(`workload ${spec.host.id} has no probe`);
        const publishOn = this.args.publishOn;
        const user = IMAGE_USER[spec.runtime];
        const scratch = scratchMounts(spec.writablePaths, spec.runtime);
        const container = new docker.Container(
            spec.host.id,
            {
                name: `${this.args.namePrefix}-${spec.host.id}`,
                image: image.imageId,
                hostname: spec.host.id,
                entrypoints: spec.entrypoint,
                command: spec.command,
                envs: envs(spec.env),
                uploads: uploads(spec.files, !user.startsAsRoot),
                groupAdds: user.startsAsRoot ? undefined : ["0"],
                tmpfs: scratch,
                networksAdvanced: [{ name: this.network.name, aliases: spec.host.dnsNames }],
                ports: publishOn === undefined ? [] : spec.listeners.filter((l) => !l.internal).map((l) => ({ internal: l.port, external: l.port, ip: publishOn })),
                healthcheck: {
                    tests: ["CMD", ...dockerHealthCheck(check)],
                    interval: goDuration(HEALTH.intervalMs),
                    timeout: goDuration(HEALTH.timeoutMs),
                    retries: HEALTH.retries,
                    startPeriod: goDuration(HEALTH.startPeriodMs),
                },
                // `pulumi up` returns only when the container reports healthy: later steps
                // depend on real readiness, not on sleeps.
                wait: true,
                waitTimeout: 300,
                // A crashed replica (its process died, OOM included) comes back under every
                // policy; `docker kill` and `docker stop` are an operator's stops under every
                // policy (dockerd 20.10, measured: docs/docker.md). `unless-stopped` also keeps
                // such a stop across a daemon restart, which `always` would undo.
                restart: "unless-stopped",
                volumes,
                shmSize: spec.sharedMemoryMb,
                labels: spec.labels && Object.entries(spec.labels).map(([label, value]) => ({ label, value })),
                logDriver: "json-file",
                logOpts: { "max-size": "50m", "max-file": "3" },
            },
            opts,
        );
        const ports = new Map(spec.listeners.map((l) => [l.name, l.port]));
        return {
            resource: container,
            address: (listener) => {
                const port = ports.get(listener);
                if (port === undefined) throw new Error(`workload ${spec.host.id} has no listener '${listener}'`);
                return `${spec.host.fqdn}:${port}`;
            },
        };
    }

    /**
     * A one-shot container. `attach` makes the provider wait for it to exit, `logs` keeps its
     * output in `containerLogs`, `mustRun: false` accepts a stopped container, so `exitCode`
     * is read back (the provider does not fail on a non-zero exit: callers check it). The
     * job's result is parsed from its log: its exit code, the tail, and the report lines.
     * Every input change replaces the container, i.e. runs the job again; the content hash
     * label makes "what changed" visible in the diff. The exited container stays (its log
     * can be read with `docker logs`) until the next run replaces it.
     */
    runOnce(spec: JobSpec, opts: pulumi.CustomResourceOptions): JobRun {
        const image = this.image(spec.image);
        const container = new docker.Container(
            spec.id,
            {
                name: `${this.args.namePrefix}-${spec.id}`,
                image: image.imageId,
                hostname: spec.id,
                entrypoints: spec.entrypoint,
                command: spec.command,
                envs: envs(spec.env),
                // Jobs run the Canton image (the console), as its user.
                uploads: uploads(spec.files, true),
                groupAdds: ["0"],
                tmpfs: scratchMounts(spec.writablePaths, "canton"),
                networksAdvanced: [{ name: this.network.name }],
                labels: [{ label: JOB_HASH_LABEL, value: spec.contentHash }],
                attach: true,
                logs: true,
                mustRun: false,
                restart: "no",
                logDriver: "json-file",
            },
            {
                ...opts,
                // The name is fixed, so the old run must go before the new one is created.
                deleteBeforeReplace: true,
                customTimeouts: { create: `${spec.timeoutSeconds}s` },
            },
        );
        const result = pulumi.all([container.exitCode, container.containerLogs]).apply(([exitCode, logs]) => ({
            exitCode,
            logTail: logTail(logs ?? ""),
            reports: reportsOf(logs ?? ""),
        }));
        return { resource: container, result };
    }

    expose(req: ExposeRequest, opts: pulumi.ComponentResourceOptions): Exposure {
        return exposeThroughProxy(this, req, opts);
    }

    disruptionBudget(): void {
        // One host: no voluntary disruptions to budget for.
    }
}
