/**
 * Support for tests on the real single-node cluster of tools/cluster (issue 13): whether it
 * is up, its kubectl, its scripts, its images. scripts/test.sh starts the cluster before
 * vitest and exports KUBECONFIG, CANTON_HA_CLUSTER=1 and CANTON_HA_KUBECTL.
 *
 * `describeCluster` never skips in CI (CI=true): without the cluster its tests FAIL, saying
 * why. Outside CI (a developer's `npx vitest run`) it skips them with a loud line instead.
 */
import { execFileSync, spawnSync } from "node:child_process";
import * as os from "node:os";
import * as path from "node:path";
import { beforeAll, describe, it } from "vitest";

const REPO = path.resolve(__dirname, "..", "..");
const CLUSTER_DIR = path.join(REPO, "tools", "cluster");
const CACHE = process.env.CANTON_HA_CLUSTER_CACHE ?? path.join(os.homedir(), ".cache", "canton-ha", "cluster");

/** The stack's images as tools/cluster/app-images.sh builds them (tools/cluster/lib.sh). */
export const IMAGES = {
    standin: "localhost/canton-ha/standin-canton:2.9.4",
    postgres: "localhost/canton-ha/postgres:15",
    haproxy: "localhost/canton-ha/haproxy:2.6",
    nginx: "localhost/canton-ha/nginx:1.22",
} as const;

/** The uid (= gid) each image runs as, and what the platform's runAsUser must be. */
export const IMAGE_UIDS = { standin: 1000, postgres: 999, haproxy: 99, nginx: 101 } as const;

export function clusterUp(): boolean {
    return process.env.CANTON_HA_CLUSTER === "1" && !!process.env.KUBECONFIG;
}

const NOT_UP =
    "CLUSTER NOT UP: CANTON_HA_CLUSTER=1 and KUBECONFIG are not set. scripts/test.sh starts the cluster " +
    "(tools/cluster/up.sh; see its output for the reason, e.g. a KERNEL FEATURE MISSING line) and exports them.";

/** A describe block for tests that need the cluster: fails in CI without it, skips loudly elsewhere. */
export function describeCluster(name: string, fn: () => void): void {
    if (clusterUp()) {
        describe(name, fn);
    } else if (process.env.CI === "true" || process.env.CI === "1") {
        describe(name, () => {
            beforeAll(() => {
                throw new Error(NOT_UP);
            });
            it("needs the cluster", () => {
                throw new Error(NOT_UP);
            });
        });
    } else {
        console.warn(`!! ${name}: NOT RUN here (not CI): ${NOT_UP}`);
        describe.skip(name, fn);
    }
}

export function kubectlPath(): string {
    return process.env.CANTON_HA_KUBECTL ?? path.join(CACHE, "bin", "kubectl");
}

/** kubectl against the cluster; throws with its stderr on failure. */
export function kubectl(args: string[], input?: string, timeoutMs = 60_000): string {
    const r = spawnSync(kubectlPath(), args, { input, encoding: "utf8", timeout: timeoutMs, env: process.env });
    if (r.status !== 0) throw new Error(`kubectl ${args.join(" ")} failed (${r.status ?? r.signal}): ${r.stderr || r.stdout || r.error?.message}`);
    return r.stdout;
}

/** kubectl … -o json, parsed. */
export function kubectlJson<T = Record<string, unknown>>(args: string[]): T {
    return JSON.parse(kubectl([...args, "-o", "json"])) as T;
}

/** One of tools/cluster/*.sh; needs root, as the scripts do. Returns status and output, never throws. */
export function clusterScript(script: string, ...args: string[]): { status: number; stdout: string; stderr: string } {
    const r = spawnSync("bash", [path.join(CLUSTER_DIR, script), ...args], { encoding: "utf8", timeout: 120_000 });
    return { status: r.status ?? -1, stdout: r.stdout ?? "", stderr: r.stderr ?? "" };
}

/**
 * Packets the egress drop rule dropped since the cluster started (IPv4 + IPv6): pod traffic
 * that tried to leave the cluster's bridge. The end to end reads it after it ran.
 */
export function dropCounter(): number {
    const out = execFileSync("bash", [path.join(CLUSTER_DIR, "status.sh"), "--drop-counter"], { encoding: "utf8" }).trim();
    if (!/^\d+$/.test(out)) throw new Error(`status.sh --drop-counter printed ${JSON.stringify(out)}`);
    return Number(out);
}

/** The image archives' path (tools/cluster/app-images.sh writes apps.tar there). */
export function imageArchive(name: string): string {
    return path.join(CACHE, "images", `${name}.tar`);
}

/** The cluster's own networks (tools/cluster/lib.sh): node, pods, services, load balancer pool. */
const CLUSTER_NET = /^10\.213\.\d{1,3}\.\d{1,3}$/;

/** HTTP GET of a pod or Service address of the cluster; refuses any other address. */
export function clusterHttpGet(url: string, timeoutMs = 2000): Promise<{ status: number; body: string }> {
    const u = new URL(url);
    if (u.protocol !== "http:" || !CLUSTER_NET.test(u.hostname)) return Promise.reject(new Error(`refusing ${url}: not an address of the cluster (10.213.0.0/16)`));
    return fetch(url, { signal: AbortSignal.timeout(timeoutMs) }).then(async (r) => ({ status: r.status, body: await r.text() }));
}
