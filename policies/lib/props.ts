// What a policy sees of a resource: its properties as plain data, which of them are Pulumi
// secrets, and which are still unknown (a preview before the values exist).
//
// @pulumi/policy unwraps secrets before a policy sees them (policies "interact with raw JSON",
// deserialize.js), so a policy cannot tell an encrypted password from a plain one. The engine
// does send the secret markers. `installSecretTracking` keeps the raw properties next to the
// ones the SDK hands out, so `viewOf` can say which paths are secret; it wraps one internal
// function of @pulumi/policy 1.21 (deserializeProperties) and fails loudly if that is gone.
import type { PolicyResource, ResourceValidationArgs } from "@pulumi/policy";

/** A value that is not known yet (preview). Never a string, so no text check can match it. */
export const UNKNOWN: unique symbol = Symbol.for("canton-ha-policies:unknown");
export type Unknown = typeof UNKNOWN;

/** Pulumi's wire markers (sdk/nodejs/runtime/rpc.ts). */
const SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
const ASSET_SIG = "c44067f5952c0a294b673a41bacd8c17";
const ARCHIVE_SIG = "0def7320c3a5731c473e5ecbe6d01bc7";
const OUTPUT_SIG = "d0e6a833031e9bbcd3f4e8bde6ca49a4";
const UNKNOWN_SENTINEL = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
/** The key @pulumi/policy's proxies answer with their target (proxy.js). */
const PROXY_TARGET = "__getSpecialProxyTarget";

export type Path = (string | number)[];

/** A resource's properties: plain values (secrets revealed, unknowns as UNKNOWN) and where the secrets are. */
export interface PropsView {
    data: Record<string, any>;
    /** True when the value at `path`, or a value that contains it, is a Pulumi secret. */
    isSecret(path: Path): boolean;
    /** Whether secret markers were available at all (false: `isSecret` always answers false). */
    secretsKnown: boolean;
}

const pathKey = (p: Path) => JSON.stringify(p);

/** Converts properties in Pulumi's wire form (markers for secrets, unknowns, assets) into a view. */
export function viewOfWire(wire: Record<string, unknown>): PropsView {
    const secrets = new Set<string>();
    const walk = (v: unknown, path: Path): unknown => {
        if (v === UNKNOWN_SENTINEL) return UNKNOWN;
        if (Array.isArray(v)) return v.map((x, i) => walk(x, [...path, i]));
        if (v !== null && typeof v === "object") {
            const o = v as Record<string, unknown>;
            const sig = o[SIG_KEY];
            if (sig === SECRET_SIG) {
                secrets.add(pathKey(path));
                return walk(o.value, path);
            }
            if (sig === OUTPUT_SIG) {
                if (o.secret === true) secrets.add(pathKey(path));
                return "value" in o ? walk(o.value, path) : UNKNOWN;
            }
            if (sig === ASSET_SIG || sig === ARCHIVE_SIG) return { asset: o.text ?? o.path ?? o.uri };
            const out: Record<string, unknown> = {};
            for (const [k, x] of Object.entries(o)) if (x !== undefined) out[k] = walk(x, [...path, k]);
            return out;
        }
        return v;
    };
    const data = (walk(wire ?? {}, []) ?? {}) as Record<string, any>;
    return {
        data,
        secretsKnown: true,
        isSecret: (path) => {
            for (let i = 0; i <= path.length; i++) if (secrets.has(pathKey(path.slice(0, i)))) return true;
            return false;
        },
    };
}

/** Raw wire properties recorded by the tracking hook, by the object @pulumi/policy deserialized. */
const wireByProps = new WeakMap<object, Record<string, unknown>>();
let installed = false;

/**
 * Keeps the wire form of every property set @pulumi/policy deserializes (its secret markers
 * included). Idempotent. Throws if this @pulumi/policy has no deserializeProperties to wrap:
 * the secret checks would silently pass without it.
 */
export function installSecretTracking(): void {
    if (installed) return;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require("@pulumi/policy/deserialize") as { deserializeProperties?: (s: any, proxySecrets: boolean) => any };
    const original = mod.deserializeProperties;
    if (typeof original !== "function") {
        throw new Error("canton-ha policies: @pulumi/policy has no deserialize.deserializeProperties to wrap (written for 1.21.x); secret checks cannot run");
    }
    mod.deserializeProperties = (struct: any, proxySecrets: boolean) => {
        const props = original(struct, proxySecrets);
        if (props !== null && typeof props === "object" && typeof struct?.toJavaScript === "function") {
            wireByProps.set(targetOf(props), struct.toJavaScript());
        }
        return props;
    };
    installed = true;
}

function targetOf(o: object): object {
    try {
        const t = (o as Record<string, unknown>)[PROXY_TARGET];
        return t !== null && typeof t === "object" ? t : o;
    } catch {
        return o;
    }
}

/**
 * A view of the props @pulumi/policy handed to a policy: from the recorded wire form when the
 * tracking hook saw them, else a plain copy (unknowns caught, no secret information).
 */
export function viewOf(props: Record<string, any>): PropsView {
    const wire = props && typeof props === "object" ? wireByProps.get(targetOf(props)) : undefined;
    if (wire) return viewOfWire(wire);
    return { data: plainCopy(props) as Record<string, any>, secretsKnown: false, isSecret: () => false };
}

/** Copies through @pulumi/policy's unknown-checking proxy: an unknown value becomes UNKNOWN instead of throwing. */
function plainCopy(v: unknown): unknown {
    if (v === null || typeof v !== "object") return v;
    const read = (k: string | number): unknown => {
        try {
            return plainCopy((v as any)[k]);
        } catch {
            return UNKNOWN;
        }
    };
    if (Array.isArray(v)) return Array.from({ length: v.length }, (_, i) => read(i));
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v)) out[k] = read(k);
    return out;
}

/** One resource as the canton-ha policies see it. */
export interface Res {
    type: string;
    name: string;
    urn: string;
    /** The stack name, from the URN. */
    stack: string;
    /** The types of its parents, outermost first (from the URN). */
    parentTypes: string[];
    props: Record<string, any>;
    isSecret(path: Path): boolean;
    secretsKnown: boolean;
    protect: boolean;
    /** Only where the engine passes it (the analyzer protocol of CLI 3.170 does not). */
    retainOnDelete?: boolean;
    /** Custom resources have a provider; components and the stack do not. */
    hasProvider: boolean;
    parent?: Res;
    dependencies: Res[];
    propertyDependencies: Record<string, Res[]>;
}

/** `urn:pulumi:<stack>::<project>::<parent types $ type>::<name>` */
export function parseUrn(urn: string): { stack: string; parentTypes: string[] } {
    const parts = urn.split("::");
    const stack = (parts[0] ?? "").replace(/^urn:pulumi:/, "");
    const types = (parts[2] ?? "").split("$");
    return { stack, parentTypes: types.slice(0, -1) };
}

export function resOfArgs(args: ResourceValidationArgs): Res {
    const view = viewOf(args.props);
    const opts = args.opts as ResourceValidationArgs["opts"] & { retainOnDelete?: boolean };
    return {
        type: args.type,
        name: args.name,
        urn: args.urn,
        ...parseUrn(args.urn),
        props: view.data,
        isSecret: view.isSecret,
        secretsKnown: view.secretsKnown,
        protect: opts?.protect === true,
        retainOnDelete: opts?.retainOnDelete,
        hasProvider: args.provider !== undefined,
        dependencies: [],
        propertyDependencies: {},
    };
}

/** The stack's resources, linked to each other as @pulumi/policy links them. */
export function resOfStack(resources: PolicyResource[]): Res[] {
    const out = new Map<PolicyResource, Res>();
    for (const r of resources) {
        const view = viewOf(r.props);
        const opts = r.opts as PolicyResource["opts"] & { retainOnDelete?: boolean };
        out.set(r, {
            type: r.type,
            name: r.name,
            urn: r.urn,
            ...parseUrn(r.urn),
            props: view.data,
            isSecret: view.isSecret,
            secretsKnown: view.secretsKnown,
            protect: opts?.protect === true,
            retainOnDelete: opts?.retainOnDelete,
            hasProvider: r.provider !== undefined,
            dependencies: [],
            propertyDependencies: {},
        });
    }
    for (const [r, res] of out) {
        if (r.parent) res.parent = out.get(r.parent);
        res.dependencies = (r.dependencies ?? []).map((d) => out.get(d)).filter((d): d is Res => d !== undefined);
        for (const [k, deps] of Object.entries(r.propertyDependencies ?? {})) {
            res.propertyDependencies[k] = deps.map((d) => out.get(d)).filter((d): d is Res => d !== undefined);
        }
    }
    return [...out.values()];
}

/** True for a string that is known. */
export const isText = (v: unknown): v is string => typeof v === "string";
export const isKnown = (v: unknown): boolean => v !== UNKNOWN;

/** The path of the first value that is not known yet, if any. */
export function firstUnknownPath(v: unknown, path: Path = []): Path | undefined {
    if (v === UNKNOWN) return path;
    if (Array.isArray(v)) {
        for (let i = 0; i < v.length; i++) {
            const p = firstUnknownPath(v[i], [...path, i]);
            if (p) return p;
        }
    } else if (v !== null && typeof v === "object") {
        for (const [k, x] of Object.entries(v)) {
            const p = firstUnknownPath(x, [...path, k]);
            if (p) return p;
        }
    }
    return undefined;
}

/**
 * A policy that fails on a value not known yet (a preview) stops with @pulumi/policy's own
 * UnknownValueError, which the analyzer reports as an advisory "can't run during preview";
 * any other failure is a bug and is rethrown as it is.
 */
export function asPreviewGap(e: unknown, resources: Res[]): unknown {
    for (const r of resources) {
        const path = firstUnknownPath(r.props);
        if (path) {
            // eslint-disable-next-line @typescript-eslint/no-require-imports
            const { UnknownValueError, unknownStringValue } = require("@pulumi/policy/proxy") as {
                UnknownValueError: new (sentinel: unknown, props: string[]) => Error;
                unknownStringValue: unknown;
            };
            return new UnknownValueError(unknownStringValue, [r.name, ...path.map(String)]);
        }
    }
    return e;
}
