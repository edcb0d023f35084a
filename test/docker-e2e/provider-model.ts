// What the Pulumi docker provider (5.2.0, on kreuzwerker/terraform-provider-docker) does with
// the inputs of a `docker.Container`, `docker.Network` and `docker.Volume`, as Engine API
// bodies. Read from internal/provider/resource_docker_container_funcs.go at v4.5.0 (5074970c,
// the upstream commit pulumi-docker pins): `resourceDockerContainerCreate` builds
// container.Config and HostConfig from the fields below, creates the container on the default
// `bridge` network, disconnects it and connects each `networks_advanced` entry with its
// aliases, copies each upload in as its own one-file tar (PUT /containers/{id}/archive at
// "/"), starts it, and with `wait` polls inspect every second until Health is "healthy" or
// `wait_timeout` (default 60 s) passes; with `attach` it waits for the container to stop and
// keeps its logs. Defaults are the schema's (resource_docker_container.go): restart "no",
// start true, must_run true, remove_volumes true, ports ip "0.0.0.0" and protocol "tcp".
// A field the harness does not model fails loudly: the harness never drops an input silently.
export interface Upload {
    file: string;
    content?: string;
    contentBase64?: string;
    source?: string;
    executable?: boolean;
    permissions?: string;
    owner?: string;
    group?: string;
}

/** Fields of `docker.Container` the harness models; anything else is refused. */
const MODELLED = new Set([
    "name",
    "image",
    "hostname",
    "entrypoints",
    "command",
    "envs",
    "uploads",
    "networksAdvanced",
    "ports",
    "healthcheck",
    "wait",
    "waitTimeout",
    "restart",
    "maxRetryCount",
    "volumes",
    "mounts",
    "tmpfs",
    "shmSize",
    "labels",
    "logDriver",
    "logOpts",
    "attach",
    "logs",
    "mustRun",
    "user",
    "groupAdds",
    "readOnly",
    "capabilities",
    "securityOpts",
    "init",
    "stopSignal",
    "stopTimeout",
    "workingDir",
    "destroyGraceSeconds",
    "removeVolumes",
    "start",
    // outputs the mocks echo back (not inputs): ignored
    "exitCode",
    "containerLogs",
]);

const GO_UNITS: Record<string, number> = { ns: 1, us: 1e3, µs: 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };

/**
 * Go's time.ParseDuration, in nanoseconds. The provider ignores its error (`d, _ :=`), so a
 * malformed value silently becomes 0 (Docker's default); the harness refuses it instead.
 */
export function parseGoDuration(text: string, field: string): number {
    if (text === "0") return 0;
    const re = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/gy;
    let total = 0;
    let m: RegExpExecArray | null;
    let at = 0;
    while ((m = re.exec(text))) {
        total += Number(m[1]) * GO_UNITS[m[2]];
        at = re.lastIndex;
    }
    if (at !== text.length || text.length === 0) throw new Error(`${field}: '${text}' is not a Go duration (the provider would silently use 0)`);
    return Math.round(total);
}

/** The uid/gid an upload's owner or group names. */
function numericId(v: string | undefined, field: string): number | undefined {
    if (v === undefined || v === "") return undefined;
    if (/^\d+$/.test(v)) return Number(v);
    // The provider resolves names in the database of the machine running Pulumi, not the image's.
    throw new Error(`${field}: '${v}' is a name; the provider looks names up on the Pulumi host, not in the image: use a numeric id`);
}

export interface UploadFile {
    path: string;
    content: Buffer;
    mode: number;
    uid?: number;
    gid?: number;
}

/** An upload as the provider archives it: exactly one content source, then the mode rule. */
export function uploadFile(u: Upload, container: string): UploadFile {
    const where = `${container}: upload ${u.file}`;
    const set = [u.content, u.contentBase64, u.source].filter((v) => v !== undefined && v !== "");
    if (set.length === 0) throw new Error(`${where}: error with upload content: one of 'content', 'content_base64', or 'source' must be set`);
    if (set.length > 1) throw new Error(`${where}: error with upload content: only one of 'content', 'content_base64', or 'source' can be set`);
    if (u.source) throw new Error(`${where}: 'source' reads a file on the Pulumi host; the program does not use it and the harness does not model it`);
    const content = u.content ? Buffer.from(u.content, "utf8") : Buffer.from(u.contentBase64!, "base64");
    let mode = u.executable ? 0o744 : 0o644;
    if (u.permissions) {
        if (!/^[0-7]{1,4}$/.test(u.permissions)) throw new Error(`${where}: Error parsing permission: '${u.permissions}'`);
        mode = parseInt(u.permissions, 8);
    }
    return { path: u.file, content, mode, uid: numericId(u.owner, `${where} owner`), gid: numericId(u.group, `${where} group`) };
}

export interface ContainerPlan {
    name: string;
    /** POST /containers/create body. */
    body: Record<string, unknown>;
    networks: Array<{ name: string; aliases: string[] }>;
    uploads: UploadFile[];
    start: boolean;
    wait: boolean;
    waitTimeoutSeconds: number;
    attach: boolean;
    logs: boolean;
    mustRun: boolean;
    removeVolumes: boolean;
    destroyGraceSeconds: number;
}

const list = <T>(v: T[] | undefined): T[] => v ?? [];

/** The provider's create call for one container's inputs; `image` is the resolved image id. */
export function containerPlan(inputs: Record<string, any>, image: string, publishOnlyOn: string): ContainerPlan {
    const name: string = inputs.name;
    const unknown = Object.keys(inputs).filter((k) => !MODELLED.has(k) && inputs[k] !== undefined);
    if (unknown.length > 0)
        throw new Error(
            `${name}: the harness does not model docker.Container input(s) ${unknown.join(", ")}: add them to test/docker-e2e/provider-model.ts, as the provider maps them`,
        );
    const cmd: string[] | undefined = inputs.command;
    if (cmd?.some((c) => c === "")) throw new Error(`${name}: values for command may not be empty`);

    const exposed: Record<string, object> = {};
    const bindings: Record<string, Array<{ HostIp: string; HostPort: string }>> = {};
    for (const p of list<any>(inputs.ports)) {
        const key = `${p.internal}/${p.protocol ?? "tcp"}`;
        const ip = p.ip ?? "0.0.0.0";
        // The project publishes on loopback only; the harness never opens a port elsewhere.
        if (ip !== publishOnlyOn) throw new Error(`${name}: port ${key} would be published on ${ip}; the harness only publishes on ${publishOnlyOn}`);
        exposed[key] = {};
        (bindings[key] ??= []).push({ HostIp: ip, HostPort: p.external === undefined ? "" : String(p.external) });
    }

    const volumes: Record<string, object> = {};
    const binds: string[] = [];
    for (const v of list<any>(inputs.volumes)) {
        if (!v.containerPath) throw new Error(`${name}: volume entry without container path or source container`);
        if (v.hostPath || v.fromContainer) throw new Error(`${name}: host paths and volumes-from are not modelled (the program uses named volumes)`);
        volumes[v.containerPath] = {};
        if (v.volumeName) binds.push(`${v.volumeName}:${v.containerPath}:${v.readOnly ? "ro" : "rw"}`);
    }

    let healthcheck: Record<string, unknown> | undefined;
    if (inputs.healthcheck) {
        const h = inputs.healthcheck;
        const d = (k: string) => (h[k] === undefined ? 0 : parseGoDuration(h[k], `${name}: healthcheck.${k}`));
        healthcheck = { Test: h.tests, Interval: d("interval"), Timeout: d("timeout"), StartPeriod: d("startPeriod"), StartInterval: d("startInterval"), Retries: h.retries ?? 0 };
    }

    const mounts = list<any>(inputs.mounts).map((m) => {
        if (m.type !== "tmpfs" && m.type !== "volume") throw new Error(`${name}: mount type ${m.type} is not modelled`);
        return {
            Type: m.type,
            Target: m.target,
            Source: m.source ?? "",
            ReadOnly: m.readOnly ?? false,
            ...(m.tmpfsOptions ? { TmpfsOptions: { SizeBytes: m.tmpfsOptions.sizeBytes, Mode: m.tmpfsOptions.mode } } : {}),
        };
    });

    const body: Record<string, unknown> = {
        Image: image,
        Hostname: inputs.hostname ?? "",
        Env: inputs.envs,
        Cmd: cmd,
        Entrypoint: inputs.entrypoints,
        User: inputs.user ?? "",
        WorkingDir: inputs.workingDir ?? "",
        Labels: Object.fromEntries(list<any>(inputs.labels).map((l) => [l.label, l.value])),
        ExposedPorts: Object.keys(exposed).length ? exposed : undefined,
        Volumes: Object.keys(volumes).length ? volumes : undefined,
        Healthcheck: healthcheck,
        StopSignal: inputs.stopSignal ?? "",
        StopTimeout: inputs.stopTimeout,
        HostConfig: {
            NetworkMode: "bridge",
            RestartPolicy: { Name: inputs.restart ?? "no", MaximumRetryCount: inputs.maxRetryCount ?? 0 },
            PortBindings: Object.keys(bindings).length ? bindings : undefined,
            Binds: binds.length ? binds : undefined,
            Mounts: mounts,
            Tmpfs: inputs.tmpfs,
            ShmSize: inputs.shmSize === undefined ? undefined : inputs.shmSize * 1024 * 1024,
            LogConfig: { Type: inputs.logDriver ?? "", Config: inputs.logOpts },
            ReadonlyRootfs: inputs.readOnly ?? false,
            GroupAdd: inputs.groupAdds,
            CapAdd: inputs.capabilities?.adds,
            CapDrop: inputs.capabilities?.drops,
            SecurityOpt: inputs.securityOpts,
            Init: inputs.init ?? false,
        },
    };
    return {
        name,
        body,
        networks: list<any>(inputs.networksAdvanced).map((n) => ({ name: n.name, aliases: list<string>(n.aliases) })),
        uploads: list<Upload>(inputs.uploads).map((u) => uploadFile(u, name)),
        start: inputs.start ?? true,
        wait: inputs.wait ?? false,
        waitTimeoutSeconds: inputs.waitTimeout ?? 60,
        attach: inputs.attach ?? false,
        logs: inputs.logs ?? false,
        mustRun: inputs.mustRun ?? true,
        removeVolumes: inputs.removeVolumes ?? true,
        destroyGraceSeconds: inputs.destroyGraceSeconds ?? 0,
    };
}

/** docker.Network: POST /networks/create (resource_docker_network_funcs.go). */
export function networkBody(inputs: Record<string, any>): Record<string, unknown> {
    const extra = Object.keys(inputs).filter((k) => !["name", "driver"].includes(k) && inputs[k] !== undefined);
    if (extra.length) throw new Error(`network ${inputs.name}: input(s) ${extra.join(", ")} are not modelled`);
    return { Name: inputs.name, Driver: inputs.driver ?? "bridge", CheckDuplicate: true };
}

/** docker.Volume: POST /volumes/create (resource_docker_volume.go). */
export function volumeBody(inputs: Record<string, any>): Record<string, unknown> {
    const extra = Object.keys(inputs).filter((k) => !["name", "driver"].includes(k) && inputs[k] !== undefined);
    if (extra.length) throw new Error(`volume ${inputs.name}: input(s) ${extra.join(", ")} are not modelled`);
    return { Name: inputs.name, Driver: inputs.driver ?? "local" };
}
