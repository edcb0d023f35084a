// The plan of a stack as tooling sees it: `Pulumi.<stack>.yaml` read from disk (no Pulumi
// engine, no secrets), validated and planned by the library exactly as `pulumi up` would.
import * as yaml from "js-yaml";
import * as fs from "node:fs";
import * as path from "node:path";
import { CANTON_ENTERPRISE_IMAGE, ConfigError, parseConfig, PROJECT } from "../../components/config";
import { buildPlan } from "../../components/plan/build";
import type { Plan } from "../../components/plan/types";

/**
 * Stands in for `canton.registry` when a stack leaves it to the operator (the checked-in
 * stacks do): the registry names where the image is pulled from and enters no certificate,
 * so the certificates are the same whatever it is. `.invalid` is reserved (RFC 2606).
 */
export const PLACEHOLDER_REGISTRY = "registry-not-needed.invalid";

export interface StackPlan {
    plan: Plan;
    file: string;
    /** What the tooling assumed, to print. */
    notes: string[];
}

const STACK_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

function stacksIn(dir: string): string[] {
    return fs
        .readdirSync(dir)
        .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
        .filter((s): s is string => s !== undefined)
        .sort();
}

/** Raw config entries as Pulumi hands them over: structured values as JSON text. */
function rawEntries(file: string): Record<string, string> {
    let doc: unknown;
    try {
        doc = yaml.load(fs.readFileSync(file, "utf8"));
    } catch (e) {
        throw new Error(`${file} is not valid YAML (${(e as Error).message.split("\n")[0]}); fix the file and run again`);
    }
    const config = (doc as { config?: Record<string, unknown> } | null)?.config ?? {};
    if (typeof config !== "object" || Array.isArray(config)) throw new Error(`${file}: 'config' must be a map of keys such as ${PROJECT}:domain`);
    return Object.fromEntries(Object.entries(config).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]));
}

/** Reads `<projectDir>/Pulumi.<stack>.yaml` and plans it (`--stack` names the stack in errors). */
export function loadStackPlan(stack: string, projectDir: string): StackPlan {
    if (!STACK_NAME.test(stack)) throw new Error(`--stack '${stack}' is not a stack name; pass the name of a Pulumi.<stack>.yaml here, e.g. --stack dev`);
    const file = path.join(projectDir, `Pulumi.${stack}.yaml`);
    if (!fs.existsSync(file)) {
        const stacks = stacksIn(projectDir);
        throw new Error(
            `--stack ${stack}: ${file} does not exist; ${stacks.length > 0 ? `stacks here: ${stacks.join(", ")}` : "no Pulumi.<stack>.yaml here"} (run from the project directory)`,
        );
    }
    const entries = rawEntries(file);
    const notes: string[] = [];
    const cantonKey = `${PROJECT}:canton`;
    let canton: unknown = {};
    try {
        canton = JSON.parse(entries[cantonKey] ?? "{}");
    } catch {
        // not JSON: parseConfig reports the key
    }
    if (typeof canton === "object" && canton !== null && !Array.isArray(canton)) {
        const c = canton as { registry?: unknown; image?: unknown };
        if (c.registry === undefined && (c.image === undefined || c.image === CANTON_ENTERPRISE_IMAGE)) {
            entries[cantonKey] = JSON.stringify({ ...c, registry: PLACEHOLDER_REGISTRY });
            notes.push(`${cantonKey}.registry is not set; planned without it (no certificate depends on the image registry)`);
        }
    }
    try {
        return { plan: buildPlan(parseConfig(entries), stack), file, notes };
    } catch (e) {
        if (e instanceof ConfigError) throw new Error(`${file}: ${e.message}`);
        throw e;
    }
}
