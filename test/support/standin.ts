/**
 * Test support: build and run the stand-in Canton node (a TEST DOUBLE, see
 * test/standin/README.md) as real child processes with plain `node`, exactly
 * as the bundled dist/standin.js would run inside a container.
 */
import { execFileSync } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { buildSync } from "esbuild";
import type { Role } from "../standin/config";
import { httpRequest, waitFor, type ManagedProcess, type ProcessGroup } from "./processes";

const REPO_ROOT = path.resolve(__dirname, "..", "..");
let bundlePath: string | undefined;

/**
 * Bundle test/standin/*.ts into one file for plain `node`, synchronously: esbuild builds the
 * builder (test/standin/bundle.ts, whose plugin makes the HOCON parser bundleable), and the
 * builder builds the bundle. `target` node18 is for the stand-in image (Debian's nodejs).
 */
export function buildStandinBundle(out: string, target = "node20"): void {
  const srcDir = path.join(REPO_ROOT, "test", "standin");
  const builder = path.join(path.dirname(out), `.bundler-${process.pid}.cjs`);
  fs.mkdirSync(path.dirname(out), { recursive: true });
  try {
    buildSync({ entryPoints: [path.join(srcDir, "bundle.ts")], bundle: true, platform: "node", target: "node20", packages: "external", outfile: builder, logLevel: "error" });
    const tmp = `${out}.${process.pid}.tmp.js`;
    execFileSync(process.execPath, [builder, path.join(srcDir, "main.ts"), tmp, target], {
      cwd: REPO_ROOT,
      stdio: ["ignore", "inherit", "inherit"],
      env: { ...process.env, NODE_OPTIONS: "" },
    });
    fs.renameSync(tmp, out);
  } finally {
    fs.rmSync(builder, { force: true });
  }
}

/**
 * Bundle test/standin/*.ts with esbuild into <repo>/.cache/standin/ (git-ignored),
 * named by a hash of the sources and the lockfile, so forks and reruns share one build.
 * CANTON_HA_STANDIN_BUNDLE overrides it (e.g. the `npm run build:standin` output).
 */
export function standinBundle(): string {
  if (process.env.CANTON_HA_STANDIN_BUNDLE) return process.env.CANTON_HA_STANDIN_BUNDLE;
  if (bundlePath && fs.existsSync(bundlePath)) return bundlePath;
  const srcDir = path.join(REPO_ROOT, "test", "standin");
  const hash = crypto.createHash("sha256");
  for (const f of fs
    .readdirSync(srcDir)
    .filter((n) => n.endsWith(".ts") && !n.endsWith(".test.ts"))
    .sort()) {
    hash.update(f).update(fs.readFileSync(path.join(srcDir, f)));
  }
  hash.update(fs.readFileSync(path.join(REPO_ROOT, "package-lock.json")));
  const out = path.join(REPO_ROOT, ".cache", "standin", `standin-${hash.digest("hex").slice(0, 16)}.js`);
  if (!fs.existsSync(out)) buildStandinBundle(out);
  bundlePath = out;
  return out;
}

export interface StandinOptions {
  name: string;
  role: Role;
  node?: string;
  dbUrl: string;
  /** 0 (default) = ephemeral; the real port is read from the "listening" log line. */
  grpcPort?: number;
  healthPort?: number;
  adminPort?: number;
  /** The plain-text gRPC health server (Canton `monitoring.grpc-health-server`); 0 = ephemeral; none when omitted. */
  grpcHealthPort?: number;
  /** JWKS file: Ledger API calls then need a valid RS256 bearer token (with `authAudience` in `aud`). */
  authJwks?: string;
  authAudience?: string;
  /** Bind addresses (default 127.0.0.1). 0.0.0.0 / :: are reached via loopback. */
  grpcAddress?: string;
  healthAddress?: string;
  certChain?: string;
  key?: string;
  trust?: string;
  requireClientAuth?: boolean;
  /**
   * Sets both Canton periods of the lock connection, passive-check and health-check
   * (`--passive-check-ms`, `--health-check-ms`); without it the stand-in uses Canton's defaults.
   */
  lockPollMs?: number;
  passiveCooldownMs?: number;
  /**
   * Participant: ms from becoming active to the Ledger API listening. Default here 200, and
   * start-up 0 (`startupMs`): faster than the stand-in's Canton-like defaults, so they are passed
   * with --test-timings and the stand-in logs "TEST TIMINGS". `cantonTimings: true` keeps the
   * stand-in's defaults instead.
   */
  startupMs?: number;
  ledgerApiStartMs?: number;
  cantonTimings?: boolean;
  extraArgs?: string[];
}

/** The test launcher's default: the Ledger API opens shortly after activation, so the gap exists but tests stay quick. */
export const TEST_LEDGER_API_START_MS = 200;

export interface StandinEvent {
  t: string;
  ms: number;
  name: string;
  event: string;
  [k: string]: unknown;
}

export interface StandinHandle {
  name: string;
  proc: ManagedProcess;
  grpcPort: number;
  healthPort: number;
  adminPort?: number;
  grpcHealthPort?: number;
  healthUrl: string;
  /** HTTP status of GET /health (0 when unreachable). */
  healthStatus(): Promise<number>;
  status(): Promise<{ active: boolean; dbConnected: boolean; writerIndex: number | null; [k: string]: unknown }>;
  setPassive(cooldownMs?: number): Promise<{ wasActive: boolean; active: boolean }>;
  resume(): Promise<void>;
  events(): StandinEvent[];
  /** Wall-clock ms of the latest event of this kind, if any. */
  lastEventMs(event: string): number | undefined;
  waitEvent(event: string, afterMs?: number, timeoutMs?: number): Promise<StandinEvent>;
  waitHealth(code: 200 | 500, timeoutMs?: number): Promise<void>;
  /** Wait until a participant's Ledger API listens (it opens only some time after the replica turns active). */
  waitLedgerApi(timeoutMs?: number): Promise<void>;
}

export async function startStandin(group: ProcessGroup, o: StandinOptions): Promise<StandinHandle> {
  const args = [
    standinBundle(),
    "--name",
    o.name,
    "--role",
    o.role,
    "--db-url",
    o.dbUrl,
    "--grpc-port",
    String(o.grpcPort ?? 0),
    "--health-port",
    String(o.healthPort ?? 0),
    "--parent-pid",
    String(process.pid),
  ];
  if (o.node) args.push("--node", o.node);
  if (o.grpcAddress) args.push("--grpc-address", o.grpcAddress);
  if (o.healthAddress) args.push("--health-address", o.healthAddress);
  if (o.adminPort !== undefined) args.push("--admin-port", String(o.adminPort));
  if (o.grpcHealthPort !== undefined) args.push("--grpc-health-port", String(o.grpcHealthPort));
  if (o.authJwks) args.push("--auth-jwks", o.authJwks);
  if (o.authAudience) args.push("--auth-audience", o.authAudience);
  if (o.certChain) args.push("--cert-chain", o.certChain);
  if (o.key) args.push("--key", o.key);
  if (o.trust) args.push("--trust", o.trust);
  if (o.requireClientAuth) args.push("--require-client-auth");
  if (o.lockPollMs !== undefined) args.push("--passive-check-ms", String(o.lockPollMs), "--health-check-ms", String(o.lockPollMs));
  if (o.passiveCooldownMs !== undefined) args.push("--passive-cooldown-ms", String(o.passiveCooldownMs));
  if (!o.cantonTimings) {
    args.push("--test-timings", "--ledger-api-start-ms", String(o.ledgerApiStartMs ?? TEST_LEDGER_API_START_MS), "--startup-ms", String(o.startupMs ?? 0));
  } else {
    if (o.ledgerApiStartMs !== undefined) args.push("--ledger-api-start-ms", String(o.ledgerApiStartMs));
    if (o.startupMs !== undefined) args.push("--startup-ms", String(o.startupMs));
  }
  args.push(...(o.extraArgs ?? []));

  const proc = group.spawn(`standin-${o.name}`, process.execPath, args, { env: { ...process.env, NODE_OPTIONS: "" } });
  const listening = JSON.parse(await proc.waitForLine(/"event":"listening"/, 15_000)) as StandinEvent;
  const grpcPort = listening.grpcPort as number;
  const healthPort = listening.healthPort as number;
  const ha = o.healthAddress ?? "127.0.0.1";
  const healthHost = ha === "0.0.0.0" ? "127.0.0.1" : ha === "::" || ha === "::1" ? "[::1]" : ha;
  const base = `http://${healthHost}:${healthPort}`;
  const healthUrl = `${base}/health`;

  const events = (): StandinEvent[] =>
    proc
      .lines()
      .filter((l) => l.startsWith("{"))
      .map((l) => {
        try {
          return JSON.parse(l) as StandinEvent;
        } catch {
          return undefined;
        }
      })
      .filter((e): e is StandinEvent => e !== undefined);

  const h: StandinHandle = {
    name: o.name,
    proc,
    grpcPort,
    healthPort,
    adminPort: (listening.adminPort as number | null) ?? undefined,
    grpcHealthPort: (listening.grpcHealthPort as number | null) ?? undefined,
    healthUrl,
    async healthStatus() {
      try {
        return (await httpRequest(healthUrl, { timeoutMs: 1000 })).status;
      } catch {
        return 0;
      }
    },
    async status() {
      return JSON.parse((await httpRequest(`${base}/status`)).body);
    },
    async setPassive(cooldownMs?: number) {
      const q = cooldownMs !== undefined ? `?cooldown-ms=${cooldownMs}` : "";
      const r = await httpRequest(`${base}/admin/set-passive${q}`, { method: "POST" });
      if (r.status !== 200) throw new Error(`set-passive on ${o.name}: HTTP ${r.status} ${r.body}`);
      return JSON.parse(r.body);
    },
    async resume() {
      const r = await httpRequest(`${base}/admin/resume`, { method: "POST" });
      if (r.status !== 200) throw new Error(`resume on ${o.name}: HTTP ${r.status} ${r.body}`);
    },
    events,
    lastEventMs(event) {
      const e = events().filter((x) => x.event === event);
      return e.length > 0 ? e[e.length - 1].ms : undefined;
    },
    waitEvent(event, afterMs = 0, timeoutMs = 10_000) {
      return waitFor(`${o.name} event ${event}`, () => events().find((e) => e.event === event && e.ms >= afterMs), timeoutMs, 10);
    },
    async waitHealth(code, timeoutMs = 10_000) {
      await waitFor(`${o.name} /health ${code}`, async () => (await h.healthStatus()) === code, timeoutMs, 20);
    },
    async waitLedgerApi(timeoutMs = 15_000) {
      await waitFor(`${o.name} Ledger API listening`, async () => (await h.status()).ledgerApiListening === true, timeoutMs, 20);
    },
  };
  return h;
}
