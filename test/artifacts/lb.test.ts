/**
 * The proxy tier against real servers: Debian's haproxy 2.6 and nginx 1.22, configs from the
 * production renderers (components/lb), a real Postgres 15, and stand-in replicas (a TEST
 * DOUBLE for Canton). Loopback only. Timing belongs to bench/failover.ts; bounds here are generous.
 */
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callLedgerApi, LedgerApiClient, type CallResult } from "../support/grpc-client";
import { canConnect, freePort, sleep, waitFor } from "../support/processes";
import type { StandinHandle } from "../support/standin";
import {
    defaultSettings,
    loopbackSpec,
    render,
    replicaSlots,
    setUpLbEnv,
    startParticipantReplica,
    startProxy,
    startSequencer,
    validateConfig,
    writeConfig,
    type LbEnv,
    type ProxyKind,
    type ProxyUnderTest,
    type ReplicaSlot,
} from "./lb-harness";

const KINDS: ProxyKind[] = ["haproxy", "nginx"];
/**
 * TEST TIMING (faster than Canton's assumed 5 s; the stand-in logs it): a replica's Ledger API
 * opens 2.5 s after the replica turns active. The gap must outlast HAProxy's connection retries
 * (3 x `timeout connect` 250 ms), or a /health-only check would be masked by them; it also
 * leaves room to call into it on a loaded machine. The participant proxies hold calls for up
 * to 6 s (holdWhileUnavailableMs; default 1 s) so a held call outlasts the gap; everything
 * else is the project's default.
 */
const LEDGER_API_START_MS = 2500;
const HOLD_MS = 6000;
let env: LbEnv;
let pSlots: ReplicaSlot[];
let sSlots: ReplicaSlot[];
let replicas: StandinHandle[];
let sequencers: StandinHandle[];
const participantProxy: Partial<Record<ProxyKind, ProxyUnderTest>> = {};
const sequencerProxy: Partial<Record<ProxyKind, ProxyUnderTest>> = {};

async function activeOf(rs: StandinHandle[]): Promise<{ active: StandinHandle; passive: StandinHandle }> {
    return waitFor(
        "exactly one active replica",
        async () => {
            const st = await Promise.all(rs.map((r) => r.healthStatus()));
            if (st.filter((s) => s === 200).length !== 1 || st.filter((s) => s === 500).length !== rs.length - 1) return undefined;
            const i = st.indexOf(200);
            return { active: rs[i], passive: rs[1 - i] };
        },
        10_000,
        20,
    );
}

/** Calls until one succeeds (bounded), returns it. */
async function firstOk(opts: Parameters<typeof callLedgerApi>[0], what: string, timeoutMs = 10_000): Promise<CallResult> {
    let last: CallResult | undefined;
    return waitFor(
        what,
        async () => {
            last = await callLedgerApi({ ...opts, deadlineMs: 1000 });
            return last.ok ? last : undefined;
        },
        timeoutMs,
        50,
    ).catch((e) => {
        throw new Error(`${(e as Error).message}; last call: ${JSON.stringify(last)}`);
    });
}

beforeAll(async () => {
    env = await setUpLbEnv("lb-test");
    pSlots = await replicaSlots("participant1", 2);
    sSlots = await replicaSlots("sequencer", 2, "");
    // As in the walkthrough: replica 1 first, replica 2 once replica 1 is active. NGINX's
    // primary is replica 1; the tests below start from it being active, not from a race for the lock.
    const first = await startParticipantReplica(env, pSlots[0], 0, 100, { ledgerApiStartMs: LEDGER_API_START_MS });
    await waitFor("replica 1 active", async () => (await first.healthStatus()) === 200, 10_000, 20);
    replicas = [first, await startParticipantReplica(env, pSlots[1], 0, 100, { ledgerApiStartMs: LEDGER_API_START_MS })];
    sequencers = await Promise.all(sSlots.map((s) => startSequencer(env, s)));
    const { active } = await activeOf(replicas);
    expect(active).toBe(first);
    const settings = defaultSettings();
    for (const kind of KINDS) {
        const pDir = path.join(env.dir, `${kind}-participant`);
        const pPorts = { "ledger-api": await freePort(), "admin-api": await freePort() };
        const pCfg = writeConfig(kind, pDir, render(kind, loopbackSpec(env, "participant", pSlots, pPorts, { ...settings, holdWhileUnavailableMs: HOLD_MS }, pDir)));
        const sDir = path.join(env.dir, `${kind}-sequencer`);
        const sPorts = { "public-api": await freePort() };
        const sCfg = writeConfig(kind, sDir, render(kind, loopbackSpec(env, "sequencer", sSlots, sPorts, settings, sDir)));
        participantProxy[kind] = { kind, label: "participant", configPath: pCfg, config: "", ports: pPorts };
        sequencerProxy[kind] = { kind, label: "sequencer", configPath: sCfg, config: "", ports: sPorts };
    }
}, 240_000);

afterAll(async () => {
    await env?.stop();
}, 60_000);

describe.each(KINDS)("%s configs from the production renderer", (kind) => {
    it(`pass ${kind === "haproxy" ? "haproxy -c" : "nginx -t"}`, async () => {
        for (const p of [participantProxy[kind]!, sequencerProxy[kind]!]) {
            const out = await validateConfig(env, kind, p.configPath);
            expect(out).toMatch(kind === "haproxy" ? /Configuration file is valid/ : /test is successful/);
        }
    });

    it("start and listen", async () => {
        participantProxy[kind] = await startProxy(env, kind, "participant", participantProxy[kind]!.configPath, participantProxy[kind]!.ports);
        sequencerProxy[kind] = await startProxy(env, kind, "sequencer", sequencerProxy[kind]!.configPath, sequencerProxy[kind]!.ports);
        expect(participantProxy[kind]!.proc!.isRunning()).toBe(true);
        expect(sequencerProxy[kind]!.proc!.isRunning()).toBe(true);
    });
});

describe.each(KINDS)("participant proxy (%s): mTLS in front, its own client cert behind, active replica only", (kind) => {
    const port = (l = "ledger-api") => participantProxy[kind]!.ports[l];

    it("routes a client with a valid certificate to the active replica, on the ledger and the admin listener", async () => {
        const { active } = await activeOf(replicas);
        for (const l of ["ledger-api", "admin-api"]) {
            const r = await firstOk(env.participantClient(port(l)), `${kind} ${l} through the proxy`);
            expect(r).toMatchObject({ ok: true, code: 0, replica: active.name, version: "2.9.4" });
            // Every following call lands on the active replica too.
            for (let i = 0; i < 5; i++) expect((await callLedgerApi({ ...env.participantClient(port(l)), deadlineMs: 2000 })).replica).toBe(active.name);
        }
    });

    it("rejects a client without a certificate", async () => {
        const { ca } = env.participantClient(port());
        const r = await callLedgerApi({ port: port(), ca, deadlineMs: 3000 });
        expect(r.ok).toBe(false);
        // HAProxy refuses in the handshake (alert 116); NGINX answers, mapped to UNAUTHENTICATED.
        expect(r.codeName).toBe(kind === "haproxy" ? "UNAVAILABLE" : "UNAUTHENTICATED");
        expect(r.replica).toBeUndefined();
    });

    it("rejects a client whose certificate comes from another participant's CA", async () => {
        const r = await callLedgerApi({ port: port(), ca: env.participant.caChain, cert: env.other.clients.alice.chain, key: env.other.clients.alice.key, deadlineMs: 3000 });
        expect(r.ok).toBe(false);
        expect(r.codeName).toBe(kind === "haproxy" ? "UNAVAILABLE" : "UNAUTHENTICATED");
        expect(r.replica).toBeUndefined();
    });

    it("rejects a client that offers TLS 1.2 only", async () => {
        const r = await callLedgerApi({ ...env.participantClient(port()), maxTlsVersion: "TLSv1.2", deadlineMs: 3000 });
        expect(r.ok).toBe(false);
        expect(r.codeName).toBe("UNAVAILABLE");
        expect(r.replica).toBeUndefined();
        // The same client with TLS 1.3 allowed gets through: the rejection is the version.
        expect((await callLedgerApi({ ...env.participantClient(port()), deadlineMs: 3000 })).ok).toBe(true);
    });
});

describe("participant proxy failover (bounds generous; bench/failover.ts measures)", () => {
    it("haproxy follows a replica that steps down (set-passive) to the new active one", async () => {
        const { active, passive } = await activeOf(replicas);
        const c = new LedgerApiClient(env.participantClient(participantProxy.haproxy!.ports["ledger-api"]));
        try {
            expect((await c.call(2000)).replica).toBe(active.name);
            await active.setPassive(3000);
            const r = await waitFor(
                "a call answered by the new active replica",
                async () => {
                    const x = await c.call(1000);
                    return x.ok && x.replica === passive.name ? x : undefined;
                },
                10_000,
                20,
            );
            expect(r.replica).toBe(passive.name);
            // The stepped-down replica is alive and passive; once its check fails it gets no calls.
            expect(await active.healthStatus()).toBe(500);
            await waitFor(
                "the stepped-down replica to leave the pool",
                async () => {
                    for (let i = 0; i < 5; i++) if ((await c.call(1000)).replica !== passive.name) return false;
                    return true;
                },
                5000,
                20,
            );
            for (let i = 0; i < 10; i++) expect(await c.call(2000)).toMatchObject({ ok: true, replica: passive.name });
        } finally {
            c.close();
        }
    });

    it("haproxy sends Ledger API calls to the new active replica only once its Ledger API listens, not when its /health turns 200", async () => {
        const { active, passive } = await activeOf(replicas);
        await Promise.all([active.resume(), passive.resume()]);
        const ledgerPort = (r: StandinHandle) => pSlots.find((s) => r.name.startsWith(s.id))!.grpcPort;
        // A passive replica's Ledger API refuses connections (Canton runs it on the active replica only).
        expect(await canConnect(ledgerPort(passive), "127.0.0.1", 500)).toBe(false);
        await active.setPassive(3000);
        await passive.waitHealth(200, 5000);
        // Active, but its Ledger API is still starting: the gap a /health-only check routes into.
        expect(await canConnect(ledgerPort(passive), "127.0.0.1", 500)).toBe(false);
        const r = await callLedgerApi({ ...env.participantClient(participantProxy.haproxy!.ports["ledger-api"]), deadlineMs: HOLD_MS + 2000 });
        // Held in the proxy until the Ledger API serves (holdWhileUnavailableMs), then answered there.
        expect(r).toMatchObject({ ok: true, replica: passive.name });
        expect(await canConnect(ledgerPort(active), "127.0.0.1", 500)).toBe(false);
        await active.resume();
    });

    it("haproxy holds a call while no replica is active and answers it once one is (holdWhileUnavailableMs)", async () => {
        const { active, passive } = await activeOf(replicas);
        await Promise.all([active.resume(), passive.resume()]);
        // The passive one stays out for 3 s; the active one steps down for 300 ms: nobody is active meanwhile.
        await passive.setPassive(3000);
        await active.setPassive(300);
        await waitFor("haproxy to see no replica up", async () => (await active.healthStatus()) === 500, 2000, 10);
        await sleep(150); // > one check interval: the stepped-down replica is out of the pool
        const r = await callLedgerApi({ ...env.participantClient(participantProxy.haproxy!.ports["ledger-api"]), deadlineMs: HOLD_MS + 2000 });
        // Without the hold this call is a 503 at once; with it, it waits for the replica to come back.
        expect(r).toMatchObject({ ok: true, replica: active.name });
        expect(r.ms).toBeGreaterThan(100);
        await passive.resume();
    });

    /** Makes participant1-1 (NGINX's primary) the active replica and steps it down; returns it. */
    async function stepDownPrimary(): Promise<StandinHandle> {
        const primary = () => replicas.find((r) => r.name === pSlots[0].id)!;
        await Promise.all(replicas.map((r) => r.resume())); // end cooldowns left by earlier tests
        let { active } = await activeOf(replicas);
        if (active !== primary()) {
            await active.setPassive(1500);
            await waitFor("the primary to be active", async () => (await primary().healthStatus()) === 200, 5000, 20);
        }
        ({ active } = await activeOf(replicas));
        expect(active.name).toBe(pSlots[0].id);
        await sleep(1600); // the peer's set-passive cooldown is over
        await active.setPassive(3000);
        await activeOf(replicas);
        return active;
    }

    it("nginx moves Ledger API calls to the backup once the primary steps down: the passive primary refuses connections", async () => {
        await stepDownPrimary();
        const backup = replicas.find((x) => x.name === pSlots[1].id)!;
        const failTimeoutMs = defaultSettings().failTimeoutSeconds * 1000;
        const port = participantProxy.nginx!.ports["ledger-api"];
        const r = await firstOk(env.participantClient(port), "nginx to answer from the backup", 15_000);
        expect(r.replica).toBe(pSlots[1].id);
        // The last refusal a worker can have seen from the backup is just before its Ledger API listened.
        const listening = backup.lastEventMs("ledger-api-listening");
        expect(listening).toBeDefined();
        // Until fail_timeout has passed, an NGINX worker that tried the backup while its Ledger API
        // was still starting (refused) skips it: those calls fail in NGINX itself. None reaches
        // the passive primary, and none is answered by it.
        const calls: CallResult[] = [];
        while (Date.now() < listening! + failTimeoutMs + 1000) {
            calls.push(await callLedgerApi({ ...env.participantClient(port), deadlineMs: 5000 }));
            await sleep(100);
        }
        for (const x of calls) {
            if (x.ok) expect(x.replica).toBe(pSlots[1].id);
            else expect(x.details, JSON.stringify(x)).toMatch(/no backend available/);
        }
        // After it, every call is answered by the backup: the primary, retried once per
        // fail_timeout, refuses and the call moves on (grpc_next_upstream error).
        for (let i = 0; i < 10; i++) {
            const x = await callLedgerApi({ ...env.participantClient(port), deadlineMs: 5000 });
            expect(x, `call ${i}: ${JSON.stringify(x)}`).toMatchObject({ ok: true, replica: pSlots[1].id });
        }
        console.log(`nginx after a step-down: ${calls.filter((x) => !x.ok).length} of ${calls.length} calls failed in the proxy within fail_timeout`);
    }, 30_000);

    it("nginx keeps sending admin API calls to the primary while it runs, passive or not (the documented limit)", async () => {
        // The admin API listens on every replica, so NGINX (no active checks) sees no failure.
        const { passive } = await activeOf(replicas);
        expect(passive.name).toBe(pSlots[0].id); // left passive by the previous test
        const r = await callLedgerApi({ ...env.participantClient(participantProxy.nginx!.ports["admin-api"]), deadlineMs: 2000 });
        expect(r.replica).toBe(pSlots[0].id);
        // HAProxy checks /health on its admin backend too: it answers from the active replica.
        const h = await firstOk(env.participantClient(participantProxy.haproxy!.ports["admin-api"]), "haproxy admin API");
        expect(h.replica).toBe(pSlots[1].id);
    });
});

describe.each(KINDS)("sequencer proxy (%s): TLS without client certs, round-robin", (kind) => {
    const port = () => sequencerProxy[kind]!.ports["public-api"];

    it("reaches both sequencers without a client certificate", async () => {
        await firstOk(env.sequencerClient(port()), `${kind} sequencer proxy`);
        const c = new LedgerApiClient(env.sequencerClient(port()));
        const seen = new Map<string, number>();
        try {
            for (let i = 0; i < 20; i++) {
                const r = await c.call(2000);
                expect(r.ok, JSON.stringify(r)).toBe(true);
                seen.set(r.replica!, (seen.get(r.replica!) ?? 0) + 1);
            }
        } finally {
            c.close();
        }
        expect([...seen.keys()].sort()).toEqual(sequencers.map((s) => s.name).sort());
        for (const n of seen.values()) expect(n).toBeGreaterThanOrEqual(5);
    });

    it("rejects a TLS 1.2-only client", async () => {
        const r = await callLedgerApi({ ...env.sequencerClient(port()), maxTlsVersion: "TLSv1.2", deadlineMs: 3000 });
        expect(r).toMatchObject({ ok: false, codeName: "UNAVAILABLE" });
    });
});

describe("sequencer proxy: one sequencer killed", () => {
    it("both proxies keep answering from the surviving sequencer", async () => {
        const [victim, survivor] = sequencers;
        victim.proc.kill("SIGKILL");
        await victim.proc.exited;
        for (const kind of KINDS) {
            const c = new LedgerApiClient(env.sequencerClient(sequencerProxy[kind]!.ports["public-api"]));
            try {
                const results: CallResult[] = [];
                for (let i = 0; i < 20; i++) results.push(await c.call(2000));
                // Failed connections are retried on the other sequencer: no call fails.
                expect(
                    results.filter((r) => !r.ok),
                    kind,
                ).toEqual([]);
                expect(new Set(results.map((r) => r.replica)), kind).toEqual(new Set([survivor.name]));
            } finally {
                c.close();
            }
        }
        // The killed sequencer comes back and gets traffic again.
        sequencers[0] = await startSequencer(env, sSlots[0], 1);
        for (const kind of KINDS) {
            const hit = await waitFor(
                `${kind} to route to the restarted sequencer`,
                async () => {
                    const r = await callLedgerApi({ ...env.sequencerClient(sequencerProxy[kind]!.ports["public-api"]), deadlineMs: 1000 });
                    return r.replica === sequencers[0].name ? r : undefined;
                },
                kind === "nginx" ? 20_000 : 5000,
                50,
            );
            expect(hit.ok).toBe(true);
        }
    }, 60_000);
});
