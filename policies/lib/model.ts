// The stack as the canton-ha policies see it, whatever the platform: workloads (Docker
// containers, Kubernetes pod templates), the files they get (uploads, ConfigMaps, Secrets,
// and on the `none` platform the stack output `configs`), the Canton node configs among those
// files, the bootstrap scripts, the proxy configs, and the network names of every host.
import { at, HoconError, isSubstitution, parseHocon } from "./hocon";
import { isText, UNKNOWN, type Path, type Res } from "./props";

export const T = {
    stack: "pulumi:pulumi:Stack",
    container: "docker:index/container:Container",
    volume: "docker:index/volume:Volume",
    remoteImage: "docker:index/remoteImage:RemoteImage",
    privateKey: "tls:index/privateKey:PrivateKey",
    selfSigned: "tls:index/selfSignedCert:SelfSignedCert",
    locallySigned: "tls:index/locallySignedCert:LocallySignedCert",
    certRequest: "tls:index/certRequest:CertRequest",
    randomPassword: "random:index/randomPassword:RandomPassword",
    configMap: "kubernetes:core/v1:ConfigMap",
    secret: "kubernetes:core/v1:Secret",
    service: "kubernetes:core/v1:Service",
    pvc: "kubernetes:core/v1:PersistentVolumeClaim",
    pod: "kubernetes:core/v1:Pod",
    deployment: "kubernetes:apps/v1:Deployment",
    statefulSet: "kubernetes:apps/v1:StatefulSet",
    daemonSet: "kubernetes:apps/v1:DaemonSet",
    replicaSet: "kubernetes:apps/v1:ReplicaSet",
    job: "kubernetes:batch/v1:Job",
    cronJob: "kubernetes:batch/v1:CronJob",
    pdb: "kubernetes:policy/v1:PodDisruptionBudget",
    networkPolicy: "kubernetes:networking.k8s.io/v1:NetworkPolicy",
    jwtToken: "pulumi-nodejs:dynamic/canton-ha:JwtToken",
} as const;

export const LABELS = {
    partOf: "app.kubernetes.io/part-of",
    managedBy: "app.kubernetes.io/managed-by",
    instance: "app.kubernetes.io/instance",
    component: "app.kubernetes.io/component",
    group: "app.kubernetes.io/name",
    replica: "canton-ha.io/replica",
} as const;

/** A short, operator-facing name of a resource: `container 'sequencer1'`, `Deployment 'mediator1'`. */
export function where(res: Res): string {
    return `${kindOf(res.type)} '${res.name}'`;
}

export function kindOf(type: string): string {
    if (type === T.stack) return "stack";
    const last = type.split(":").pop() ?? type;
    if (type.startsWith("kubernetes:")) return last;
    return last
        .replace(/^[A-Z]/, (c) => c.toLowerCase())
        .replace(/([a-z])([A-Z])/g, "$1 $2")
        .toLowerCase();
}

/** A file some workload gets, or the stack hands out. */
export interface FileArtifact {
    /** The path in the workload, the data key, or `configs.<host>` for a stack output. */
    path: string;
    content: string | typeof UNKNOWN;
    /** A Pulumi secret, or held in a Kubernetes Secret. */
    secret: boolean;
    carrier: Res;
    /** Where it is, for messages: `container 'sequencer1' file /canton/config/node.conf`. */
    where: string;
    /** The host id it belongs to, when known (Docker hostname, Kubernetes replica label, output key). */
    hostId?: string;
    /** The property path of the content in the carrier. */
    propPath: Path;
}

export interface EnvVar {
    name: string;
    /** Literal value (Docker `K=V`, Kubernetes `value`), if any. */
    value?: string | typeof UNKNOWN;
    /** Kubernetes `valueFrom`. */
    valueFrom?: Record<string, any>;
    secret: boolean;
    propPath: Path;
}

export interface ContainerSpec {
    name: string;
    image?: string | typeof UNKNOWN;
    command: string[];
    env: EnvVar[];
    raw: Record<string, any>;
    /** Path of this container in its resource's props. */
    propPath: Path;
    init: boolean;
}

export interface Workload {
    platform: "docker" | "kubernetes";
    res: Res;
    /** Host id (Docker hostname; Kubernetes `canton-ha.io/replica` or the object's name). */
    id: string;
    job: boolean;
    labels: Record<string, string>;
    /** Kubernetes: the pod template's labels as given (unknown values included). */
    podTemplateLabels?: unknown;
    namespace?: string;
    /** Network names it answers to. */
    names: string[];
    containers: ContainerSpec[];
    files: FileArtifact[];
    /** Kubernetes: the pod spec and its path in the resource's props. */
    podSpec?: Record<string, any>;
    podSpecPath?: Path;
    /** Kubernetes: spec.replicas of the controller (1 when absent). */
    replicas?: number;
}

export type CantonKind = "sequencer" | "mediator" | "domain-manager" | "participant";
const KIND_KEYS: Record<string, CantonKind> = { sequencers: "sequencer", mediators: "mediator", "domain-managers": "domain-manager", participants: "participant" };

/** A Canton node config: one node of one file. */
export interface CantonNode {
    kind: CantonKind;
    nodeName: string;
    hostId: string;
    config: Record<string, any>;
    /** The whole parsed file (settings outside the node, e.g. canton.monitoring). */
    root: Record<string, any>;
    file: FileArtifact;
    /** `container 'sequencer1' file /canton/config/node.conf, canton.sequencers.sequencer1` */
    where: string;
}

export interface RemoteNode {
    /** `remote-sequencers`, ... */
    section: string;
    name: string;
    config: Record<string, any>;
    file: FileArtifact;
    where: string;
}

export interface ProxyConfig {
    kind: "haproxy" | "nginx";
    file: FileArtifact;
    text: string;
    /** Every `host:port` a backend server line names. */
    backends: { host: string; port: number; line: string }[];
    /** Lines that accept connections (`bind ...`, `listen ...`). */
    listeners: string[];
    /** The host id of the workload running it, if known. */
    hostId?: string;
}

export interface Model {
    stack: string;
    resources: Res[];
    outputs?: Record<string, any>;
    stackRes?: Res;
    workloads: Workload[];
    files: FileArtifact[];
    cantonNodes: CantonNode[];
    remoteNodes: RemoteNode[];
    scripts: FileArtifact[];
    proxies: ProxyConfig[];
    /** Files that look like Canton configs but could not be read. */
    unreadable: { file: FileArtifact; error: string }[];
    /** Network name (FQDN, short name, Service DNS name) -> host id. */
    hostByName: Map<string, string>;
    ofType(type: string): Res[];
}

export function buildModel(resources: Res[]): Model {
    const ofType = (type: string) => resources.filter((r) => r.type === type);
    const stackRes = resources.find((r) => r.type === T.stack);
    const stack = resources[0]?.stack ?? "";
    const workloads = [...ofType(T.container).map(dockerWorkload), ...kubernetesWorkloads(resources)];
    const files: FileArtifact[] = [...workloads.filter((w) => w.platform === "docker").flatMap((w) => w.files), ...kubernetesFiles(resources), ...outputFiles(stackRes)];
    // Kubernetes files belong to the pods that mount them.
    for (const w of workloads.filter((x) => x.platform === "kubernetes")) {
        for (const f of files) {
            if (mounts(w, f.carrier)) {
                w.files.push(f);
                f.hostId ??= w.id;
            }
        }
    }
    const hostByName = new Map<string, string>();
    for (const w of workloads) for (const n of w.names) hostByName.set(n, w.id);
    for (const [name, id] of outputHostNames(stackRes)) if (!hostByName.has(name)) hostByName.set(name, id);
    for (const w of workloads) hostByName.set(w.id, w.id);

    const cantonNodes: CantonNode[] = [];
    const remoteNodes: RemoteNode[] = [];
    const unreadable: Model["unreadable"] = [];
    const scripts: FileArtifact[] = [];
    const proxies: ProxyConfig[] = [];
    for (const f of files) {
        if (!isText(f.content)) continue;
        const text = f.content;
        if (/\.canton$/.test(f.path) || /\bparticipant\.domains\.|\bsequencer_connection\b|\bbootstrap_domain\b/.test(text)) {
            if (!/^\s*canton\s*\{/m.test(text)) scripts.push(f);
        }
        const proxy = proxyConfigOf(f, text);
        if (proxy) {
            proxies.push(proxy);
            continue;
        }
        if (!/(^|\n)\s*canton\s*[{.]/.test(text)) continue;
        let doc: Record<string, unknown>;
        try {
            doc = parseHocon(text);
        } catch (e) {
            unreadable.push({ file: f, error: e instanceof HoconError ? e.message : String(e) });
            continue;
        }
        const canton = at(doc, "canton") as Record<string, any> | undefined;
        if (!canton || typeof canton !== "object") continue;
        for (const [section, kind] of Object.entries(KIND_KEYS)) {
            for (const [nodeName, config] of Object.entries((canton[section] ?? {}) as Record<string, any>)) {
                if (typeof config !== "object" || config === null) continue;
                const hostId = f.hostId ?? nodeName;
                // The stack output `configs` repeats what the workloads already carry (Docker, Kubernetes).
                if (f.carrier === stackRes && cantonNodes.some((n) => n.kind === kind && n.nodeName === nodeName && n.hostId === hostId)) continue;
                cantonNodes.push({ kind, nodeName, hostId, config, root: doc, file: f, where: `${f.where}, canton.${section}.${nodeName}` });
            }
        }
        for (const section of Object.keys(canton).filter((k) => k.startsWith("remote-"))) {
            for (const [name, config] of Object.entries((canton[section] ?? {}) as Record<string, any>)) {
                if (typeof config === "object" && config !== null) remoteNodes.push({ section, name, config, file: f, where: `${f.where}, canton.${section}.${name}` });
            }
        }
    }
    return { stack, resources, outputs: stackRes?.props, stackRes, workloads, files, cantonNodes, remoteNodes, scripts, proxies, unreadable, hostByName, ofType };
}

// --- Docker ---------------------------------------------------------------------------

function dockerWorkload(res: Res): Workload {
    const p = res.props;
    const id = isText(p.hostname) ? p.hostname : res.name;
    const names = [id, ...arr(p.networksAdvanced).flatMap((n: any) => arr(n?.aliases).filter(isText))];
    const files: FileArtifact[] = arr(p.uploads).flatMap((u: any, i: number): FileArtifact[] => {
        if (!u || typeof u !== "object" || !isText(u.file)) return [];
        const base64 = u.content === undefined && u.contentBase64 !== undefined;
        const raw = base64 ? u.contentBase64 : u.content;
        const content = isText(raw) ? (base64 ? Buffer.from(raw, "base64").toString("latin1") : raw) : UNKNOWN;
        const propPath: Path = ["uploads", i, base64 ? "contentBase64" : "content"];
        return [{ path: u.file, content, secret: res.isSecret(propPath), carrier: res, where: `${where(res)} file ${u.file}`, hostId: id, propPath }];
    });
    const env: EnvVar[] = arr(p.envs).flatMap((e: unknown, i: number): EnvVar[] => {
        const propPath: Path = ["envs", i];
        if (!isText(e)) return [{ name: "?", value: UNKNOWN, secret: res.isSecret(propPath), propPath }];
        const eq = e.indexOf("=");
        return [{ name: eq < 0 ? e : e.slice(0, eq), value: eq < 0 ? "" : e.slice(eq + 1), secret: res.isSecret(propPath), propPath }];
    });
    const command = [...arr(p.entrypoints), ...arr(p.command)].filter(isText);
    const labels = Object.fromEntries(
        arr(p.labels)
            .filter((l: any) => isText(l?.label) && isText(l?.value))
            .map((l: any) => [l.label, l.value]),
    );
    const job = p.attach === true || p.mustRun === false || Object.keys(labels).some((k) => k.includes("job"));
    const container: ContainerSpec = { name: id, image: isText(p.image) ? p.image : UNKNOWN, command, env, raw: p, propPath: [], init: false };
    return { platform: "docker", res, id, job, labels, names, containers: [container], files };
}

// --- Kubernetes -----------------------------------------------------------------------

const POD_CONTROLLERS: Record<string, Path> = {
    [T.deployment]: ["spec", "template"],
    [T.statefulSet]: ["spec", "template"],
    [T.daemonSet]: ["spec", "template"],
    [T.replicaSet]: ["spec", "template"],
    [T.job]: ["spec", "template"],
    [T.cronJob]: ["spec", "jobTemplate", "spec", "template"],
};

function get(obj: unknown, path: Path): any {
    let cur: any = obj;
    for (const k of path) {
        if (cur === null || typeof cur !== "object") return undefined;
        cur = cur[k];
    }
    return cur;
}

export function isPodCarrier(type: string): boolean {
    return type === T.pod || type in POD_CONTROLLERS;
}

/** A Kubernetes resource's pod template (metadata + spec) and its path, if it has one. */
export function podTemplateOf(res: Res): { metadata: Record<string, any>; spec: Record<string, any>; path: Path } | undefined {
    const path = res.type === T.pod ? [] : POD_CONTROLLERS[res.type];
    if (!path) return undefined;
    const t = path.length === 0 ? res.props : get(res.props, path);
    if (!t || typeof t !== "object" || typeof t.spec !== "object" || t.spec === null) return undefined;
    return { metadata: (t.metadata ?? {}) as Record<string, any>, spec: t.spec as Record<string, any>, path: [...path, "spec"] };
}

function kubernetesWorkloads(resources: Res[]): Workload[] {
    const out: Workload[] = [];
    for (const res of resources.filter((r) => isPodCarrier(r.type))) {
        const tpl = podTemplateOf(res);
        if (!tpl) continue;
        const labels = stringRecord(tpl.metadata.labels);
        const meta = res.props.metadata ?? {};
        const namespace = isText(meta.namespace) ? meta.namespace : "default";
        const id = labels[LABELS.replica] ?? (isText(meta.name) ? meta.name : res.name);
        const containers = [
            ...arr(tpl.spec.initContainers).map((c: any, i: number) => k8sContainer(res, c, [...tpl.path, "initContainers", i], true)),
            ...arr(tpl.spec.containers).map((c: any, i: number) => k8sContainer(res, c, [...tpl.path, "containers", i], false)),
        ];
        const names = [id];
        if (isText(tpl.spec.hostname)) names.push(tpl.spec.hostname);
        const replicas = typeof res.props.spec?.replicas === "number" ? res.props.spec.replicas : undefined;
        out.push({
            platform: "kubernetes",
            res,
            id,
            job: res.type === T.job || res.type === T.cronJob,
            labels,
            podTemplateLabels: tpl.metadata.labels,
            namespace,
            names,
            containers,
            files: [],
            podSpec: tpl.spec,
            podSpecPath: tpl.path,
            replicas,
        });
    }
    // Services give their pods DNS names: <svc>, <svc>.<ns>, <svc>.<ns>.svc, <svc>.<ns>.svc.cluster.local.
    for (const svc of resources.filter((r) => r.type === T.service)) {
        const sel = stringRecord(svc.props.spec?.selector);
        if (Object.keys(sel).length === 0) continue;
        const meta = svc.props.metadata ?? {};
        const name = isText(meta.name) ? meta.name : svc.name;
        const ns = isText(meta.namespace) ? meta.namespace : "default";
        for (const w of out.filter((x) => x.namespace === ns && matches(sel, x.labels))) {
            w.names.push(name, `${name}.${ns}`, `${name}.${ns}.svc`, `${name}.${ns}.svc.cluster.local`);
            if (isText(w.podSpec?.subdomain) && w.podSpec?.subdomain === name && isText(w.podSpec?.hostname)) {
                w.names.push(`${w.podSpec.hostname}.${name}.${ns}.svc.cluster.local`);
            }
        }
    }
    return out;
}

function k8sContainer(res: Res, c: any, propPath: Path, init: boolean): ContainerSpec {
    const env: EnvVar[] = arr(c?.env).map((e: any, i: number) => ({
        name: isText(e?.name) ? e.name : "?",
        value: e?.value === UNKNOWN ? UNKNOWN : isText(e?.value) ? e.value : undefined,
        valueFrom: e?.valueFrom && typeof e.valueFrom === "object" ? e.valueFrom : undefined,
        secret: res.isSecret([...propPath, "env", i]),
        propPath: [...propPath, "env", i],
    }));
    return {
        name: isText(c?.name) ? c.name : "?",
        image: c?.image === UNKNOWN ? UNKNOWN : isText(c?.image) ? c.image : undefined,
        command: [...arr(c?.command), ...arr(c?.args)].filter(isText),
        env,
        raw: c ?? {},
        propPath,
        init,
    };
}

function kubernetesFiles(resources: Res[]): FileArtifact[] {
    const out: FileArtifact[] = [];
    for (const res of resources.filter((r) => r.type === T.configMap || r.type === T.secret)) {
        const isSecretObj = res.type === T.secret;
        const name = isText(res.props.metadata?.name) ? res.props.metadata.name : res.name;
        const add = (field: string, base64: boolean) => {
            const data = res.props[field];
            if (!data || typeof data !== "object") return;
            for (const [k, v] of Object.entries(data)) {
                const content = isText(v) ? (base64 ? Buffer.from(v, "base64").toString("latin1") : v) : UNKNOWN;
                const propPath: Path = [field, k];
                out.push({
                    path: k,
                    content,
                    secret: isSecretObj || res.isSecret(propPath),
                    carrier: res,
                    where: `${res.type === T.secret ? "Secret" : "ConfigMap"} '${name}' key ${k}`,
                    propPath,
                });
            }
        };
        add("data", isSecretObj);
        add("binaryData", true);
        add("stringData", false);
    }
    return out;
}

/** Whether a pod template mounts (or takes env from) a ConfigMap or Secret. */
function mounts(w: Workload, carrier: Res): boolean {
    if (carrier.type !== T.configMap && carrier.type !== T.secret) return false;
    const name = carrier.props.metadata?.name ?? carrier.name;
    const ns = carrier.props.metadata?.namespace ?? "default";
    if (ns !== w.namespace) return false;
    const key = carrier.type === T.configMap ? "configMap" : "secret";
    const nameOf = (src: any) => (carrier.type === T.configMap ? src?.name : src?.secretName);
    for (const v of arr(w.podSpec?.volumes)) {
        if (v?.[key] && nameOf(v[key]) === name) return true;
        for (const s of arr(v?.projected?.sources)) if (s?.[key]?.name === name) return true;
    }
    return false;
}

// --- The `none` platform: the stack output `configs` ---------------------------------

function outputFiles(stackRes: Res | undefined): FileArtifact[] {
    const configs = stackRes?.props.configs;
    if (!configs || typeof configs !== "object") return [];
    return Object.entries(configs as Record<string, unknown>).map(([hostId, text]) => ({
        path: `configs.${hostId}`,
        content: isText(text) ? text : UNKNOWN,
        secret: stackRes!.isSecret(["configs", hostId]),
        carrier: stackRes!,
        where: `stack output configs.${hostId}`,
        hostId,
        propPath: ["configs", hostId],
    }));
}

/** Host names from the stack output `endpoints` (in-network URLs of every replica). */
function outputHostNames(stackRes: Res | undefined): [string, string][] {
    const ep = stackRes?.props.endpoints;
    if (!ep || typeof ep !== "object") return [];
    const out: [string, string][] = [];
    const add = (url: unknown, id: unknown) => {
        const host = isText(url) ? hostOf(url) : undefined;
        if (host && isText(id)) out.push([host, id]);
    };
    for (const s of arr(ep.sequencers)) add(s?.publicApi?.inNetwork, s?.name);
    for (const m of arr(ep.mediators)) add(m?.adminApi?.inNetwork, m?.replica);
    for (const p of Object.values((ep.participants ?? {}) as Record<string, any>)) for (const r of arr(p?.replicas)) add(r?.ledgerApi?.inNetwork, r?.replica);
    return out;
}

/** The host of `https://host:port/...` or `host:port`. */
export function hostOf(address: string): string | undefined {
    const m = /^(?:[a-z]+:\/\/)?([^/:\s]+)(?::\d+)?/i.exec(address.trim());
    return m?.[1]?.toLowerCase();
}

// --- Proxies --------------------------------------------------------------------------

function proxyConfigOf(f: FileArtifact, text: string): ProxyConfig | undefined {
    const haproxy = /\.cfg$/.test(f.path) || /haproxy/i.test(f.path) ? /^\s*(frontend|backend|listen)\s+\S+/m.test(text) : false;
    const nginx = /nginx|\.conf$/i.test(f.path) && /^\s*(upstream\s+\S+\s*\{|server\s*\{)/m.test(text) && !/^\s*canton\s*\{/m.test(text);
    if (!haproxy && !nginx) return undefined;
    const lines = text.split("\n").map((l) => l.replace(/#.*$/, "").trim());
    const backends: ProxyConfig["backends"] = [];
    const listeners: string[] = [];
    for (const line of lines) {
        if (haproxy) {
            const m = /^server\s+\S+\s+([^\s:]+):(\d+)/.exec(line);
            if (m) backends.push({ host: m[1].toLowerCase(), port: Number(m[2]), line });
            if (/^bind\s/.test(line)) listeners.push(line);
        } else {
            const m = /^server\s+([^\s:;{]+):(\d+)/.exec(line);
            if (m) backends.push({ host: m[1].toLowerCase(), port: Number(m[2]), line });
            if (/^listen\s/.test(line)) listeners.push(line);
        }
    }
    return { kind: haproxy ? "haproxy" : "nginx", file: f, text, backends, listeners, hostId: f.hostId };
}

// --- Canton config helpers -------------------------------------------------------------

/** The database a node's storage points at: `server:port/database`, or undefined. */
export function databaseOf(node: CantonNode): { id: string; properties: Record<string, any>; type?: string } | undefined {
    const storage = node.config.storage;
    if (!storage || typeof storage !== "object") return undefined;
    const props = (at(storage, "config", "properties") ?? {}) as Record<string, any>;
    const url = at(storage, "config", "url");
    if (isText(url)) {
        const m = /^jdbc:postgresql:\/\/([^/:?]+)(?::(\d+))?\/([^?]+)/.exec(url);
        if (m) return { id: `${m[1]}:${m[2] ?? "5432"}/${m[3]}`, properties: props, type: storage.type };
    }
    if (props.serverName !== undefined || props.databaseName !== undefined) {
        return { id: `${props.serverName}:${props.portNumber ?? 5432}/${props.databaseName}`, properties: props, type: storage.type };
    }
    return { id: `(${String(storage.type ?? "unknown")} storage)`, properties: props, type: storage.type };
}

export { isSubstitution };

// --- small helpers ---------------------------------------------------------------------

export function arr(v: unknown): any[] {
    return Array.isArray(v) ? v : [];
}

export function stringRecord(v: unknown): Record<string, string> {
    if (!v || typeof v !== "object") return {};
    return Object.fromEntries(Object.entries(v as Record<string, unknown>).filter(([, x]) => isText(x))) as Record<string, string>;
}

/** Kubernetes equality-based selection: every selector label is on the object. */
export function matches(selector: Record<string, string>, labels: Record<string, string>): boolean {
    const entries = Object.entries(selector);
    return entries.length > 0 && entries.every(([k, v]) => labels[k] === v);
}

/** A LabelSelector (matchLabels + matchExpressions In/NotIn/Exists/DoesNotExist) against labels. */
export function selects(selector: any, labels: Record<string, string>, emptyMatchesAll = false): boolean {
    if (!selector || typeof selector !== "object") return false;
    const ml = stringRecord(selector.matchLabels);
    const exprs = arr(selector.matchExpressions);
    if (Object.keys(ml).length === 0 && exprs.length === 0) return emptyMatchesAll;
    if (!Object.entries(ml).every(([k, v]) => labels[k] === v)) return false;
    return exprs.every((e: any) => {
        const has = Object.prototype.hasOwnProperty.call(labels, e?.key);
        const values = arr(e?.values);
        switch (e?.operator) {
            case "In":
                return has && values.includes(labels[e.key]);
            case "NotIn":
                return !has || !values.includes(labels[e.key]);
            case "Exists":
                return has;
            case "DoesNotExist":
                return !has;
            default:
                return false;
        }
    });
}
