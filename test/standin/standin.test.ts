/**
 * Tests of the stand-in Canton node — a TEST DOUBLE (see ./README.md) — against
 * a real PostgreSQL 15 and a real openssl-made PKI. Loopback only.
 * Timings are reported, not asserted tightly (benchmarks own timing).
 */
import { execFileSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { requireBinaries } from "../support/binaries";
import { LedgerApiClient, callLedgerApi, checkGrpcHealth } from "../support/grpc-client";
import { generatePki, type Pki } from "../support/pki";
import { startPostgres, type PostgresHandle } from "../support/postgres";
import { ProcessGroup, sleep, waitFor } from "../support/processes";
import { standinBundle, startStandin, type StandinHandle, type StandinOptions } from "../support/standin";
import { ServingStatus } from "./proto";

const TAKEOVER_BOUND_MS = 5000;
const ROUNDS = 5;

let pki: Pki;
let otherPki: Pki;
let pg: PostgresHandle;
const group = new ProcessGroup();

function stats(xs: number[]): string {
  const s = [...xs].sort((a, b) => a - b);
  const med = s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  return `median ${med} ms, min ${s[0]} ms, max ${s[s.length - 1]} ms (n=${s.length})`;
}

beforeAll(async () => {
  requireBinaries("postgres", "initdb", "openssl");
  [pki, otherPki] = await Promise.all([
    generatePki({ name: "standin-participant1", servers: ["participant1", "sequencer"], clients: ["admin-api"] }),
    generatePki({ name: "standin-other", clients: ["intruder"] }),
  ]);
  pg = await startPostgres({
    databases: [
      { name: "participant1", user: "participant1" },
      { name: "sequencer", user: "sequencer" },
    ],
  });
}, 180_000);

afterAll(async () => {
  await group.stopAll();
  await pg?.stop();
  for (const p of [pki, otherPki]) p?.remove();
}, 60_000);

function participantOpts(name: string): StandinOptions {
  return {
    name,
    role: "participant",
    node: "participant1",
    dbUrl: pg.url("participant1"),
    certChain: pki.servers.participant1.chain,
    key: pki.servers.participant1.key,
    trust: pki.caChain,
    requireClientAuth: true,
    lockPollMs: 100,
    adminPort: 0,
  };
}

/** The admin API, which runs on every replica (the Ledger API only on the active one). */
function adminClient(h: StandinHandle) {
  return { ...client(h), port: h.adminPort! };
}

/** What a client sees on a passive participant's Ledger API: nothing listens (as Canton). */
async function expectRefused(h: StandinHandle): Promise<void> {
  const r = await callLedgerApi({ ...client(h), deadlineMs: 2000 });
  expect(r).toMatchObject({ ok: false, code: 14 });
  expect(r.details).toMatch(/ECONNREFUSED|No connection established/);
  expect(r.replica).toBeUndefined();
}

function client(h: StandinHandle) {
  return { port: h.grpcPort, ca: pki.caChain, cert: pki.clients["admin-api"].chain, key: pki.clients["admin-api"].key };
}

/** Wait until exactly one of the pair reports /health 200 and return [active, passive]. */
async function activePair(a: StandinHandle, b: StandinHandle): Promise<[StandinHandle, StandinHandle]> {
  return waitFor(
    "exactly one active replica",
    async () => {
      const [sa, sb] = await Promise.all([a.healthStatus(), b.healthStatus()]);
      if (sa === 200 && sb === 500) return [a, b] as [StandinHandle, StandinHandle];
      if (sb === 200 && sa === 500) return [b, a] as [StandinHandle, StandinHandle];
      return undefined;
    },
    10_000,
    20,
  );
}

/** Poll the API of `h` every 20 ms until it answers OK; return ms since `sinceMs`. */
async function firstOkAfter(h: StandinHandle, sinceMs: number): Promise<number> {
  const c = new LedgerApiClient(client(h));
  try {
    await waitFor(`${h.name} API OK`, async () => (await c.call(500)).ok, TAKEOVER_BOUND_MS, 20);
    return Date.now() - sinceMs;
  } finally {
    c.close();
  }
}

describe("stand-in participant pair on one real Postgres (TEST DOUBLE for Canton)", () => {
  let a: StandinHandle;
  let b: StandinHandle;
  let generation = 0;

  beforeAll(async () => {
    [a, b] = await Promise.all([startStandin(group, participantOpts("p1")), startStandin(group, participantOpts("p1b"))]);
  }, 60_000);

  it("exactly one replica is active: /health 200 vs 500, Ledger API OK vs connection refused, admin gRPC health SERVING vs NOT_SERVING", async () => {
    const [active, passive] = await activePair(a, b);
    await active.waitLedgerApi();
    const ok = await callLedgerApi(client(active));
    expect(ok).toMatchObject({ ok: true, code: 0, replica: active.name, version: "2.9.4" });
    await expectRefused(passive);
    // The admin API runs on both replicas.
    expect((await checkGrpcHealth(adminClient(active))).status).toBe(ServingStatus.SERVING);
    expect((await checkGrpcHealth(adminClient(passive))).status).toBe(ServingStatus.NOT_SERVING);
    const [sa, sp] = await Promise.all([active.status(), passive.status()]);
    expect(sa).toMatchObject({ active: true, dbConnected: true, ledgerApiListening: true });
    expect(sp).toMatchObject({ active: false, dbConnected: true, ledgerApiListening: false });
  });

  it(`kill -9 of the active replica: the passive takes over (bound ${TAKEOVER_BOUND_MS} ms; ${ROUNDS} rounds, times logged)`, async () => {
    const lockTimes: number[] = [];
    const apiTimes: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const [active, passive] = await activePair(a, b);
      const killedAt = Date.now();
      active.proc.kill("SIGKILL");
      const apiMs = await firstOkAfter(passive, killedAt);
      const ev = await passive.waitEvent("active", killedAt, TAKEOVER_BOUND_MS);
      const lockMs = ev.ms - killedAt;
      lockTimes.push(lockMs);
      apiTimes.push(apiMs);
      expect(lockMs).toBeLessThan(TAKEOVER_BOUND_MS);
      expect(await passive.healthStatus()).toBe(200);
      await active.proc.exited;
      // The killed replica comes back (same node, new process) and must stay passive.
      const restarted = await startStandin(group, participantOpts(`${active.name.replace(/-r\d+$/, "")}-r${++generation}`));
      await restarted.waitEvent("db-connected", 0, 10_000);
      await sleep(300);
      expect(await restarted.healthStatus()).toBe(500);
      await expectRefused(restarted);
      if (active === a) a = restarted;
      else b = restarted;
    }
    const msg = `[standin] takeover after kill -9: lock acquired ${stats(lockTimes)}; first OK API call (20 ms polling) ${stats(apiTimes)}`;
    console.log(msg);
    expect(lockTimes.length).toBe(ROUNDS);
  }, 120_000);

  it("set-passive: the peer takes over while the stepped-down replica stays alive, answers 500 and closes its Ledger API", async () => {
    const lockTimes: number[] = [];
    const apiTimes: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const [active, passive] = await activePair(a, b);
      // The peer may still be in its own cooldown from the previous round; measure takeover, not that.
      const cd = (await passive.status()).cooldownUntil as number;
      if (cd > Date.now()) await sleep(cd - Date.now() + 20);
      const at = Date.now();
      const r = await active.setPassive(1000);
      expect(r).toMatchObject({ wasActive: true, active: false });
      const apiMs = await firstOkAfter(passive, at);
      const ev = await passive.waitEvent("active", at, TAKEOVER_BOUND_MS);
      lockTimes.push(ev.ms - at);
      apiTimes.push(apiMs);
      expect(active.proc.isRunning()).toBe(true);
      expect(await active.healthStatus()).toBe(500);
      await expectRefused(active);
      expect(await callLedgerApi(client(passive))).toMatchObject({ ok: true, replica: passive.name });
    }
    // After the cooldown the stepped-down replica competes again but the peer holds the lock.
    await sleep(1300);
    await activePair(a, b);
    console.log(`[standin] takeover after set-passive: lock acquired ${stats(lockTimes)}; first OK API call ${stats(apiTimes)}`);
  }, 120_000);

  it("losing the DB connection makes the active replica passive at once (pg_terminate_backend)", async () => {
    const [active] = await activePair(a, b);
    const admin = await pg.adminClient();
    const t0 = Date.now();
    try {
      const r = await admin.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1", [`canton-standin-participant-${active.name}`]);
      expect(r.rowCount).toBe(1);
    } finally {
      await admin.end();
    }
    const lost = await active.waitEvent("db-lost", t0, 5000);
    const passiveEv = await active.waitEvent("passive", t0, 5000);
    expect(passiveEv.ms - lost.ms).toBeLessThan(50);
    // It reconnects; one of the two is active again.
    await active.waitEvent("db-connected", lost.ms, 5000);
    await activePair(a, b);
  }, 30_000);

  it("SIGTERM shuts a replica down cleanly (exit 0) and releases the lock", async () => {
    const [active, passive] = await activePair(a, b);
    const t0 = Date.now();
    active.proc.kill("SIGTERM");
    const { code } = await active.proc.exited;
    expect(code).toBe(0);
    await passive.waitEvent("active", t0, TAKEOVER_BOUND_MS);
    const repl = await startStandin(group, participantOpts(`${active.name}-t`));
    if (active === a) a = repl;
    else b = repl;
    await activePair(a, b);
  }, 30_000);
});

describe("the Ledger API starts only after the replica becomes active (Canton: startLedgerApiServer = sync.isActive())", () => {
  it("/health answers 200 at once, the Ledger API refuses connections until --ledger-api-start-ms later", async () => {
    const startMs = 1500;
    const s = await startStandin(group, { ...participantOpts("gap"), node: "gap-only", ledgerApiStartMs: startMs });
    expect(s.proc.lines().some((l) => /^TEST TIMINGS: faster than Canton: --ledger-api-start-ms 1500 \(Canton-like \d+\)/.test(l))).toBe(true);
    const active = await s.waitEvent("active", 0, 10_000);
    await s.waitHealth(200);
    await expectRefused(s);
    const listening = await s.waitEvent("ledger-api-listening", 0, 10_000);
    // Checked from the events, not from a racing probe: /health was 200 the whole gap.
    expect(listening.ms - active.ms).toBeGreaterThanOrEqual(startMs);
    expect(await callLedgerApi(client(s))).toMatchObject({ ok: true, replica: "gap" });
    console.log(`[standin] /health 200 -> Ledger API listening after ${listening.ms - active.ms} ms (--ledger-api-start-ms ${startMs})`);
  }, 30_000);

  it("refuses a Ledger API start faster than Canton's without --test-timings", () => {
    let err = "";
    try {
      execFileSync(
        process.execPath,
        [standinBundle(), "--name", "x", "--role", "participant", "--grpc-port", "0", "--insecure", "--db-url", "postgres://x@127.0.0.1:1/x", "--ledger-api-start-ms", "10"],
        {
          encoding: "utf8",
          stdio: ["ignore", "pipe", "pipe"],
        },
      );
    } catch (e) {
      err = (e as { stderr?: string }).stderr ?? "";
    }
    expect(err).toMatch(/--ledger-api-start-ms 10 is faster than Canton .*--test-timings/);
  });
});

describe("takeover paced by Canton's DB-locked connection settings", () => {
  /** A participant replica of its own group, paced by the given lock-connection flags alone. */
  const pacedOpts = (name: string, node: string, extraArgs: string[]): StandinOptions => ({ ...participantOpts(name), node, lockPollMs: undefined, extraArgs });

  it("an active replica whose lock connection hangs demotes itself after --health-check-timeout-ms, not before", async () => {
    const timeoutMs = 1500;
    const opts = (name: string) => pacedOpts(name, "hc-only", ["--passive-check-ms", "200", "--health-check-ms", "200", "--health-check-timeout-ms", String(timeoutMs)]);
    const [x, y] = await Promise.all([startStandin(group, opts("hc1")), startStandin(group, opts("hc2"))]);
    const [active, passive] = await activePair(x, y);
    const admin = await pg.adminClient();
    let backend = 0;
    try {
      const r = await admin.query("SELECT pid FROM pg_stat_activity WHERE application_name = $1", [`canton-standin-participant-${active.name}`]);
      expect(r.rowCount).toBe(1);
      backend = r.rows[0].pid as number;
      // The server process of its lock connection stops answering: the next check hangs.
      const stoppedAt = Date.now();
      process.kill(backend, "SIGSTOP");
      const demoted = await active.waitEvent("passive", stoppedAt, 10_000);
      const after = demoted.ms - stoppedAt;
      console.log(`[standin] hung lock connection -> passive after ${after} ms (--health-check-ms 200, --health-check-timeout-ms ${timeoutMs})`);
      expect(demoted.reason).toBe("db-lost");
      expect(after).toBeGreaterThanOrEqual(timeoutMs);
      expect(after).toBeLessThan(timeoutMs + 200 + 1500);
      // The stopped session still holds the lock: nobody else may be active meanwhile.
      expect(await passive.healthStatus()).toBe(500);
    } finally {
      if (backend) process.kill(backend, "SIGCONT");
      await admin.end();
    }
    // Resumed, the server sees the closed socket, ends the session and frees the lock.
    await activePair(x, y);
    await Promise.all([x.proc.stop(), y.proc.stop()]);
  }, 60_000);

  it("a passive replica tries for the lock every --passive-check-ms: after kill -9 it takes over within one period", async () => {
    const periodMs = 2000;
    const opts = (name: string) => pacedOpts(name, "pc-only", ["--passive-check-ms", String(periodMs), "--health-check-ms", "200"]);
    const [x, y] = await Promise.all([startStandin(group, opts("pc1")), startStandin(group, opts("pc2"))]);
    const [active, passive] = await activePair(x, y);
    const killedAt = Date.now();
    active.proc.kill("SIGKILL");
    const ev = await passive.waitEvent("active", killedAt, periodMs + 3000);
    console.log(`[standin] takeover after kill -9 with --passive-check-ms ${periodMs}: ${ev.ms - killedAt} ms`);
    expect(ev.ms - killedAt).toBeLessThan(periodMs + 1000);
    await passive.proc.stop();
  }, 30_000);
});

describe("TLS 1.3 and mTLS on the stand-in's gRPC API", () => {
  let p: StandinHandle;
  beforeAll(async () => {
    p = await startStandin(group, { ...participantOpts("mtls"), node: "mtls-only" });
    await p.waitHealth(200);
    await p.waitLedgerApi();
  }, 30_000);

  it("accepts a client cert from the participant CA", async () => {
    expect(await callLedgerApi(client(p))).toMatchObject({ ok: true, replica: "mtls" });
  });

  it("rejects a client without a certificate", async () => {
    const r = await callLedgerApi({ port: p.grpcPort, ca: pki.caChain, deadlineMs: 3000 });
    console.log(`[standin] no client cert -> ${r.codeName}: ${r.details}`);
    expect(r.ok).toBe(false);
    // Rejected in the TLS handshake (alert 116 certificate required), as Canton does.
    expect(r.code).toBe(14);
    expect(r.details).toMatch(/certificate required|alert number 116/);
    expect(r.replica).toBeUndefined();
  });

  it("rejects a client certificate from another CA", async () => {
    const r = await callLedgerApi({ port: p.grpcPort, ca: pki.caChain, cert: otherPki.clients.intruder.chain, key: otherPki.clients.intruder.key, deadlineMs: 3000 });
    console.log(`[standin] foreign-CA client cert -> ${r.codeName}: ${r.details}`);
    expect(r.ok).toBe(false);
    expect(r.code).toBe(14);
    expect(r.replica).toBeUndefined();
  });

  it("rejects a TLS 1.2-only client, even with a valid certificate", async () => {
    const r = await callLedgerApi({ ...client(p), maxTlsVersion: "TLSv1.2", deadlineMs: 3000 });
    console.log(`[standin] TLS 1.2-only client -> ${r.codeName}: ${r.details}`);
    expect(r.ok).toBe(false);
    expect(r.code).toBe(14);
    expect(r.details).toMatch(/protocol version|alert number 70/);
    expect(r.replica).toBeUndefined();
  });

  it("openssl s_client: TLS 1.3 handshake works, TLS 1.2 is refused", () => {
    const sclient = (v: string) => {
      try {
        return execFileSync(
          "openssl",
          [
            "s_client",
            "-connect",
            `127.0.0.1:${p.grpcPort}`,
            v,
            "-CAfile",
            pki.caChain,
            "-cert",
            pki.clients["admin-api"].cert,
            "-key",
            pki.clients["admin-api"].key,
            "-alpn",
            "h2",
            "-brief",
          ],
          { input: "", encoding: "utf8", stdio: ["pipe", "pipe", "pipe"], timeout: 10_000 },
        );
      } catch (e) {
        return `FAILED ${(e as { stderr?: string }).stderr ?? ""}`;
      }
    };
    expect(sclient("-tls1_2")).toMatch(/FAILED/);
    expect(sclient("-tls1_3")).not.toMatch(/FAILED/);
  });
});

describe("bind addresses", () => {
  it("serves gRPC and /health on ::1 when asked (containers use 0.0.0.0)", async () => {
    const s = await startStandin(group, { ...participantOpts("v6"), node: "v6-only", grpcAddress: "::1", healthAddress: "::1" });
    expect(s.healthUrl).toMatch(/^http:\/\/\[::1\]:/);
    await s.waitHealth(200);
    await s.waitLedgerApi();
    expect(await callLedgerApi({ ...client(s), host: "::1" })).toMatchObject({ ok: true, replica: "v6" });
    // not on 127.0.0.1
    expect((await callLedgerApi({ ...client(s), deadlineMs: 1000 })).ok).toBe(false);
  });
});

describe("stand-in sequencers (active/active on a shared DB)", () => {
  it("two sequencers both answer, with distinct writer indexes claimed via DB locks; no client cert needed", async () => {
    const seq = (name: string): StandinOptions => ({
      name,
      role: "sequencer",
      dbUrl: pg.url("sequencer"),
      certChain: pki.servers.sequencer.chain,
      key: pki.servers.sequencer.key,
    });
    const [s1, s2] = await Promise.all([startStandin(group, seq("sequencer1")), startStandin(group, seq("sequencer2"))]);
    await Promise.all([s1.waitHealth(200), s2.waitHealth(200)]);
    for (const s of [s1, s2]) {
      // Sequencer public API: TLS, no client auth.
      expect(await callLedgerApi({ port: s.grpcPort, ca: pki.caChain })).toMatchObject({ ok: true, replica: s.name });
    }
    const idx = [(await s1.status()).writerIndex, (await s2.status()).writerIndex];
    expect(new Set(idx).size).toBe(2);
    expect(idx.every((i) => typeof i === "number")).toBe(true);
    // Both use the same database: both sessions are visible there.
    const admin = await pg.adminClient();
    try {
      const r = await admin.query("SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = 'sequencer' AND application_name LIKE 'canton-standin-sequencer-%'");
      expect(r.rows[0].n).toBe(2);
    } finally {
      await admin.end();
    }
    // set-passive does not apply to active/active sequencers.
    expect(await s1.setPassive(100)).toMatchObject({ wasActive: false, active: true });
  }, 30_000);
});

describe("bundle", () => {
  it("the esbuild bundle runs with plain node (no TS loader) and prints its CLI help", () => {
    const out = execFileSync(process.execPath, [standinBundle(), "--help"], { encoding: "utf8" });
    expect(out).toMatch(/TEST DOUBLE/);
    expect(out).toMatch(/--passive-check-ms/);
  });
});
