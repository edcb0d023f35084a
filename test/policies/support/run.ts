// Runs canton-ha policies on resources in the engine's wire form, as `pulumi preview
// --policy-pack` does: resource policies once per resource (inputs), stack policies once over
// all of them (outputs), each with its own config.
import { resourceArgs, stackArgs, type AnyPolicy, type WireResource } from "../../../policies/lib/engine-shape";
import { policies } from "../../../policies/policies";

export type { WireResource };

export interface Violation {
    policy: string;
    level: string;
    message: string;
    urn?: string;
}

export function policyNamed(name: string): AnyPolicy {
    const p = policies.find((x) => x.name === name);
    if (!p) throw new Error(`no policy '${name}' in the pack (has ${policies.map((x) => x.name).join(", ")})`);
    return p;
}

/** Violations of one policy. */
export async function runPolicy(policy: AnyPolicy, resources: WireResource[], config: object = {}): Promise<Violation[]> {
    const out: Violation[] = [];
    const level = policy.enforcementLevel ?? "advisory";
    const push = (message: string, urn?: string) => out.push({ policy: policy.name, level, message, urn });
    const guarded = async (urn: string | undefined, f: () => unknown) => {
        try {
            await f();
        } catch (e) {
            // The analyzer server turns an unknown value into an advisory "can't run during preview".
            if ((e as Error)?.constructor?.name === "UnknownValueError")
                out.push({ policy: policy.name, level: "advisory", message: `can't run during preview: ${(e as Error).message}`, urn });
            else throw e;
        }
    };
    if ("validateStack" in policy && policy.validateStack) {
        const validate = policy.validateStack;
        await guarded(undefined, () => validate(stackArgs(resources, config), (m, urn) => push(m, urn)));
    }
    if ("validateResource" in policy && policy.validateResource) {
        const validations = Array.isArray(policy.validateResource) ? policy.validateResource : [policy.validateResource];
        for (const r of resources) {
            for (const v of validations) await guarded(r.urn, () => v(resourceArgs(r, config), (m) => push(m, r.urn)));
        }
    }
    return out;
}

/** Violations of the whole pack; `config` maps policy names to their config. */
export async function runPack(resources: WireResource[], config: Record<string, object> = {}): Promise<Violation[]> {
    const all: Violation[] = [];
    for (const p of policies) all.push(...(await runPolicy(p, resources, config[p.name] ?? {})));
    return all;
}

export const mandatory = (vs: Violation[]) => vs.filter((v) => v.level === "mandatory");
export const show = (vs: Violation[]) => vs.map((v) => `[${v.level}] ${v.policy}: ${v.message}`).join("\n");
