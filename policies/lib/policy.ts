// How the canton-ha policies are written: each one is a short function over a resource or
// over the stack model, with its thresholds as config (JSON schema with defaults, set by
// operators with `pulumi preview --policy-pack-config <file>`), and one message format:
// what is wrong, where, and how to fix it.
import type { EnforcementLevel, PolicyConfigSchema, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { buildModel, where as whereOf, type Model } from "./model";
import { asPreviewGap, installSecretTracking, resOfArgs, resOfStack, type Res } from "./props";

installSecretTracking();

type JsonSchema = PolicyConfigSchema["properties"][string];
type ConfigSpec<C> = { [K in keyof C]: JsonSchema & { default: C[K]; description: string } };

interface Common<C> {
    name: string;
    description: string;
    enforcementLevel: Exclude<EnforcementLevel, "remediate" | "disabled">;
    /** Thresholds and lists, with defaults. */
    config?: ConfigSpec<C>;
}

export interface ResourceRule<C> extends Common<C> {
    /** Resource types it looks at; others are skipped. */
    types?: readonly string[];
    /** Reports with `report(problem, fix)`; the message names the resource. */
    validate(res: Res, config: C, report: (problem: string, fix: string) => void): void;
}

export interface StackRule<C> extends Common<C> {
    /** Reports with `report(res, problem, fix)`: the violation is attached to `res`, and names it. */
    validate(model: Model, config: C, report: (res: Res | undefined, problem: string, fix: string, where?: string) => void): void;
}

/** `<where>: <problem>. Fix: <fix>` */
export function message(where: string, problem: string, fix: string): string {
    return `${where}: ${problem}. Fix: ${fix}`;
}

function schemaOf<C>(config: ConfigSpec<C> | undefined): PolicyConfigSchema | undefined {
    if (!config) return undefined;
    return { properties: Object.fromEntries(Object.entries(config as Record<string, JsonSchema>)) };
}

function configOf<C>(config: ConfigSpec<C> | undefined, given: object): C {
    const defaults = Object.fromEntries(Object.entries((config ?? {}) as Record<string, { default: unknown }>).map(([k, v]) => [k, v.default]));
    return { ...defaults, ...given } as C;
}

/** Policy metadata for docs and tests. */
export interface RuleInfo {
    name: string;
    description: string;
    enforcementLevel: string;
    scope: "resource" | "stack";
    config: Record<string, { description: string; default: unknown }>;
}
export const ruleInfo: RuleInfo[] = [];

function info<C>(rule: Common<C>, scope: RuleInfo["scope"]): void {
    ruleInfo.push({
        name: rule.name,
        description: rule.description,
        enforcementLevel: rule.enforcementLevel,
        scope,
        config: Object.fromEntries(
            Object.entries((rule.config ?? {}) as Record<string, { description: string; default: unknown }>).map(([k, v]) => [
                k,
                { description: v.description, default: v.default },
            ]),
        ),
    });
}

export function resourcePolicy<C = Record<string, never>>(rule: ResourceRule<C>): ResourceValidationPolicy {
    info(rule, "resource");
    return {
        name: rule.name,
        description: rule.description,
        enforcementLevel: rule.enforcementLevel,
        configSchema: schemaOf(rule.config),
        validateResource: (args, reportViolation) => {
            if (rule.types && !rule.types.includes(args.type)) return;
            const res = resOfArgs(args);
            const where = whereOf(res);
            try {
                rule.validate(res, configOf(rule.config, args.getConfig()), (problem, fix) => reportViolation(message(where, problem, fix)));
            } catch (e) {
                throw asPreviewGap(e, [res]);
            }
        },
    };
}

export function stackPolicy<C = Record<string, never>>(rule: StackRule<C>): StackValidationPolicy {
    info(rule, "stack");
    return {
        name: rule.name,
        description: rule.description,
        enforcementLevel: rule.enforcementLevel,
        configSchema: schemaOf(rule.config),
        validateStack: (args, reportViolation) => {
            const resources = resOfStack(args.resources);
            try {
                const model = buildModel(resources);
                rule.validate(model, configOf(rule.config, args.getConfig()), (res, problem, fix, where) =>
                    reportViolation(message(where ?? (res ? whereOf(res) : `stack '${model.stack}'`), problem, fix), res?.urn),
                );
            } catch (e) {
                throw asPreviewGap(e, resources);
            }
        },
    };
}

/** Config entries used by several policies. */
export const stringList = (description: string, defaults: string[]) => ({ type: "array" as const, items: { type: "string" as const }, default: defaults, description });
export const integer = (description: string, defaults: number, minimum = 0) => ({ type: "integer" as const, minimum, default: defaults, description });
export const bool = (description: string, defaults: boolean) => ({ type: "boolean" as const, default: defaults, description });
export const text = (description: string, defaults: string, values?: string[]) => ({
    type: "string" as const,
    default: defaults,
    description,
    ...(values ? { enum: values } : {}),
});
