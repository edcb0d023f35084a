// Hand-written resources in the engine's wire form, for per-policy fixtures: Docker containers
// with uploads, Kubernetes objects with the platform's label contract, tls keys and
// certificates, and the stack with outputs. Texts come from the renderers' golden files.
import { readFileSync } from "node:fs";
import path from "node:path";
import type { WireResource } from "./run";

export const STACK = "fixture";
const SIG = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
/** The value a preview sends for what is not known yet. */
export const UNKNOWN_VALUE = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export const secret = (value: unknown) => ({ [SIG]: SECRET_SIG, value });

/** A rendered file of the renderers' golden tests, e.g. `dev/sequencer1.conf`. */
export const golden = (rel: string) => readFileSync(path.join(__dirname, "../../unit/golden", rel), "utf8");

export const urnOf = (type: string, name: string, stack = STACK, parentTypes: string[] = []) => `urn:pulumi:${stack}::canton-ha::${[...parentTypes, type].join("$")}::${name}`;

export interface ResOpts {
    stack?: string;
    protect?: boolean;
    retainOnDelete?: boolean;
    parentTypes?: string[];
    outputs?: Record<string, unknown>;
    propertyDependencies?: Record<string, string[]>;
    custom?: boolean;
}

export function resource(type: string, name: string, inputs: Record<string, unknown>, o: ResOpts = {}): WireResource {
    return {
        type,
        name,
        urn: urnOf(type, name, o.stack, o.parentTypes),
        inputs,
        outputs: o.outputs,
        protect: o.protect,
        retainOnDelete: o.retainOnDelete,
        custom: o.custom ?? !(type.startsWith("canton-ha:") || type === "pulumi:pulumi:Stack"),
        propertyDependencies: o.propertyDependencies,
    };
}

export const stackResource = (outputs: Record<string, unknown>, stack = STACK) => resource("pulumi:pulumi:Stack", `canton-ha-${stack}`, {}, { stack, outputs, custom: false });

// --- Docker --------------------------------------------------------------------------

export interface ContainerOpts {
    files?: Record<string, string | { secret: string }>;
    envs?: Record<string, string | { secret: string }>;
    /** All envs as one secret property, as the Docker platform passes them. */
    secretEnvs?: boolean;
    command?: string[];
    ports?: { internal: number; external?: number; ip?: string }[];
    image?: string;
    aliases?: string[];
    attach?: boolean;
    stack?: string;
}

export function container(host: string, o: ContainerOpts = {}): WireResource {
    const uploads = Object.entries(o.files ?? {}).map(([file, c]) => (typeof c === "string" ? { file, content: c } : { file, content: secret(c.secret) }));
    const envList = Object.entries(o.envs ?? {}).map(([k, v]) => (typeof v === "string" ? `${k}=${v}` : secret(`${k}=${v.secret}`)));
    return resource(
        "docker:index/container:Container",
        host,
        {
            name: `canton-ha-${STACK}-${host}`,
            hostname: host,
            image: o.image ?? `sha256:${host}`,
            command: o.command,
            envs: o.secretEnvs ? secret(envList) : envList,
            uploads,
            ports: (o.ports ?? []).map((p) => ({ internal: p.internal, external: p.external ?? p.internal, ip: p.ip })),
            networksAdvanced: [{ name: `canton-ha-${STACK}`, aliases: o.aliases ?? [host] }],
            ...(o.attach ? { attach: true, mustRun: false } : {}),
        },
        { stack: o.stack },
    );
}

/** A Canton node container with its rendered config (dev goldens: `dev/<host>.conf`). */
export const cantonContainer = (host: string, conf: string, o: ContainerOpts = {}) =>
    container(host, {
        aliases: [`${host}.domain.canton.local`, host],
        ...o,
        files: { "/canton/config/node.conf": conf, ...(o.files ?? {}) },
        envs: o.envs ?? { CANTON_DB_PASSWORD: { secret: "pw" } },
    });

/** The dev topology's Canton containers, from the golden configs. */
export function devCantonContainers(edit: (host: string, conf: string) => string = (_h, c) => c): WireResource[] {
    const hosts = ["sequencer1", "sequencer2", "mediator1", "mediator2", "domain-manager", "participant1-1", "participant1-2", "participant2-1"];
    return hosts.map((h) =>
        cantonContainer(h, edit(h, golden(`dev/${h}.conf`)), { aliases: [`${h}.${h.startsWith("participant") ? h.split("-")[0] : "domain"}.canton.local`, h] }),
    );
}

/** The upload of one container, replaced. */
export function withUpload(rs: WireResource[], host: string, file: string, edit: (text: string) => string): WireResource[] {
    return rs.map((r) => {
        if (r.name !== host || r.type !== "docker:index/container:Container") return r;
        const uploads = (r.inputs.uploads as { file: string; content: unknown }[]).map((u) => (u.file === file ? { ...u, content: edit(String(u.content)) } : u));
        return { ...r, inputs: { ...r.inputs, uploads } };
    });
}

// --- Kubernetes ------------------------------------------------------------------------

export const NS = "canton";
export const INSTANCE = `canton-ha-${STACK}`;

export function labels(component: string, group: string, replica?: string): Record<string, string> {
    return {
        "app.kubernetes.io/part-of": "canton-ha",
        "app.kubernetes.io/managed-by": "pulumi",
        "app.kubernetes.io/instance": INSTANCE,
        "app.kubernetes.io/component": component,
        "app.kubernetes.io/name": group,
        ...(replica ? { "canton-ha.io/replica": replica } : {}),
    };
}

/** A Kubernetes object; `api` is `<group>/<version>/<Kind>` or `v1/<Kind>` for the core group. */
export function k8s(api: string, name: string, body: Record<string, unknown>, extra: { labels?: Record<string, string>; o?: ResOpts } = {}): WireResource {
    const parts = api.split("/");
    const kind = parts.pop()!;
    const version = parts.pop()!;
    const group = parts.join("/") || "core";
    const type = `kubernetes:${group}/${version}:${kind}`;
    return resource(
        type,
        name,
        { apiVersion: group === "core" ? version : `${group}/${version}`, kind, metadata: { name, namespace: NS, labels: extra.labels ?? {} }, ...body },
        extra.o,
    );
}

export const restrictedContainer = (name: string, image: string, extra: Record<string, unknown> = {}) => ({
    name,
    image,
    securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] }, privileged: false, readOnlyRootFilesystem: true },
    resources: { requests: { cpu: "1", memory: "2Gi" }, limits: { memory: "2Gi" } },
    ...extra,
});

export const podSecurity = { runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, seccompProfile: { type: "RuntimeDefault" } };

/** A pod spec that passes the pod-security policies. */
export function podSpec(component: string, group: string, replica: string, image: string, more: Record<string, unknown> = {}, containerExtra: Record<string, unknown> = {}) {
    return {
        securityContext: podSecurity,
        automountServiceAccountToken: false,
        affinity: {
            podAntiAffinity: {
                requiredDuringSchedulingIgnoredDuringExecution: [
                    { labelSelector: { matchLabels: { "app.kubernetes.io/instance": INSTANCE, "app.kubernetes.io/name": group } }, topologyKey: "kubernetes.io/hostname" },
                ],
            },
        },
        containers: [restrictedContainer(component, image, containerExtra)],
        volumes: [{ name: "files", projected: { sources: [{ configMap: { name: `${replica}-files` } }, { secret: { name: `${replica}-secrets` } }] } }],
        ...more,
    };
}

export const CANTON_IMAGE = "registry.canton-ha.test/canton-enterprise:2.9.4";

/** One replica Deployment of the platform's shape (replicas 1, Recreate), with its ConfigMap, Secret and Service. */
export function k8sReplica(component: string, group: string, replica: string, conf: string, o: { image?: string; env?: unknown[] } = {}): WireResource[] {
    const l = labels(component, group, replica);
    return [
        k8s(
            "apps/v1/Deployment",
            replica,
            {
                spec: {
                    replicas: 1,
                    strategy: { type: "Recreate" },
                    selector: { matchLabels: { "app.kubernetes.io/instance": INSTANCE, "canton-ha.io/replica": replica } },
                    template: {
                        metadata: { labels: l },
                        spec: podSpec(
                            component,
                            group,
                            replica,
                            o.image ?? CANTON_IMAGE,
                            {},
                            { env: o.env ?? [{ name: "CANTON_DB_PASSWORD", valueFrom: { secretKeyRef: { name: `${replica}-secrets`, key: "db-password" } } }] },
                        ),
                    },
                },
            },
            { labels: l },
        ),
        k8s("v1/ConfigMap", `${replica}-files`, { data: { "canton_config_node.conf": conf } }, { labels: l }),
        k8s("v1/Secret", `${replica}-secrets`, { stringData: secret({ "db-password": "pw", "canton_tls_server.key": "(key)" }) }, { labels: l }),
        k8s(
            "v1/Service",
            replica,
            {
                spec: {
                    type: "ClusterIP",
                    selector: { "app.kubernetes.io/instance": INSTANCE, "canton-ha.io/replica": replica },
                    ports: [{ name: "admin-api", port: 4602, targetPort: "admin-api" }],
                },
            },
            { labels: l },
        ),
    ];
}

export const pdb = (group: string, minAvailable: number | string = 1) =>
    k8s(
        "policy/v1/PodDisruptionBudget",
        `${group}-pdb`,
        { spec: { minAvailable, selector: { matchLabels: { "app.kubernetes.io/instance": INSTANCE, "app.kubernetes.io/name": group } } } },
        { labels: labels("participant", group) },
    );

export const defaultDeny = () =>
    k8s(
        "networking.k8s.io/v1/NetworkPolicy",
        "default-deny",
        { spec: { podSelector: { matchLabels: { "app.kubernetes.io/instance": INSTANCE } }, policyTypes: ["Ingress", "Egress"] } },
        { labels: labels("participant", "default-deny") },
    );

/** A participant with two replicas on Kubernetes, as the platform lays it out: compliant with every policy. */
export function k8sParticipantPair(): WireResource[] {
    return [
        k8s("v1/Namespace", NS, {}, { labels: labels("participant", "namespace") }),
        ...k8sReplica("participant", "participant1", "participant1-1", golden("dev/participant1-1.conf")),
        ...k8sReplica("participant", "participant1", "participant1-2", golden("dev/participant1-2.conf")),
        pdb("participant1"),
        defaultDeny(),
    ];
}

/** Edits the first resource named `name` (a deep copy). */
export function edit(rs: WireResource[], name: string, type: string | RegExp, f: (inputs: any) => void): WireResource[] {
    const copy = JSON.parse(JSON.stringify(rs)) as WireResource[];
    const r = copy.find((x) => x.name === name && (typeof type === "string" ? x.type === type : type.test(x.type)));
    if (!r) throw new Error(`no ${String(type)} '${name}' in the fixture`);
    f(r.inputs);
    if (r.outputs) f(r.outputs);
    return copy;
}
