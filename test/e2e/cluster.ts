// The project's own test cluster (tools/cluster/), as the e2e tests see it: kubectl against
// its admin kubeconfig, and what the tests read from it. Nothing here targets an address
// other than the cluster's own bridge (10.213.0.0/16) and loopback.
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { homedir } from "node:os";
import path from "node:path";

export const KUBECONFIG = process.env.KUBECONFIG ?? "/var/lib/canton-ha-cluster/pki/admin.kubeconfig";
const CACHE = process.env.CANTON_HA_CLUSTER_CACHE ?? path.join(homedir(), ".cache", "canton-ha", "cluster");
export const KUBECTL = path.join(CACHE, "bin", "kubectl");
/** The node's address on the cluster's bridge: NodePorts answer there. */
export const NODE_ADDRESS = "10.213.0.1";

/** Fails loudly (never skips) when the cluster is not there: CI starts it before the e2e. */
export function requireCluster(): void {
    const missing = [KUBECTL, KUBECONFIG].filter((f) => !existsSync(f));
    if (missing.length > 0)
        throw new Error(
            `the test cluster is not up (missing ${missing.join(", ")}): run \`bash scripts/setup.sh cluster\` and \`sudo tools/cluster/up.sh\` (scripts/test.sh does both)`,
        );
}

export function kubectl(args: string[], input?: string): Promise<string> {
    return new Promise((resolve, reject) => {
        const child = execFile(KUBECTL, ["--kubeconfig", KUBECONFIG, ...args], { maxBuffer: 64 * 1024 * 1024, timeout: 300_000 }, (err, stdout, stderr) => {
            if (err) reject(new Error(`kubectl ${args.join(" ")}: ${err.message}\n${stderr}`));
            else resolve(stdout);
        });
        if (input !== undefined) child.stdin!.end(input);
    });
}

export async function kubectlJson<T = any>(args: string[]): Promise<T> {
    return JSON.parse(await kubectl([...args, "-o", "json"])) as T;
}

export interface PodState {
    name: string;
    labels: Record<string, string>;
    phase: string;
    ready: boolean;
    started: boolean;
    deleting: boolean;
    ip?: string;
}

export async function pods(namespace: string, selector?: string): Promise<PodState[]> {
    const list = await kubectlJson<{ items: any[] }>(["get", "pods", "-n", namespace, ...(selector ? ["-l", selector] : [])]);
    return list.items.map((p) => {
        const c = (p.status.containerStatuses ?? [])[0] ?? {};
        return {
            name: p.metadata.name,
            labels: p.metadata.labels ?? {},
            phase: p.status.phase,
            ready: (p.status.conditions ?? []).some((x: any) => x.type === "Ready" && x.status === "True"),
            started: c.started === true && c.state?.running !== undefined,
            deleting: p.metadata.deletionTimestamp !== undefined,
            ip: p.status.podIP,
        };
    });
}

/** What the e2e asserts of a pod: nodes run with their container started; bootstrap Job pods have finished, successfully. */
export const podState = (p: PodState) => ({ pod: p.name, phase: p.phase, started: p.phase === "Running" ? p.started : undefined });
export const expectedState = (p: PodState) =>
    p.labels["app.kubernetes.io/component"] === "bootstrap" ? { pod: p.name, phase: "Succeeded", started: undefined } : { pod: p.name, phase: "Running", started: true };

/**
 * The pods once each is in its expected state, or as they are after `timeoutMs`: `pulumi up`
 * returns when a standby's pod exists, and its container starts a moment later.
 */
export async function settledPods(namespace: string, timeoutMs = 120_000): Promise<PodState[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        const ps = await pods(namespace);
        const settled = ps.every((p) => JSON.stringify(podState(p)) === JSON.stringify(expectedState(p)));
        if (settled || Date.now() > deadline) return ps;
        await new Promise((r) => setTimeout(r, 1000));
    }
}

/** Polls until `check` returns a value (not undefined), or fails with what it last saw. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 180_000, everyMs = 500): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    let last: unknown;
    for (;;) {
        try {
            const v = await check();
            if (v !== undefined) return v;
        } catch (e) {
            last = e;
        }
        if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ""}`);
        await new Promise((r) => setTimeout(r, everyMs));
    }
}

/** The NodePort of a Service's named port. */
export async function nodePort(namespace: string, service: string, portName: string): Promise<number> {
    const svc = await kubectlJson(["get", "service", service, "-n", namespace]);
    const port = svc.spec.ports.find((p: any) => p.name === portName);
    if (!port?.nodePort) throw new Error(`Service ${service} has no NodePort for '${portName}'`);
    return port.nodePort;
}

/** Every namespaced object of the given instance, over every listable namespaced kind. */
export async function objectsOf(namespace: string, instance: string): Promise<string[]> {
    const kinds = (await kubectl(["api-resources", "--verbs=list", "--namespaced", "-o", "name"])).split("\n").filter((k) => k && !k.startsWith("events"));
    const nsExists = (await kubectl(["get", "namespaces", "-o", "name"])).split("\n").includes(`namespace/${namespace}`);
    if (!nsExists) return [];
    const list = await kubectlJson<{ items: any[] }>(["get", kinds.join(","), "-n", namespace, "--ignore-not-found"]);
    return list.items.filter((o) => o.metadata.labels?.["app.kubernetes.io/instance"] === instance).map((o) => `${o.kind}/${o.metadata.name}`);
}

/** Packets the cluster's egress drop rule has dropped (tools/cluster/status.sh --drop-counter). */
export function dropCounter(): Promise<number> {
    return new Promise((resolve, reject) =>
        execFile("bash", [path.join(__dirname, "..", "..", "tools", "cluster", "status.sh"), "--drop-counter"], (err, stdout) => {
            if (err) return reject(err);
            const m = /(\d+)(\s+packets?)?\s*$/.exec(stdout.trim());
            if (!m) return reject(new Error(`cannot read the drop counter from: ${stdout}`));
            resolve(Number(m[1]));
        }),
    );
}
