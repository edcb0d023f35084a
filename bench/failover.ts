/**
 * Failover benchmark of the participant proxy tier (`npm run bench:failover`). NOT a test.
 *
 * Real haproxy 2.6 / nginx 1.22 in front of two stand-in participant replicas (a TEST DOUBLE
 * for Canton, test/standin/README.md) on a real Postgres 15. All proxy configs front the
 * same replica pair and are driven at the same time, so every event hits all of them:
 *   - haproxy (project)    components/lb/haproxy.ts with the config defaults
 *   - nginx (project)      components/lb/nginx.ts with the config defaults
 *   - haproxy (reference)  Canton manual, "High Availability Usage", HAProxy's default check timing
 *   - nginx (reference)    the walkthrough's
 * Scenarios, from a start where replica 1 (NGINX's primary) is active:
 *   A  the active replica is killed (SIGKILL)
 *   B  the active replica steps down (POST /admin/set-passive) and stays alive
 *   C  the active replica is killed and restarted at once; it comes back passive
 * One client per config calls every 20 ms (open loop) with a 1 s deadline. Per run and config:
 * first OK = completion of the first successful call answered by the replica that took over
 * (sent after the event); failed calls sent in the window; completion time of the last failure.
 *
 * Failover is reported as model floor + infrastructure overhead. The replicas run with the
 * stack's rendered takeover settings (canton.replication defaults: passive-check and
 * health-check periods) and the stand-in's Canton-like Ledger API start (5 s, an assumption:
 * test/standin/README.md); only their start-up is shortened (--test-timings, logged as TEST
 * TIMINGS). The floor is when the peer's Ledger API listens after the event (takeover + Ledger
 * API start); the overhead is first OK minus the floor: what the proxy and its checks add.
 *
 * Flags: --runs N (default 5)  --window-ms N (default 30000; docs numbers use 30000)
 *        --scenarios A,B,C     --json <file> (raw results)   --summarize <json> (re-print a table)
 * Loopback only; every loop is bounded in count and time.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { LedgerApiClient, type CallResult } from "../test/support/grpc-client";
import { configSchema } from "../components/config";
import { freePort, sleep, waitFor, type ManagedProcess } from "../test/support/processes";
import { startStandin, type StandinHandle } from "../test/support/standin";
import { CANTON_LIKE_TIMINGS } from "../test/standin/config";
import {
    defaultSettings,
    loopbackSpec,
    render,
    replicaSlots,
    setUpLbEnv,
    startProxy,
    validateConfig,
    writeConfig,
    type LbEnv,
    type ProxyKind,
    type ReplicaSlot,
} from "../test/artifacts/lb-harness";
import { referenceHaproxy, referenceNginx } from "./reference-configs";

type Scenario = "A" | "B" | "C";
const CALL_EVERY_MS = 20;
const DEADLINE_MS = 1000;
/** The stack's defaults, as rendered into every participant's `replication.connection-pool`. */
const REPLICATION = configSchema.parse({ platform: "none" }).canton.replication;
const LEDGER_API_START_MS = CANTON_LIKE_TIMINGS.ledgerApiStartMs;
const TAKEOVER_SETTINGS = `passive-check ${REPLICATION.passiveCheckPeriodMs} ms, health-check ${REPLICATION.healthCheckPeriodMs} ms, Ledger API start ${LEDGER_API_START_MS} ms`;

/** A participant replica as the stack runs it: rendered takeover settings, Canton-like Ledger API start; start-up shortened (TEST TIMINGS). */
function startParticipantReplica(env: LbEnv, slot: ReplicaSlot, generation: number): Promise<StandinHandle> {
    return startStandin(env.group, {
        name: generation === 0 ? slot.id : `${slot.id}.${generation}`,
        role: "participant",
        node: "participant1",
        dbUrl: env.pg.url("participant1"),
        grpcPort: slot.grpcPort,
        healthPort: slot.healthPort,
        certChain: env.participant.servers[slot.id].chain,
        key: env.participant.servers[slot.id].key,
        trust: env.participant.caChain,
        requireClientAuth: true,
        startupMs: 0,
        ledgerApiStartMs: LEDGER_API_START_MS,
        extraArgs: ["--passive-check-ms", String(REPLICATION.passiveCheckPeriodMs), "--health-check-ms", String(REPLICATION.healthCheckPeriodMs)],
    });
}

function arg(name: string, dflt: string): string {
    const i = process.argv.indexOf(`--${name}`);
    return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : dflt;
}
const RUNS = Math.min(50, Math.max(1, Number(arg("runs", "5"))));
const WINDOW_MS = Math.min(120_000, Math.max(2000, Number(arg("window-ms", "30000"))));
const SCENARIOS = arg("scenarios", "A,B,C")
    .split(",")
    .filter((s): s is Scenario => ["A", "B", "C"].includes(s));
const JSON_OUT = arg("json", "");

interface ConfigUnderTest {
    id: string;
    label: string;
    kind: ProxyKind;
    project: boolean;
    port: number;
    client?: LedgerApiClient;
    proc?: ManagedProcess;
}

const CONFIGS: Omit<ConfigUnderTest, "port">[] = [
    { id: "haproxy-project", label: "HAProxy, project defaults", kind: "haproxy", project: true },
    { id: "nginx-project", label: "NGINX, project defaults", kind: "nginx", project: true },
    { id: "haproxy-reference", label: "reference HAProxy (inter 2s, fall 3, rise 2)", kind: "haproxy", project: false },
    { id: "nginx-reference", label: "reference NGINX", kind: "nginx", project: false },
];

interface Call {
    /** ms relative to the event (negative: before it). */
    sent: number;
    done: number;
    r: CallResult;
}

interface RunResult {
    scenario: Scenario;
    run: number;
    config: string;
    firstOkMs: number | null;
    failed: number;
    lastFailureMs: number | null;
    failedBefore: number;
    /** Stand-in: the peer's `active` event after the event. */
    takeoverMs: number | null;
    /** Stand-in: the peer's Ledger API listening after the event (the model floor). */
    floorMs: number | null;
}

async function main(): Promise<void> {
    const summarize = arg("summarize", "");
    if (summarize) {
        // Re-print the table of an earlier --json run without running anything.
        const saved = JSON.parse(fs.readFileSync(summarize, "utf8")) as { results: RunResult[] };
        printSummary(
            saved.results,
            CONFIGS.map((c) => ({ ...c, port: 0 })),
        );
        return;
    }
    const t0 = Date.now();
    console.log(`[bench] failover: runs=${RUNS} window=${WINDOW_MS} ms scenarios=${SCENARIOS.join(",")} (client every ${CALL_EVERY_MS} ms, deadline ${DEADLINE_MS} ms)`);
    const env = await setUpLbEnv("bench");
    // Ctrl-C / kill: stop proxies, replicas and Postgres, remove temp files.
    for (const sig of ["SIGINT", "SIGTERM"] as const) {
        process.once(sig, () => {
            console.log(`[bench] ${sig}: cleaning up`);
            void env.stop().finally(() => process.exit(130));
        });
    }
    const results: RunResult[] = [];
    try {
        const slots = await replicaSlots("participant1", 2);
        const replicas: StandinHandle[] = [];
        let generation = 0;
        for (const s of slots) replicas.push(await startParticipantReplica(env, s, generation));
        // Say so when the replicas run faster than Canton anywhere (here: start-up only).
        for (const l of replicas[0].proc.lines().filter((x) => x.startsWith("TEST TIMINGS"))) console.log(`[bench] stand-in ${l}`);
        console.log(`[bench] takeover settings (rendered defaults): ${TAKEOVER_SETTINGS}`);

        const settings = defaultSettings();
        const configs: ConfigUnderTest[] = CONFIGS.map((c) => ({ ...c, port: 0 }));
        for (const c of configs) {
            c.port = await freePort();
            const dir = path.join(env.dir, c.id);
            const spec = loopbackSpec(env, "participant", slots, { "ledger-api": c.port }, settings, dir);
            const text = c.project ? render(c.kind, spec) : c.kind === "haproxy" ? referenceHaproxy(spec) : referenceNginx(spec);
            const file = writeConfig(c.kind, dir, text);
            await validateConfig(env, c.kind, file);
            c.proc = (await startProxy(env, c.kind, c.id, file, { "ledger-api": c.port })).proc;
            c.client = new LedgerApiClient({
                ...env.participantClient(c.port),
                // Reconnect quickly when a proxy cuts the connection; the proxy is what is measured.
                channelOptions: { "grpc.initial_reconnect_backoff_ms": 100, "grpc.max_reconnect_backoff_ms": 1000 },
            });
        }
        console.log(`[bench] settings (project): ${JSON.stringify(settings)}`);

        const slotOf = (r: StandinHandle) => slots.find((s) => r.name === s.id || r.name.startsWith(`${s.id}.`))!;
        const replicaIdx = (slot: ReplicaSlot) => replicas.findIndex((r) => slotOf(r) === slot);

        /** Replica 1 active, replica 2 passive, both alive, no cooldowns, every config answering from replica 1. */
        async function canonical(): Promise<void> {
            for (const s of slots) {
                const i = replicaIdx(s);
                if (!replicas[i].proc.isRunning()) replicas[i] = await startParticipantReplica(env, s, ++generation);
            }
            const [r1, r2] = slots.map((s) => replicas[replicaIdx(s)]);
            await Promise.all([r1.resume(), r2.resume()]);
            await waitFor("one active replica", async () => [await r1.healthStatus(), await r2.healthStatus()].includes(200), 10_000, 20);
            if ((await r1.healthStatus()) !== 200) {
                // r2 stays out for two passive-check periods, so r1's next attempt wins the lock.
                const cooldownMs = 2 * REPLICATION.passiveCheckPeriodMs + 500;
                await r2.setPassive(cooldownMs);
                await r1.waitHealth(200, cooldownMs + 5000);
                await sleep(cooldownMs + 50);
                await r2.resume();
            }
            for (const c of configs) {
                await waitFor(
                    `${c.id} to answer from ${r1.name} 5 times in a row`,
                    async () => {
                        for (let i = 0; i < 5; i++) {
                            const r = await c.client!.call(DEADLINE_MS);
                            if (!r.ok || r.replica !== r1.name) return false;
                        }
                        return true;
                    },
                    60_000,
                    100,
                );
            }
        }

        async function runOnce(scenario: Scenario, run: number): Promise<void> {
            await canonical();
            const active = replicas[replicaIdx(slots[0])];
            const peer = replicas[replicaIdx(slots[1])];
            const calls = new Map<string, Call[]>(configs.map((c) => [c.id, []]));
            const inflight: Promise<void>[] = [];
            let eventAt = Number.POSITIVE_INFINITY;
            let stop = false;
            const start = performance.now();
            const logMark = new Map(configs.map((c) => [c.id, c.proc?.output().length ?? 0]));
            const timer = setInterval(() => {
                if (stop) return;
                for (const c of configs) {
                    const sentAbs = performance.now();
                    inflight.push(
                        c.client!.call(DEADLINE_MS).then((r) => {
                            calls.get(c.id)!.push({ sent: sentAbs - eventAt, done: performance.now() - eventAt, r });
                        }),
                    );
                }
            }, CALL_EVERY_MS);
            await sleep(1000);
            const eventWall = Date.now();
            eventAt = performance.now();
            if (scenario === "B") {
                await active.setPassive(WINDOW_MS + 5000); // stays out for the whole window
            } else {
                active.proc.kill("SIGKILL");
                if (scenario === "C") {
                    await active.proc.exited;
                    const i = replicaIdx(slots[0]);
                    replicas[i] = await startParticipantReplica(env, slots[0], ++generation);
                }
            }
            await sleep(Math.max(0, WINDOW_MS - (performance.now() - eventAt)));
            stop = true;
            clearInterval(timer);
            await Promise.race([Promise.all(inflight), sleep(DEADLINE_MS + 2000)]);
            const takeoverEv = peer.events().find((e) => e.event === "active" && e.ms >= eventWall);
            const takeoverMs = takeoverEv ? takeoverEv.ms - eventWall : null;
            const listeningEv = peer.events().find((e) => e.event === "ledger-api-listening" && e.ms >= eventWall);
            const floorMs = listeningEv ? listeningEv.ms - eventWall : null;
            if (performance.now() - start > WINDOW_MS + 10_000) console.log("[bench] warning: run overran");
            for (const c of configs) {
                const cs = calls.get(c.id)!.filter((x) => x.sent >= 0 && x.sent < WINDOW_MS);
                const before = calls.get(c.id)!.filter((x) => x.sent < 0 && !x.r.ok).length;
                // Recovery means an answer from the replica that took over: calls sent just after
                // the event may still be answered by the old one before it steps down.
                const firstOk = cs.filter((x) => x.r.ok && x.r.replica === peer.name).sort((a, b) => a.done - b.done)[0];
                const failures = cs.filter((x) => !x.r.ok);
                const last = failures.sort((a, b) => b.done - a.done)[0];
                results.push({
                    scenario,
                    run,
                    config: c.id,
                    firstOkMs: firstOk ? Math.round(firstOk.done) : null,
                    failed: failures.length,
                    lastFailureMs: last ? Math.round(last.done) : null,
                    failedBefore: before,
                    takeoverMs,
                    floorMs,
                });
                const codes = [...new Set(failures.map((f) => f.r.codeName))].join("/");
                console.log(
                    `[bench] ${scenario}#${run} ${c.id.padEnd(18)} firstOK ${fmt(firstOk?.done)}  failed ${String(failures.length).padStart(4)}  last failure ${fmt(last?.done)} ${codes}`,
                );
            }
            console.log(`[bench] ${scenario}#${run} stand-in takeover (peer active) ${takeoverMs ?? "n/a"} ms, Ledger API listening (floor) ${floorMs ?? "n/a"} ms`);
            // HAProxy's server state changes during the run (e.g. "... is DOWN, reason: Layer7 wrong status").
            for (const c of configs.filter((x) => x.kind === "haproxy")) {
                const log = (c.proc?.output() ?? "").slice(logMark.get(c.id) ?? 0);
                for (const line of log.split("\n").filter((l) => / is (UP|DOWN)\b/.test(l) && !l.startsWith("[WARNING]")))
                    console.log(`[bench]   ${c.id}: ${line.trim().slice(0, 160)}`);
            }
        }

        for (let run = 1; run <= RUNS; run++) {
            for (const s of SCENARIOS) await runOnce(s, run);
        }
        for (const c of configs) c.client?.close();
        printSummary(results, configs);
        if (JSON_OUT) fs.writeFileSync(JSON_OUT, JSON.stringify({ runs: RUNS, windowMs: WINDOW_MS, settings, results }, null, 2));
    } finally {
        await env.stop();
        console.log(`[bench] done in ${Math.round((Date.now() - t0) / 1000)} s`);
    }
}

function fmt(ms: number | undefined | null): string {
    if (ms === undefined || ms === null) return "   never";
    return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s`.padStart(8) : `${Math.round(ms)} ms`.padStart(8);
}

function median(xs: number[]): number {
    const s = [...xs].sort((a, b) => a - b);
    return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

function printSummary(results: RunResult[], configs: ConfigUnderTest[]): void {
    const lines: string[] = [];
    lines.push("", `## Failover: ${RUNS} run(s) per scenario, ${WINDOW_MS / 1000} s window, one call every ${CALL_EVERY_MS} ms, ${DEADLINE_MS} ms deadline`, "");
    lines.push(
        "| scenario | config | first OK median / max | failed calls median / max | last failure median / max (a run without failures counts 0) | runs recovered | vs project (first OK, failed, last failure) |",
    );
    lines.push("| --- | --- | --- | --- | --- | --- | --- |");
    const summary = (sc: Scenario, id: string) => {
        const rs = results.filter((r) => r.scenario === sc && r.config === id);
        const ok = rs.map((r) => r.firstOkMs).filter((x): x is number => x !== null);
        // A run with no success at all counts as the whole window.
        const firstOk = rs.map((r) => r.firstOkMs ?? WINDOW_MS);
        const lastF = rs.map((r) => r.lastFailureMs ?? 0);
        return { n: rs.length, recovered: ok.length, firstOk, failed: rs.map((r) => r.failed), lastF, anyFailure: rs.some((r) => r.lastFailureMs !== null) };
    };
    for (const sc of SCENARIOS) {
        for (const c of configs) {
            const s = summary(sc, c.id);
            if (s.n === 0) continue;
            const proj = summary(sc, c.project ? c.id : `${c.kind}-project`);
            const ratio = (a: number, b: number) => (b === 0 ? (a === 0 ? "1×" : "∞") : `${(a / b).toFixed(1)}×`);
            const vs = c.project
                ? "—"
                : [ratio(median(s.firstOk), median(proj.firstOk)), ratio(median(s.failed), median(proj.failed)), ratio(median(s.lastF), median(proj.lastF))].join(", ");
            const firstCell =
                s.recovered === 0 ? "never" : `${fmt(median(s.firstOk)).trim()} / ${fmt(Math.max(...s.firstOk)).trim()}${s.recovered < s.n ? " (never in some runs)" : ""}`;
            const lastCell = s.anyFailure ? `${fmt(median(s.lastF)).trim()} / ${fmt(Math.max(...s.lastF)).trim()}` : "none";
            lines.push(`| ${sc} | ${c.label} | ${firstCell} | ${median(s.failed)} / ${Math.max(...s.failed)} | ${lastCell} | ${s.recovered}/${s.n} | ${vs} |`);
        }
    }
    lines.push("", `Model floor + infrastructure overhead (settings: ${TAKEOVER_SETTINGS}). Floor = the peer's Ledger API listens; overhead = first OK − floor, per run.`, "");
    lines.push("| scenario | config | takeover (lock) median / max | floor median / max | overhead median / max |", "| --- | --- | --- | --- | --- |");
    const mm = (xs: number[]) => (xs.length ? `${fmt(median(xs)).trim()} / ${fmt(Math.max(...xs)).trim()}` : "n/a");
    for (const sc of SCENARIOS) {
        for (const c of configs) {
            const rs = results.filter((r) => r.scenario === sc && r.config === c.id);
            if (rs.length === 0) continue;
            const withFloor = rs.filter((r) => r.floorMs !== null && r.firstOkMs !== null);
            lines.push(
                `| ${sc} | ${c.label} | ${mm(rs.map((r) => r.takeoverMs).filter((x): x is number => x !== null))} | ${mm(withFloor.map((r) => r.floorMs!))} | ${mm(withFloor.map((r) => r.firstOkMs! - r.floorMs!))} |`,
            );
        }
    }
    const goal = (sc: Scenario) => {
        const rs = results.filter((r) => r.scenario === sc && r.config === "haproxy-project" && r.floorMs !== null && r.firstOkMs !== null);
        const over = rs.map((r) => r.firstOkMs! - r.floorMs!);
        // Issue 18: overhead ≤ 1 s through HAProxy. Failed calls of this open-loop client (one every
        // 20 ms, no retries) include every call during the floor, so they are reported, not a goal.
        return `${sc}: overhead median ${over.length ? median(over) : "n/a"} ms, max ${over.length ? Math.max(...over) : "n/a"} ms (goal ≤ 1000)`;
    };
    lines.push("", "Goals for the project default (HAProxy):", ...SCENARIOS.map((sc) => `- ${goal(sc)}`));
    console.log(lines.join("\n"));
}

main().catch((e) => {
    console.error(e);
    process.exitCode = 1;
});
