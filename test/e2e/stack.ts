// One e2e stack: the program in a temporary workspace, `Pulumi.e2e.yaml` adapted to an HA
// mode and proxy kind, a PKI made with openssl (pki.source files) and passwords as secret
// config, pointed at the project's test cluster.
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import * as yaml from "js-yaml";
import { parseConfig } from "../../components/config";
import { buildPlan } from "../../components/plan/build";
import type { Plan } from "../../components/plan/types";
import { makeProgramWorkspace, requireEngineBinaries, type Workspace } from "../engine/engine";
import { makeFilesPki, type FilesPki } from "../support/pki-files";
import { KUBECONFIG, requireCluster } from "./cluster";

export const STEP = 900_000;

export interface E2eStack {
    ws: Workspace;
    stack: string;
    namespace: string;
    instance: string;
    plan: Plan;
    files: FilesPki;
    passwords: string[];
    config: Record<string, any>;
    /** server id -> user -> password, as set in the stack. */
    dbPasswords: Record<string, Record<string, string>>;
    /**
     * Sets `canton-ha:dbPasswords` as one secret value. (Entry by entry with `--path` works with
     * the main CLI, but the policy CLI 3.170 reports only top-level secret keys to the program.)
     */
    setPasswords(): Promise<void>;
    /** Writes the stack file from `config`. */
    write(): void;
    up(extra?: string[]): Promise<string>;
    outputs(): Promise<Record<string, any>>;
}

interface Variant {
    stack: string;
    haMode: "clientside" | "loadbalancer";
    proxy?: "haproxy" | "nginx";
    /** Changes to the config before anything is planned (the benchmark's bigger topology). */
    tune?: (config: Record<string, any>) => void;
}

const PROXY_IMAGES = { haproxy: "localhost/canton-ha/haproxy:2.6", nginx: "localhost/canton-ha/nginx:1.22" };

export async function makeE2eStack(v: Variant): Promise<E2eStack> {
    requireCluster();
    requireEngineBinaries(["pulumi", "pulumi-language-nodejs", "pulumi-resource-pulumi-nodejs", "pulumi-resource-kubernetes"]);
    const ws = await makeProgramWorkspace();
    ws.env.KUBECONFIG = KUBECONFIG;
    // The program is type-checked by `tsc` in CI; the engine runs it transpile-only (a standard
    // Pulumi Node.js option), which takes seconds off every up, preview and destroy.
    ws.env.PULUMI_NODEJS_TRANSPILE_ONLY = "true";
    const doc = yaml.load(readFileSync(path.join(__dirname, "..", "..", "Pulumi.e2e.yaml"), "utf8")) as { config: Record<string, any> };
    const config = Object.fromEntries(Object.entries(doc.config).map(([k, val]) => [k.replace(/^canton-ha:/, ""), val]));
    const namespace = `canton-${v.stack}`;
    config.haMode = v.haMode;
    if (v.proxy) config.loadBalancer = { ...config.loadBalancer, kind: v.proxy, image: PROXY_IMAGES[v.proxy] };
    config.pki = { ...config.pki, directory: path.join(ws.programDir, "e2e-pki") };
    config.kubernetes = { ...config.kubernetes, namespace, kubeconfig: KUBECONFIG };
    v.tune?.(config);
    const raw = (c: Record<string, any>) => Object.fromEntries(Object.entries(c).map(([k, val]) => [`canton-ha:${k}`, typeof val === "string" ? val : JSON.stringify(val)]));
    const plan = buildPlan(parseConfig(raw(config)), v.stack);
    // The files hold one replica more than participant1 runs: the add-a-replica step needs its
    // certificate, and a PKI from the operator holds what is planned next as well.
    const grown = structuredClone(config);
    grown.participants[0].replicas += 1;
    const files = await makeFilesPki(buildPlan(parseConfig(raw(grown)), v.stack), { dir: config.pki.directory });

    const stackFile = path.join(ws.programDir, `Pulumi.${v.stack}.yaml`);
    const s: E2eStack = {
        ws,
        stack: v.stack,
        namespace,
        instance: `canton-ha-${v.stack}`,
        plan,
        files,
        passwords: [],
        config,
        dbPasswords: {},
        async setPasswords() {
            await ws.pulumi(["config", "set", "--secret", "canton-ha:dbPasswords", JSON.stringify(s.dbPasswords), "--stack", v.stack]);
        },
        write() {
            // Keep the secret entries `config set --secret` wrote; replace the rest.
            const current = (yaml.load(readFileSync(stackFile, "utf8")) as { config?: Record<string, unknown> } | undefined)?.config ?? {};
            const secrets = Object.fromEntries(Object.entries(current).filter(([k]) => k === "canton-ha:dbPasswords"));
            const entries = { ...Object.fromEntries(Object.entries(s.config).map(([k, val]) => [`canton-ha:${k}`, val])), ...secrets };
            const head = (yaml.load(readFileSync(stackFile, "utf8")) as Record<string, unknown>) ?? {};
            writeFileSync(stackFile, yaml.dump({ ...head, config: entries }));
        },
        async up(extra = []) {
            const r = await ws.pulumi(["up", "--yes", "--skip-preview", "--non-interactive", "--stack", v.stack, ...extra], { timeoutMs: STEP });
            return r.stdout;
        },
        async outputs() {
            const r = await ws.pulumi(["stack", "output", "--json", "--show-secrets", "--stack", v.stack]);
            return JSON.parse(r.stdout) as Record<string, any>;
        },
    };
    await ws.pulumi(["stack", "init", v.stack, "--non-interactive"]);
    writeFileSync(stackFile, yaml.dump({ config: {} }));
    s.write();
    for (const server of plan.databaseServers) {
        for (const user of [...server.databases.map((d) => d.user), "postgres"]) {
            const pw = `pw${Math.random().toString(36).slice(2, 14)}`;
            s.passwords.push(pw);
            (s.dbPasswords[server.id] ??= {})[user] = pw;
        }
    }
    await s.setPasswords();
    return s;
}
