/**
 * Deploy benchmark on the project's Kubernetes cluster (`npm run bench:deploy`). NOT a test.
 *
 * The real CLI and kubernetes provider, `Pulumi.e2e.yaml` (locally built images; the Canton
 * image is the stand-in node, a TEST DOUBLE, test/standin/README.md). Per topology:
 *   - `pulumi up` from empty until it returns, and until every pod runs with its container started;
 *   - a no-op `pulumi up`;
 *   - participant failover (the active pod deleted; first successful call on the other replica,
 *     polled every 20 ms from this machine through the NodePort), `--runs` times:
 *     through the project's HAProxy (load-balancer mode) and through a Service (client-side mode);
 *   - `pulumi destroy`.
 * Topologies: dev (2 sequencers, participant1 x 2 + participant2 x 1) and big (3 sequencers,
 * 3 participants x 2). Flags: --runs N (default 3), --only dev|big.
 * Needs the cluster up (sudo tools/cluster/up.sh); reaches only its bridge addresses.
 */
import { kubectl, pods, waitFor } from "../test/e2e/cluster";
import { makeE2eStack, type E2eStack } from "../test/e2e/stack";
import { reconnectingCaller, untilOk } from "../test/e2e/traffic";

const args = process.argv.slice(2);
const flag = (name: string) => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 ? args[i + 1] : undefined;
};
const runs = Number(flag("runs") ?? 3);
const only = flag("only");

const big = (c: Record<string, any>) => {
    c.domain = { ...c.domain, sequencers: 3 };
    c.participants = [1, 2, 3].map((i) => ({ name: `participant${i}`, replicas: 2, users: [`user${i}`] }));
};

interface Row {
    topology: string;
    mode: string;
    upMs?: number;
    podsReadyMs?: number;
    noopMs?: number;
    destroyMs?: number;
    failoverMs: number[];
    failedCalls: number[];
}

async function timed(f: () => Promise<unknown>): Promise<number> {
    const t0 = Date.now();
    await f();
    return Date.now() - t0;
}

async function failover(s: E2eStack, outputs: Record<string, any>, row: Row): Promise<void> {
    for (let i = 0; i < runs; i++) {
        const group = () => pods(s.namespace, "app.kubernetes.io/name=participant1");
        const before = await waitFor("an active participant1 replica and a passive one", async () => {
            const ps = await group();
            const active = ps.find((p) => p.ready && !p.deleting);
            return active && ps.some((p) => p !== active && p.started && !p.deleting) ? active : undefined;
        });
        const client = await reconnectingCaller(s, outputs, "participant1", "user1" in (outputs.tokens.participant1 ?? {}) ? "user1" : "alice");
        await kubectl(["delete", "pod", before.name, "-n", s.namespace, "--wait=false"]);
        const r = await untilOk(async () => {
            const c = await client.call(1000);
            return c.ok && c.replica === before.name ? { ...c, ok: false } : c;
        }, 60_000);
        client.close();
        row.failoverMs.push(r.ms);
        row.failedCalls.push(r.failed);
        console.log(`[bench] ${row.topology}/${row.mode}: failover ${i + 1}: first success after ${r.ms} ms, ${r.failed} failed calls`);
    }
}

async function measure(topology: string, mode: "loadbalancer" | "clientside", tune?: (c: Record<string, any>) => void, withFailover = true): Promise<Row> {
    const stack = `bench-${topology}-${mode === "loadbalancer" ? "lb" : "cs"}`;
    const s = await makeE2eStack({ stack, haMode: mode, proxy: mode === "loadbalancer" ? "haproxy" : undefined, tune });
    s.config.postgres = { ...s.config.postgres, retainData: false };
    s.write();
    const row: Row = { topology, mode, failoverMs: [], failedCalls: [] };
    try {
        const t0 = Date.now();
        await s.up();
        row.upMs = Date.now() - t0;
        await waitFor("every pod running and started", async () => ((await pods(s.namespace)).every((p) => p.phase === "Running" && p.started) ? true : undefined), 300_000);
        row.podsReadyMs = Date.now() - t0;
        row.noopMs = await timed(() => s.up(["--expect-no-changes"]));
        if (withFailover) await failover(s, await s.outputs(), row);
        row.destroyMs = await timed(() => s.ws.pulumi(["destroy", "--yes", "--skip-preview", "--non-interactive", "--stack", stack], { timeoutMs: 900_000 }));
    } finally {
        await kubectl(["delete", "namespace", s.namespace, "--ignore-not-found", "--wait=true", "--timeout=180s"]).catch(() => undefined);
        await s.ws.cleanup();
        s.files.remove();
    }
    console.log(`[bench] ${JSON.stringify(row)}`);
    return row;
}

const median = (xs: number[]) => (xs.length === 0 ? "—" : String([...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]));
const max = (xs: number[]) => (xs.length === 0 ? "—" : String(Math.max(...xs)));

async function main(): Promise<void> {
    const rows: Row[] = [];
    if (!only || only === "dev") {
        rows.push(await measure("dev", "loadbalancer"));
        rows.push(await measure("dev", "clientside"));
    }
    if (!only || only === "big") rows.push(await measure("big", "loadbalancer", big));
    const s = (ms?: number) => (ms === undefined ? "—" : (ms / 1000).toFixed(1));
    console.log("\n| topology | mode | up (s) | all pods started (s) | no-op up (s) | destroy (s) | failover first success, median / max (ms) | failed calls, median / max |");
    console.log("| --- | --- | --- | --- | --- | --- | --- | --- |");
    for (const r of rows) {
        const via = r.mode === "loadbalancer" ? "HAProxy" : "Service";
        console.log(
            `| ${r.topology} | ${r.mode} (${via}) | ${s(r.upMs)} | ${s(r.podsReadyMs)} | ${s(r.noopMs)} | ${s(r.destroyMs)} | ${median(r.failoverMs)} / ${max(r.failoverMs)} | ${median(r.failedCalls)} / ${max(r.failedCalls)} |`,
        );
    }
}

main().catch((e) => {
    console.error(e);
    process.exit(1);
});
