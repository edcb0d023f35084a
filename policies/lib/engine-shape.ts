// The arguments @pulumi/policy's analyzer server (server.js) builds for a policy, made from
// resources in Pulumi's wire form (secret and unknown markers included): the properties go
// through the same protobuf Struct, deserializeProperties and unknown-checking proxy. Tests
// use it to call validateResource / validateStack exactly as a `pulumi preview` would.
import type { PolicyResource, ResourceValidationArgs, ResourceValidationPolicy, StackValidationArgs, StackValidationPolicy } from "@pulumi/policy";

/** Either kind of policy, for callers outside the pack (its @pulumi/policy is the pack's own). */
export type AnyPolicy = ResourceValidationPolicy | StackValidationPolicy;

/** A resource as the engine describes it to an analyzer. */
export interface WireResource {
    type: string;
    name: string;
    urn: string;
    /** Inputs (what `Analyze` gets). */
    inputs: Record<string, unknown>;
    /** Outputs (what `AnalyzeStack` gets); the inputs when absent. */
    outputs?: Record<string, unknown>;
    protect?: boolean;
    /** Not in the analyzer protocol of CLI 3.170; passed on for policies that can use it. */
    retainOnDelete?: boolean;
    parent?: string;
    /** Custom resources have a provider; components and the stack have none. */
    custom: boolean;
    dependencies?: string[];
    propertyDependencies?: Record<string, string[]>;
}

/* eslint-disable @typescript-eslint/no-require-imports */
const { Struct } = require("google-protobuf/google/protobuf/struct_pb") as { Struct: { fromJavaScript(v: unknown): unknown } };
const deserialize = require("@pulumi/policy/deserialize") as { deserializeProperties(s: unknown, proxySecrets: boolean): Record<string, any> };
const proxy = require("@pulumi/policy/proxy") as { unknownCheckingProxy(v: unknown): Record<string, any> };
/* eslint-enable @typescript-eslint/no-require-imports */

/** Struct.fromJavaScript rejects undefined; the engine never sends it either. */
function jsonClean(v: unknown): unknown {
    if (Array.isArray(v)) return v.map(jsonClean);
    if (v !== null && typeof v === "object")
        return Object.fromEntries(
            Object.entries(v)
                .filter(([, x]) => x !== undefined)
                .map(([k, x]) => [k, jsonClean(x)]),
        );
    return v;
}

function propsOf(wire: Record<string, unknown>): Record<string, any> {
    return proxy.unknownCheckingProxy(deserialize.deserializeProperties(Struct.fromJavaScript(jsonClean(wire)), false));
}

function optsOf(r: WireResource) {
    return {
        protect: r.protect === true,
        ignoreChanges: [],
        aliases: [],
        customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
        additionalSecretOutputs: [],
        ...(r.parent ? { parent: r.parent } : {}),
        ...(r.retainOnDelete !== undefined ? { retainOnDelete: r.retainOnDelete } : {}),
    };
}

function providerOf(r: WireResource) {
    if (!r.custom) return undefined;
    const pkg = r.type.split(":")[0];
    return { type: `pulumi:providers:${pkg}`, props: {}, urn: `${r.urn.split("::").slice(0, 2).join("::")}::pulumi:providers:${pkg}::default`, name: "default" };
}

const notApplicable = (reason?: string): never => {
    throw new Error(`not applicable: ${reason ?? ""}`);
};

export function resourceArgs(r: WireResource, config: object = {}): ResourceValidationArgs {
    const props = propsOf(r.inputs);
    return {
        type: r.type,
        name: r.name,
        urn: r.urn,
        props,
        opts: optsOf(r),
        provider: providerOf(r),
        stackTags: new Map(),
        isType: () => false,
        asType: () => undefined,
        getConfig: <T extends object>() => config as T,
        notApplicable,
    } as unknown as ResourceValidationArgs;
}

export function stackArgs(resources: WireResource[], config: object = {}): StackValidationArgs {
    const byUrn = new Map<string, PolicyResource>();
    const built = resources.map((r) => {
        const res = {
            type: r.type,
            name: r.name,
            urn: r.urn,
            props: propsOf(r.outputs ?? r.inputs),
            opts: optsOf(r),
            provider: providerOf(r),
            dependencies: [] as PolicyResource[],
            propertyDependencies: {} as Record<string, PolicyResource[]>,
            isType: () => false,
            asType: () => undefined,
        } as unknown as PolicyResource;
        byUrn.set(r.urn, res);
        return [r, res] as const;
    });
    for (const [r, res] of built) {
        if (r.parent && byUrn.has(r.parent)) (res as { parent?: PolicyResource }).parent = byUrn.get(r.parent);
        res.dependencies = (r.dependencies ?? []).map((d) => byUrn.get(d)).filter((d): d is PolicyResource => d !== undefined);
        for (const [k, urns] of Object.entries(r.propertyDependencies ?? {})) {
            res.propertyDependencies[k] = urns.map((d) => byUrn.get(d)).filter((d): d is PolicyResource => d !== undefined);
        }
    }
    return { resources: built.map(([, res]) => res), getConfig: <T extends object>() => config as T, stackTags: new Map(), notApplicable } as unknown as StackValidationArgs;
}
