/**
 * Test support: build and run the stand-in Canton node (a TEST DOUBLE, see
 * test/standin/README.md) as real child processes with plain `node`, exactly
 * as the bundled dist/standin.js would run inside a container.
 */
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { buildSync } from "esbuild";
import type { Role } from "../standin/config";
import { httpRequest, waitFor, type ManagedProcess, type ProcessGroup } from "./processes";

const REPO_ROOT = path.resolve(__dirname, "..", "..");
let bundlePath: string | undefined;

/**
 * Bundle test/standin/*.ts with esbuild into <repo>/.cache/standin/ (git-ignored),
 * named by a hash of the sources, so forks and reruns share one build.
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
  const outDir = path.join(REPO_ROOT, ".cache", "standin");
  const out = path.join(outDir, `standin-${hash.digest("hex").slice(0, 16)}.js`);
  if (!fs.existsSync(out)) {
    fs.mkdirSync(outDir, { recursive: true });
    const tmp = `${out}.${process.pid}.tmp.js`;
    buildSync({
      entryPoints: [path.join(srcDir, "main.ts")],
      bundle: true,
      platform: "node",
      target: "node20",
      external: ["pg-native"],
      outfile: tmp,
      logLevel: "error",
    });
    fs.renameSync(tmp, out);
  }
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
  /** Bind addresses (default 127.0.0.1). 0.0.0.0 / :: are reached via loopback. */
  grpcAddress?: string;
  healthAddress?: string;
  certChain?: string;
  key?: string;
  trust?: string;
  requireClientAuth?: boolean;
  lockPollMs?: number;
  passiveCooldownMs?: number;
  extraArgs?: string[];
}

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
  if (o.certChain) args.push("--cert-chain", o.certChain);
  if (o.key) args.push("--key", o.key);
  if (o.trust) args.push("--trust", o.trust);
  if (o.requireClientAuth) args.push("--require-client-auth");
  if (o.lockPollMs !== undefined) args.push("--lock-poll-ms", String(o.lockPollMs));
  if (o.passiveCooldownMs !== undefined) args.push("--passive-cooldown-ms", String(o.passiveCooldownMs));
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
  };
  return h;
}
