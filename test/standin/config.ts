/**
 * TEST DOUBLE — part of the canton-ha stand-in Canton node (see ./README.md).
 * This is NOT Canton. It replaces a Canton 2.x replica in tests only.
 *
 * Configuration: every option is a `--flag value` (or `--flag=value`) and may
 * also come from the environment as STANDIN_<FLAG_IN_UPPER_SNAKE_CASE>,
 * e.g. `--grpc-port` <-> `STANDIN_GRPC_PORT`. Flags win over the environment.
 */
import { createHash } from "node:crypto";

export type Role = "participant" | "mediator" | "domain-manager" | "sequencer";
export const ROLES: Role[] = ["participant", "mediator", "domain-manager", "sequencer"];

export interface StandinConfig {
  /** Replica id, unique per process (e.g. p1, p1b). Returned by the API. */
  name: string;
  /** Logical Canton node name shared by the replicas (e.g. participant1). */
  node: string;
  role: Role;
  grpcAddress: string;
  /** Ledger API (participant) or public API (sequencer); absent for mediators and domain managers (admin API only). */
  grpcPort?: number;
  adminAddress: string;
  adminPort?: number;
  healthAddress: string;
  /** Plain HTTP/1 /health, /status, /admin/*; absent when the node has no HTTP health server. */
  healthPort?: number;
  /** Plain-text gRPC health server (Canton `monitoring.grpc-health-server`): services "" and "liveness". */
  grpcHealthAddress: string;
  grpcHealthPort?: number;
  certChain?: string;
  key?: string;
  trust?: string;
  requireClientAuth: boolean;
  adminRequireClientAuth: boolean;
  insecure: boolean;
  /** JWKS file (Canton `auth-services` type jwt-rs-256-jwks, url file://...): Ledger API calls need a valid RS256 token. */
  authJwks?: string;
  /** With authJwks: the token's `aud` must contain this (Canton `target-audience`). */
  authAudience?: string;
  /** With authJwks: the token's `scope` must contain this (Canton `target-scope`). */
  authScope?: string;
  dbUrl: string;
  /** Canton `replication.connection-pool.connection.passive-check-period`: a passive replica tries for the lock this often. */
  passiveCheckMs: number;
  /** `...connection.health-check-period`: the active replica checks its lock connection this often. */
  healthCheckMs: number;
  /** `...connection.health-check-timeout`: a check slower than this counts as a lost database. */
  healthCheckTimeoutMs: number;
  /** `...connection.connection-timeout`. */
  connectionTimeoutMs: number;
  /** `...connection.keep-alive-idle`; the OS default when absent. */
  keepAliveIdleMs?: number;
  lockId: bigint;
  passiveCooldownMs: number;
  cantonVersion: string;
  sequencerTotalNodeCount: number;
  parentPid?: number;
  /** Participant: how long after becoming active the Ledger API starts listening. */
  ledgerApiStartMs: number;
  /** How long the process takes before it listens and competes for the lock. */
  startupMs: number;
  /** Allows timings faster than Canton's (tests only); the node then says so loudly in its log. */
  testTimings: boolean;
}

/**
 * Canton's own defaults of the DB-locked connection (DbLockedConnectionConfig, Canton 2.8.11
 * and current 2.x scaladoc): used when neither a flag nor the rendered config sets them.
 * healthCheckTimeoutMs is the current 2.x default; the 2.8.11 page has no such key, and a
 * Canton without it may wait longer for a hung check: 15 s is the pessimistic figure we have.
 */
export const CANTON_DEFAULTS = { passiveCheckMs: 15_000, healthCheckMs: 5_000, healthCheckTimeoutMs: 15_000, connectionTimeoutMs: 10_000 } as const;

/**
 * The stand-in's own Canton-like delays, which no Canton setting governs. ASSUMPTIONS,
 * pessimistic, as no source gives a figure:
 * - ledgerApiStartMs 5 s: on becoming active, Canton 2.9 builds the Ledger API server
 *   (StartableStoppableLedgerApiServer.start: indexer, in-memory state and string interning
 *   from the database, then the gRPC server) before it listens.
 * - startupMs 30 s: a JVM starting Canton, reading its config, checking the database schema
 *   and initialising the node before any API listens.
 */
export const CANTON_LIKE_TIMINGS = { ledgerApiStartMs: 5000, startupMs: 30_000 } as const;

/** The delays below Canton's (flag -> [value, Canton-like value]); allowed only with --test-timings. */
export function fasterThanCanton(cfg: StandinConfig): Record<string, [number, number]> {
  const out: Record<string, [number, number]> = {};
  if (cfg.ledgerApiStartMs < CANTON_LIKE_TIMINGS.ledgerApiStartMs) out["ledger-api-start-ms"] = [cfg.ledgerApiStartMs, CANTON_LIKE_TIMINGS.ledgerApiStartMs];
  if (cfg.startupMs < CANTON_LIKE_TIMINGS.startupMs) out["startup-ms"] = [cfg.startupMs, CANTON_LIKE_TIMINGS.startupMs];
  return out;
}

/** The flags --test-timings may lower (daemon mode: STANDIN_TEST_TIMINGS="startup-ms=0 ledger-api-start-ms=200"). */
export const TEST_TIMING_FLAGS = ["startup-ms", "ledger-api-start-ms"] as const;

/** STANDIN_TEST_TIMINGS="startup-ms=0 ledger-api-start-ms=200" as flags; anything else is refused. */
export function testTimingArgs(spec: string | undefined): string[] {
  if (spec === undefined || spec.trim() === "") return [];
  const out = ["--test-timings"];
  for (const item of spec.trim().split(/[\s,]+/)) {
    const m = /^([a-z-]+)=(\d+)$/.exec(item);
    if (!m || !(TEST_TIMING_FLAGS as readonly string[]).includes(m[1])) {
      throw new Error(`STANDIN_TEST_TIMINGS: expected ${TEST_TIMING_FLAGS.map((f) => `${f}=<ms>`).join(" ")}, got ${JSON.stringify(item)}`);
    }
    out.push(`--${m[1]}`, m[2]);
  }
  return out;
}

interface OptSpec {
  key: keyof StandinConfig;
  kind: "string" | "int" | "bool" | "bigint";
  help: string;
}

export const OPTIONS: Record<string, OptSpec> = {
  name: { key: "name", kind: "string", help: "replica id, unique per process (required)" },
  node: { key: "node", kind: "string", help: "logical node name shared by replicas (default: the role)" },
  role: { key: "role", kind: "string", help: `one of ${ROLES.join("|")} (required)` },
  "grpc-address": { key: "grpcAddress", kind: "string", help: "bind address of the gRPC API (default 127.0.0.1)" },
  "grpc-port": { key: "grpcPort", kind: "int", help: "port of the gRPC API (ledger / public API); 0 = ephemeral (required unless --admin-port)" },
  "admin-address": { key: "adminAddress", kind: "string", help: "bind address of the admin gRPC API (default: grpc-address)" },
  "admin-port": { key: "adminPort", kind: "int", help: "optional second gRPC port (admin API), same services" },
  "health-address": { key: "healthAddress", kind: "string", help: "bind address of the HTTP/1 health server (default 127.0.0.1)" },
  "health-port": { key: "healthPort", kind: "int", help: "port of the plain-HTTP /health server; 0 = ephemeral (none when omitted)" },
  "grpc-health-address": { key: "grpcHealthAddress", kind: "string", help: "bind address of the plain-text gRPC health server (default: grpc-address)" },
  "grpc-health-port": { key: "grpcHealthPort", kind: "int", help: 'plain-text gRPC health server (services "" and "liveness"); 0 = ephemeral (none when omitted)' },
  "cert-chain": { key: "certChain", kind: "string", help: "PEM server certificate chain (leaf first)" },
  key: { key: "key", kind: "string", help: "PEM server private key" },
  trust: { key: "trust", kind: "string", help: "PEM trust collection for client certificates" },
  "require-client-auth": { key: "requireClientAuth", kind: "bool", help: "require client certs on the gRPC API (mTLS); needs --trust" },
  "admin-require-client-auth": { key: "adminRequireClientAuth", kind: "bool", help: "require client certs on the admin port (default: true when --trust is set)" },
  insecure: { key: "insecure", kind: "bool", help: "plaintext gRPC (debugging only; Canton deployments here always use TLS)" },
  "auth-jwks": { key: "authJwks", kind: "string", help: "JWKS file: Ledger API calls need an RS256 bearer token signed by one of its keys" },
  "auth-audience": { key: "authAudience", kind: "string", help: "with --auth-jwks: the token's aud must contain this (target-audience)" },
  "auth-scope": { key: "authScope", kind: "string", help: "with --auth-jwks: the token's scope must contain this (target-scope)" },
  "db-url": { key: "dbUrl", kind: "string", help: "postgres://user:pass@host:port/db[?sslmode=verify-full&sslrootcert=..&sslcert=..&sslkey=..] (required)" },
  "passive-check-ms": { key: "passiveCheckMs", kind: "int", help: `passive: try for the lock this often (Canton passive-check-period; default ${CANTON_DEFAULTS.passiveCheckMs})` },
  "health-check-ms": {
    key: "healthCheckMs",
    kind: "int",
    help: `active: check the lock connection this often (Canton health-check-period; default ${CANTON_DEFAULTS.healthCheckMs})`,
  },
  "health-check-timeout-ms": {
    key: "healthCheckTimeoutMs",
    kind: "int",
    help: `a lock-connection query slower than this counts as DB loss: passive at once (Canton health-check-timeout; default ${CANTON_DEFAULTS.healthCheckTimeoutMs})`,
  },
  "connection-timeout-ms": {
    key: "connectionTimeoutMs",
    kind: "int",
    help: `connecting to the database (Canton connection-timeout; default ${CANTON_DEFAULTS.connectionTimeoutMs})`,
  },
  "keep-alive-idle-ms": { key: "keepAliveIdleMs", kind: "int", help: "TCP keep-alive idle time of the lock connection (Canton keep-alive-idle; default: the OS's)" },
  "lock-id": { key: "lockId", kind: "bigint", help: "advisory lock key (default: derived from role and node)" },
  "passive-cooldown-ms": { key: "passiveCooldownMs", kind: "int", help: "after set-passive, do not compete for the lock for this long (default 2000)" },
  "canton-version": { key: "cantonVersion", kind: "string", help: "version string reported by the API (default 2.9.4)" },
  "sequencer-total-node-count": { key: "sequencerTotalNodeCount", kind: "int", help: "sequencer writer slots (default 10, like high-availability.total-node-count)" },
  "ledger-api-start-ms": {
    key: "ledgerApiStartMs",
    kind: "int",
    help: `participant: the Ledger API listens this long after the replica becomes active, and closes when it turns passive (default ${CANTON_LIKE_TIMINGS.ledgerApiStartMs}, an assumption; see README)`,
  },
  "startup-ms": {
    key: "startupMs",
    kind: "int",
    help: `the process takes this long before it listens and competes for the lock (default ${CANTON_LIKE_TIMINGS.startupMs}, an assumption; see README)`,
  },
  "test-timings": { key: "testTimings", kind: "bool", help: "TESTS ONLY: allow timings faster than Canton's; logged loudly as TEST TIMINGS" },
  "parent-pid": { key: "parentPid", kind: "int", help: "shut down when this process is gone (tests pass their pid so no orphan survives)" },
};

export function usage(): string {
  const lines = [
    "stand-in Canton node — TEST DOUBLE, not Canton",
    "usage: node dist/standin.js --name p1 --role participant --grpc-port 10011 --health-port 8001 \\",
    "         --cert-chain chain.pem --key key.pem [--trust ca-chain.pem --require-client-auth] --db-url postgres://...",
    "",
    "options (each also as env STANDIN_<UPPER_SNAKE>):",
  ];
  for (const [flag, spec] of Object.entries(OPTIONS)) {
    lines.push(`  --${flag.padEnd(28)} ${spec.help}`);
  }
  lines.push("  --help                         this text");
  lines.push("");
  lines.push("or, as the Canton image's `canton` executable (see README.md, canton.ts):");
  lines.push("  daemon --log-profile=container --config=<node.conf>         one node from its rendered HOCON");
  lines.push("  run --log-profile=container --config=<remote.conf> <job>.canton   the bootstrap runner: mTLS to every remote node");
  return lines.join("\n");
}

function envName(flag: string): string {
  return "STANDIN_" + flag.toUpperCase().replace(/-/g, "_");
}

function parseBool(flag: string, v: string): boolean {
  if (/^(1|true|yes|on)$/i.test(v)) return true;
  if (/^(0|false|no|off)$/i.test(v)) return false;
  throw new Error(`--${flag}: expected a boolean, got ${JSON.stringify(v)}`);
}

/** FNV-style stable 63-bit key from a string, so every replica of a node derives the same lock. */
export function deriveLockId(role: Role, node: string): bigint {
  const h = createHash("sha256").update(`canton-standin:${role}:${node}`).digest();
  return h.readBigInt64BE(0) & 0x3fffffffffffffffn;
}

export function parseConfig(argv: string[], env: NodeJS.ProcessEnv = process.env): StandinConfig {
  const raw: Record<string, string> = {};
  for (const flag of Object.keys(OPTIONS)) {
    const v = env[envName(flag)];
    if (v !== undefined && v !== "") raw[flag] = v;
  }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith("--")) throw new Error(`unexpected argument ${JSON.stringify(arg)}`);
    let flag = arg.slice(2);
    let value: string | undefined;
    const eq = flag.indexOf("=");
    if (eq >= 0) {
      value = flag.slice(eq + 1);
      flag = flag.slice(0, eq);
    }
    const spec = OPTIONS[flag];
    if (!spec) throw new Error(`unknown option --${flag}\n\n${usage()}`);
    if (value === undefined) {
      if (spec.kind === "bool" && (i + 1 >= argv.length || argv[i + 1].startsWith("--"))) {
        value = "true";
      } else {
        value = argv[++i];
        if (value === undefined) throw new Error(`--${flag} needs a value`);
      }
    }
    raw[flag] = value;
  }

  const get = (flag: string) => raw[flag];
  const req = (flag: string) => {
    const v = get(flag);
    if (v === undefined) throw new Error(`missing required option --${flag} (or ${envName(flag)})\n\n${usage()}`);
    return v;
  };
  const int = (flag: string, dflt?: number): number | undefined => {
    const v = get(flag);
    if (v === undefined) return dflt;
    if (!/^\d+$/.test(v)) throw new Error(`--${flag}: expected a non-negative integer, got ${JSON.stringify(v)}`);
    return Number(v);
  };
  const bool = (flag: string, dflt: boolean) => (get(flag) === undefined ? dflt : parseBool(flag, get(flag)!));

  const role = req("role") as Role;
  if (!ROLES.includes(role)) throw new Error(`--role: expected one of ${ROLES.join(", ")}, got ${JSON.stringify(role)}`);
  const node = get("node") ?? role;
  const insecure = bool("insecure", false);
  const trust = get("trust");
  const cfg: StandinConfig = {
    name: req("name"),
    node,
    role,
    grpcAddress: get("grpc-address") ?? "127.0.0.1",
    grpcPort: int("grpc-port"),
    adminAddress: get("admin-address") ?? get("grpc-address") ?? "127.0.0.1",
    adminPort: int("admin-port"),
    healthAddress: get("health-address") ?? "127.0.0.1",
    healthPort: int("health-port"),
    grpcHealthAddress: get("grpc-health-address") ?? get("grpc-address") ?? "127.0.0.1",
    grpcHealthPort: int("grpc-health-port"),
    certChain: get("cert-chain"),
    key: get("key"),
    trust,
    requireClientAuth: bool("require-client-auth", false),
    adminRequireClientAuth: bool("admin-require-client-auth", trust !== undefined),
    insecure,
    authJwks: get("auth-jwks"),
    authAudience: get("auth-audience"),
    authScope: get("auth-scope"),
    dbUrl: req("db-url"),
    passiveCheckMs: int("passive-check-ms", CANTON_DEFAULTS.passiveCheckMs)!,
    healthCheckMs: int("health-check-ms", CANTON_DEFAULTS.healthCheckMs)!,
    healthCheckTimeoutMs: int("health-check-timeout-ms", CANTON_DEFAULTS.healthCheckTimeoutMs)!,
    connectionTimeoutMs: int("connection-timeout-ms", CANTON_DEFAULTS.connectionTimeoutMs)!,
    keepAliveIdleMs: int("keep-alive-idle-ms"),
    lockId: get("lock-id") !== undefined ? BigInt(get("lock-id")!) : deriveLockId(role, node),
    passiveCooldownMs: int("passive-cooldown-ms", 2000)!,
    cantonVersion: get("canton-version") ?? "2.9.4",
    sequencerTotalNodeCount: int("sequencer-total-node-count", 10)!,
    parentPid: int("parent-pid"),
    ledgerApiStartMs: int("ledger-api-start-ms", CANTON_LIKE_TIMINGS.ledgerApiStartMs)!,
    startupMs: int("startup-ms", CANTON_LIKE_TIMINGS.startupMs)!,
    testTimings: bool("test-timings", false),
  };
  if (!insecure && (!cfg.certChain || !cfg.key)) {
    throw new Error("--cert-chain and --key are required (TLS is mandatory unless --insecure)");
  }
  if ((cfg.requireClientAuth || cfg.adminRequireClientAuth) && !cfg.trust && !insecure) {
    throw new Error("client auth needs --trust (the trust collection for client certificates)");
  }
  if (cfg.grpcPort === undefined && cfg.adminPort === undefined) {
    throw new Error(`missing required option --grpc-port (or ${envName("grpc-port")}); --admin-port alone is enough for an admin-only node\n\n${usage()}`);
  }
  if ((cfg.authAudience !== undefined || cfg.authScope !== undefined) && cfg.authJwks === undefined) {
    throw new Error("--auth-audience / --auth-scope need --auth-jwks");
  }
  for (const f of ["passive-check-ms", "health-check-ms", "health-check-timeout-ms", "connection-timeout-ms"] as const) {
    if ((int(f) ?? 1) < 1) throw new Error(`--${f} must be >= 1`);
  }
  const fast = Object.entries(fasterThanCanton(cfg));
  if (fast.length > 0 && !cfg.testTimings) {
    throw new Error(
      `${fast.map(([f, [v, c]]) => `--${f} ${v} is faster than Canton (${c})`).join("; ")}: a stand-in standing for Canton must not be faster than it. Tests that need it pass --test-timings (or STANDIN_TEST_TIMINGS=1), and the log says so`,
    );
  }
  return cfg;
}
