// The checked-in stack files (Pulumi.<stack>.yaml), ready to run under mocks: with the test
// registry where images are pulled, a files PKI made with openssl where the stack brings its
// own, and secret database passwords where it takes them from config.
import { readdirSync } from "node:fs";
import path from "node:path";
import { parseConfig } from "../../../components/config";
import { buildPlan } from "../../../components/plan/build";
import { stackFileConfig, TEST_REGISTRY } from "../../support/fixtures";
import { makeFilesPki, type FilesPki } from "../../support/pki-files";

const repoRoot = path.resolve(__dirname, "../../..");

/** The pack config the tests run with: the test registry is the one allowed registry, as an operator lists theirs. */
export const PACK_CONFIG: Record<string, object> = { "image-allowed-registries": { allowedRegistries: [TEST_REGISTRY] } };

/**
 * Stacks that need explicit exceptions in the pack config, and why. Pulumi.e2e.yaml runs on
 * the project's own single-node cluster: its images are built locally (`localhost/...`) and its
 * Services are reached through NodePorts on the cluster's bridge address.
 */
const STACK_PACK_CONFIG: Record<string, Record<string, object>> = {
    e2e: {
        "image-allowed-registries": { allowedRegistries: [TEST_REGISTRY, "localhost"] },
        "k8s-external-services": { allowedServiceTypes: ["ClusterIP", "LoadBalancer", "NodePort"] },
    },
};

/** The pack config a stack is checked with: PACK_CONFIG plus its explicit exceptions. */
export const packConfigFor = (stack: string): Record<string, object> => ({ ...PACK_CONFIG, ...(STACK_PACK_CONFIG[stack] ?? {}) });

/** Every `Pulumi.<stack>.yaml` in the repository: new stacks join the shipped-stack tests by themselves. */
export function shippedStacks(): string[] {
    return readdirSync(repoRoot)
        .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
        .filter((s): s is string => s !== undefined)
        .sort();
}

export interface RunnableStack {
    config: Record<string, string>;
    secretKeys: string[];
    cleanup(): void;
}

export async function runnableStack(stack: string, overrides: Record<string, unknown> = {}): Promise<RunnableStack> {
    const config = { ...stackFileConfig(stack) };
    for (const [k, v] of Object.entries(overrides)) config[`canton-ha:${k}`] = typeof v === "string" ? v : JSON.stringify(v);
    const secretKeys: string[] = [];
    let files: FilesPki | undefined;
    const pki = JSON.parse(config["canton-ha:pki"] ?? "{}") as { source?: string };
    const postgres = JSON.parse(config["canton-ha:postgres"] ?? "{}") as { passwords?: string };
    if (pki.source === "files" || postgres.passwords === "config") {
        const plan = buildPlan(parseConfig(config), stack);
        if (pki.source === "files") {
            files = await makeFilesPki(plan);
            config["canton-ha:pki"] = JSON.stringify({ ...pki, directory: files.dir });
        }
        if (postgres.passwords === "config") {
            const passwords: Record<string, Record<string, string>> = {};
            for (const server of plan.databaseServers) {
                passwords[server.id] = Object.fromEntries(
                    [...server.databases.map((d) => d.user), "postgres"].map((u) => [u, `pw-${server.id}-${u}-${Math.random().toString(36).slice(2, 10)}`]),
                );
            }
            config["canton-ha:dbPasswords"] = JSON.stringify(passwords);
            secretKeys.push("canton-ha:dbPasswords");
        }
    }
    return { config, secretKeys, cleanup: () => files?.remove() };
}
