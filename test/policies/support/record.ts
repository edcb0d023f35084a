// The canton-ha program under Pulumi's mocks, recorded as the engine would describe it to a
// policy pack: every resource's inputs and outputs in wire form (secret markers kept), its
// parent, protect / retainOnDelete, dependencies and property dependencies, plus the stack
// resource with the program's outputs. Each call re-runs the program with fresh modules, so a
// test file can record several stack configs.
import * as pulumi from "@pulumi/pulumi";
import { vi } from "vitest";
import { registered, setUpMocks, valueOf } from "../../support/mocks";
import type { WireResource } from "./run";

interface Captured {
    type: string;
    name: string;
    parent: string;
    custom: boolean;
    protect: boolean;
    retainOnDelete: boolean;
    dependencies: string[];
    propertyDependencies: Record<string, string[]>;
    inputs: Record<string, unknown>;
}

/** Wraps the mock monitor's registerResource to keep what the engine would pass to analyzers. */
function capture(): Map<string, Captured> {
    const byUrn = new Map<string, Captured>();
    const monitor = pulumi.runtime.getMonitor() as any;
    const register = monitor.registerResource.bind(monitor);
    monitor.registerResource = (req: any, callback: (err: unknown, res: any) => void) =>
        register(req, (err: unknown, res: any) => {
            if (res) {
                const propertyDependencies: Record<string, string[]> = {};
                const map = req.getPropertydependenciesMap();
                map?.forEach((v: any, k: string) => (propertyDependencies[k] = v.getUrnsList()));
                byUrn.set(res.getUrn(), {
                    type: req.getType(),
                    name: req.getName(),
                    parent: req.getParent(),
                    custom: req.getCustom() === true,
                    protect: req.getProtect() === true,
                    retainOnDelete: req.getRetainondelete() === true,
                    dependencies: req.getDependenciesList(),
                    propertyDependencies,
                    inputs: req.getObject()?.toJavaScript() ?? {},
                });
            }
            callback(err, res);
        });
    return byUrn;
}

export interface Recorded {
    stack: string;
    resources: WireResource[];
    /** The program module's exports (stack outputs), resolved. */
    program: Record<string, unknown>;
}

/**
 * Runs index.ts for `stack` with raw config entries (as Pulumi hands them over); `secretKeys`
 * are config keys the engine would mark secret (e.g. canton-ha:dbPasswords).
 */
export async function recordProgram(stack: string, config: Record<string, string>, secretKeys: string[] = []): Promise<Recorded> {
    vi.resetModules();
    await setUpMocks(stack, config);
    if (secretKeys.length > 0) pulumi.runtime.setAllConfig(config, secretKeys);
    const captured = capture();
    const program = (await import("../../../index")) as Record<string, unknown>;
    await valueOf(program.caChains as pulumi.Output<unknown>);
    const states = await registered();
    const stackUrn = `urn:pulumi:${stack}::canton-ha::pulumi:pulumi:Stack::canton-ha-${stack}`;
    const resources: WireResource[] = states.map((r) => {
        const c = captured.get(r.urn);
        const state = r.state && typeof r.state.toJavaScript === "function" ? r.state.toJavaScript() : (r.state ?? {});
        return {
            type: r.type,
            name: r.name,
            urn: r.urn,
            inputs: c?.inputs ?? {},
            outputs: state,
            protect: c?.protect,
            retainOnDelete: c?.retainOnDelete,
            parent: c?.parent || stackUrn,
            custom: c?.custom ?? false,
            dependencies: c?.dependencies ?? [],
            propertyDependencies: c?.propertyDependencies ?? {},
        };
    });
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const rpc = require("@pulumi/pulumi/runtime/rpc") as { serializeProperties(label: string, props: Record<string, unknown>): Promise<Record<string, unknown>> };
    const exportsOnly = Object.fromEntries(Object.entries(program).filter(([k, v]) => k !== "default" && k !== "__esModule" && v !== undefined));
    const outputs = await rpc.serializeProperties("stack outputs", exportsOnly);
    resources.unshift({ type: "pulumi:pulumi:Stack", name: `canton-ha-${stack}`, urn: stackUrn, inputs: {}, outputs, custom: false });
    const resolved = Object.fromEntries(await Promise.all(Object.entries(exportsOnly).map(async ([k, v]) => [k, await valueOf(v as pulumi.Output<unknown>)] as const)));
    return { stack, resources, program: resolved };
}

/** A copy of recorded resources to mutate. */
export const cloneResources = (rs: WireResource[]): WireResource[] => JSON.parse(JSON.stringify(rs)) as WireResource[];
