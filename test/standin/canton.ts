/**
 * TEST DOUBLE — part of the canton-ha stand-in Canton node (see ./README.md).
 * This is NOT Canton. It lets the stand-in image take the place of the Canton image's
 * `canton` executable for the two ways the deployment calls it:
 *
 *   canton daemon --log-profile=container --config=/canton/config/node.conf
 *     Reads the rendered node HOCON, finds the one node it defines and runs the stand-in
 *     with the equivalent flags (ports, TLS files, client auth, gRPC health server, /health,
 *     Postgres storage with the password from the environment, Ledger API JWT auth).
 *
 *   canton run --log-profile=container --config=/canton/bootstrap/remote.conf /canton/bootstrap/<job>.canton
 *     The bootstrap runner. Reads the remote-console config and connects to EVERY node it
 *     names, with exactly the trust, client certificate and key files (and the Ledger API
 *     token) the config points at, and calls a real RPC on each (gRPC health Check; the
 *     Ledger API version with the token). It waits, like the console's bounded timeout,
 *     for the nodes to answer and for one replica of each active/passive group to be
 *     active; if any connection still fails then, it exits 1 naming it. Otherwise it
 *     prints the script's report lines (`CANTON_HA ...`) as a real run would, with
 *     deterministic TEST-DOUBLE ids. It reads the script only for those report lines; it
 *     does not interpret Scala.
 */
import { createHash, createPrivateKey, X509Certificate } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as grpc from "@grpc/grpc-js";
import { parse as parseHoconText } from "@pushcorn/hocon-parser";
import {
  HEALTH_CHECK_PATH,
  LEDGER_API_VERSION_PATH,
  REPLICA_HEADER,
  ServingStatus,
  getLedgerApiVersionRequest,
  getLedgerApiVersionResponse,
  healthCheckRequest,
  healthCheckResponse,
  type GetLedgerApiVersionRequest,
  type GetLedgerApiVersionResponse,
  type HealthCheckRequest,
  type HealthCheckResponse,
} from "./proto";
import type { Role } from "./config";

/** Prefix of the lines the deployment reads back from the runner's log (components/bootstrap/layout.ts MARKER). */
export const REPORT_MARKER = "CANTON_HA";

type Obj = Record<string, unknown>;

// ------------------------------------------------------------------ arguments
export interface CantonInvocation {
  mode: "daemon" | "run";
  config: string;
  /** `run` only: the console script. */
  script?: string;
}

/** Parses `daemon|run [--log-profile=..] --config=<file> [script]` as Canton's CLI takes them. */
export function parseCanton(argv: string[]): CantonInvocation {
  const [mode, ...rest] = argv;
  if (mode !== "daemon" && mode !== "run") throw new Error(`canton stand-in: expected 'daemon' or 'run', got ${JSON.stringify(mode)}`);
  const configs: string[] = [];
  const positional: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i];
    const [flag, inline] = a.startsWith("--") && a.includes("=") ? [a.slice(0, a.indexOf("=")), a.slice(a.indexOf("=") + 1)] : [a, undefined];
    const value = (): string => {
      const v = inline ?? rest[++i];
      if (v === undefined) throw new Error(`canton stand-in: ${flag} needs a value`);
      return v;
    };
    if (flag === "--config" || flag === "-c") configs.push(value());
    else if (flag === "--log-profile" || flag === "--log-level-root" || flag === "--log-level-canton" || flag === "--log-encoder") value();
    else if (flag === "--no-tty" || flag === "-v" || flag === "--verbose") continue;
    else if (a.startsWith("-")) throw new Error(`canton stand-in: unsupported option ${a}`);
    else positional.push(a);
  }
  if (configs.length !== 1) throw new Error(`canton stand-in: exactly one --config is supported, got ${configs.length}`);
  if (mode === "daemon") {
    if (positional.length > 0) throw new Error(`canton stand-in: 'daemon' takes no script (got ${positional.join(" ")})`);
    return { mode, config: configs[0] };
  }
  if (positional.length !== 1) throw new Error(`canton stand-in: 'run' takes exactly one script, got ${positional.length}`);
  return { mode, config: configs[0], script: positional[0] };
}

/** HOCON with `${VAR}` / `${?VAR}` resolved from `env`, as Canton resolves them from its environment. */
export async function parseHocon(text: string, env: NodeJS.ProcessEnv = process.env): Promise<Obj> {
  const saved = process.env;
  process.env = { ...env };
  try {
    return (await parseHoconText({ text })) as Obj;
  } finally {
    process.env = saved;
  }
}

// ------------------------------------------------------------------ helpers
const obj = (v: unknown, what: string): Obj => {
  if (typeof v !== "object" || v === null || Array.isArray(v)) throw new Error(`${what}: expected an object`);
  return v as Obj;
};
const optObj = (v: unknown, what: string): Obj | undefined => (v === undefined ? undefined : obj(v, what));
const str = (v: unknown, what: string): string => {
  if (typeof v !== "string" || v === "") throw new Error(`${what}: expected a non-empty string`);
  return v;
};
const optStr = (v: unknown, what: string): string | undefined => (v === undefined ? undefined : str(v, what));
const port = (v: unknown, what: string): number => {
  const n = typeof v === "string" && /^\d+$/.test(v) ? Number(v) : v;
  if (typeof n !== "number" || !Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`${what}: expected a port, got ${JSON.stringify(v)}`);
  return n;
};

/** Canton durations as rendered ("300s", "5m", "1h", "250ms", "10 seconds"). */
export function durationMs(v: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|millis|milliseconds?|s|seconds?|m|min|minutes?|h|hours?)?\s*$/.exec(v);
  if (!m) throw new Error(`cannot read duration ${JSON.stringify(v)}`);
  const n = Number(m[1]);
  const unit = m[2] ?? "ms";
  if (/^(ms|millis|milliseconds?)$/.test(unit)) return n;
  if (/^(s|seconds?)$/.test(unit)) return n * 1000;
  if (/^(m|min|minutes?)$/.test(unit)) return n * 60_000;
  return n * 3_600_000;
}

// ------------------------------------------------------------------ daemon
const NODE_SECTIONS: Record<string, Role> = { sequencers: "sequencer", mediators: "mediator", "domain-managers": "domain-manager", participants: "participant" };
/** Which API of each role is the stand-in's main gRPC port (the admin API is always --admin-port). */
const MAIN_API: Record<Role, string | undefined> = { participant: "ledger-api", sequencer: "public-api", mediator: undefined, "domain-manager": undefined };

export interface DaemonTranslation {
  role: Role;
  node: string;
  /** Flags for the stand-in (parseConfig), the database URL included. */
  args: string[];
  /** The same, with the database password replaced by `***`, for the log. */
  redacted: string[];
  /** Files written to translate formats (DER keys to PEM), under `tmpDir`. */
  written: string[];
}

interface ApiTls {
  chain: string;
  key: string;
  trust?: string;
  requireClientAuth: boolean;
}

function apiTls(api: Obj, what: string): ApiTls | undefined {
  const tls = optObj(api.tls, `${what}.tls`);
  if (!tls) return undefined;
  const min = optStr(tls["minimum-server-protocol-version"], `${what}.tls.minimum-server-protocol-version`);
  if (min !== undefined && min !== "TLSv1.3") throw new Error(`${what}.tls.minimum-server-protocol-version = ${min}: the stand-in serves TLS 1.3 only`);
  const clientAuth = optObj(tls["client-auth"], `${what}.tls.client-auth`);
  const type = clientAuth ? str(clientAuth.type, `${what}.tls.client-auth.type`) : "none";
  if (type !== "require" && type !== "none") throw new Error(`${what}.tls.client-auth.type = ${type}: the stand-in supports require and none`);
  return {
    chain: str(tls["cert-chain-file"], `${what}.tls.cert-chain-file`),
    key: str(tls["private-key-file"], `${what}.tls.private-key-file`),
    trust: optStr(tls["trust-collection-file"], `${what}.tls.trust-collection-file`),
    requireClientAuth: type === "require",
  };
}

/** A PEM copy of a DER file (pgjdbc takes DER client keys; node-postgres wants PEM), or the file itself. */
function pemFile(file: string, kind: "key" | "cert", tmpDir: string, written: string[]): string {
  // A missing file stays as named: the first database connection then fails, naming it.
  if (!fs.existsSync(file)) return file;
  const data = fs.readFileSync(file);
  if (data.subarray(0, 64).toString("latin1").includes("-----BEGIN")) return file;
  const pem =
    kind === "key" ? createPrivateKey({ key: data, format: "der", type: "pkcs8" }).export({ format: "pem", type: "pkcs8" }).toString() : new X509Certificate(data).toString();
  fs.mkdirSync(tmpDir, { recursive: true, mode: 0o700 });
  const out = path.join(tmpDir, `${path.basename(file)}.pem`);
  fs.writeFileSync(out, pem, { mode: 0o600 });
  written.push(out);
  return out;
}

function hostForUrl(h: string): string {
  return h.includes(":") && !h.startsWith("[") ? `[${h}]` : h;
}

/** `canton.<section>.<node>.storage` as a postgres:// URL with the ssl files as query parameters. */
function storageUrl(storage: Obj, what: string, tmpDir: string, written: string[]): { url: string; redacted: string } {
  const type = str(storage.type, `${what}.type`);
  if (type !== "postgres") throw new Error(`${what}.type = ${type}: the stand-in needs Postgres (its active/passive lock)`);
  const props = obj(obj(storage.config, `${what}.config`).properties, `${what}.config.properties`);
  const host = str(props.serverName, `${what}...serverName`);
  const p = port(props.portNumber ?? 5432, `${what}...portNumber`);
  const db = str(props.databaseName, `${what}...databaseName`);
  const user = str(props.user, `${what}...user`);
  const password = props.password === undefined ? "" : String(props.password);
  const ssl = props.ssl === true || props.ssl === "true";
  const q = new URLSearchParams();
  if (!ssl) q.set("sslmode", "disable");
  else {
    q.set("sslmode", optStr(props.sslmode, `${what}...sslmode`) ?? "require");
    const root = optStr(props.sslrootcert, `${what}...sslrootcert`);
    const cert = optStr(props.sslcert, `${what}...sslcert`);
    const key = optStr(props.sslkey, `${what}...sslkey`);
    if (root) q.set("sslrootcert", pemFile(root, "cert", tmpDir, written));
    if (cert) q.set("sslcert", pemFile(cert, "cert", tmpDir, written));
    if (key) q.set("sslkey", pemFile(key, "key", tmpDir, written));
  }
  const base = (pw: string) => `postgres://${encodeURIComponent(user)}${pw === "" ? "" : `:${pw}`}@${hostForUrl(host)}:${p}/${encodeURIComponent(db)}?${q.toString()}`;
  return { url: base(encodeURIComponent(password)), redacted: base(password === "" ? "" : "***") };
}

/**
 * `replication.connection-pool.connection` of an active/passive node as stand-in flags. Keys
 * that are absent are left out, so the stand-in uses Canton's defaults (config.ts
 * CANTON_DEFAULTS), as Canton would. `enabled = false` is refused: the stand-in is always HA.
 */
function replicationArgs(node: Obj, at: string): string[] {
  const rep = optObj(node.replication, `${at}.replication`);
  if (rep?.enabled === false || rep?.enabled === "false") throw new Error(`${at}.replication.enabled = false: the stand-in always runs replicated (a DB lock)`);
  const conn = optObj(optObj(rep?.["connection-pool"], `${at}.replication.connection-pool`)?.connection, `${at}.replication.connection-pool.connection`) ?? {};
  const out: string[] = [];
  const keys: [string, string][] = [
    ["passive-check-period", "--passive-check-ms"],
    ["health-check-period", "--health-check-ms"],
    ["health-check-timeout", "--health-check-timeout-ms"],
    ["connection-timeout", "--connection-timeout-ms"],
    ["keep-alive-idle", "--keep-alive-idle-ms"],
  ];
  for (const [key, flag] of keys) {
    const v = conn[key];
    if (v === undefined) continue;
    const what = `${at}.replication.connection-pool.connection.${key}`;
    let ms: number;
    try {
      ms = durationMs(String(v));
    } catch {
      throw new Error(`${what} = ${JSON.stringify(v)}: not a duration`);
    }
    if (!Number.isInteger(ms) || ms < 1) throw new Error(`${what} = ${JSON.stringify(v)}: must be a positive duration`);
    out.push(flag, String(ms));
  }
  return out;
}

/**
 * The stand-in flags equivalent to a rendered Canton node config. Throws, naming the key,
 * on anything the stand-in cannot honour exactly (better a loud failure than a test double
 * that silently does something else than the config says).
 */
export async function translateDaemonConfig(
  text: string,
  opts: { env?: NodeJS.ProcessEnv; name?: string; tmpDir?: string; cantonVersion?: string } = {},
): Promise<DaemonTranslation> {
  const env = opts.env ?? process.env;
  const doc = await parseHocon(text, env);
  const canton = obj(doc.canton, "canton");
  const nodes: { section: string; role: Role; name: string; node: Obj }[] = [];
  for (const [section, role] of Object.entries(NODE_SECTIONS)) {
    for (const [name, node] of Object.entries(optObj(canton[section], `canton.${section}`) ?? {}))
      nodes.push({ section, role, name, node: obj(node, `canton.${section}.${name}`) });
  }
  if (nodes.length !== 1) {
    throw new Error(`the config defines ${nodes.length} nodes (${nodes.map((n) => `${n.section}.${n.name}`).join(", ") || "none"}); the stand-in runs exactly one`);
  }
  const { section, role, name: nodeName, node } = nodes[0];
  const at = `canton.${section}.${nodeName}`;
  const tmpDir = opts.tmpDir ?? fs.mkdtempSync(path.join(os.tmpdir(), "canton-standin-"));
  const written: string[] = [];
  const args: string[] = ["--name", opts.name ?? env.HOSTNAME ?? os.hostname(), "--node", nodeName, "--role", role];
  const tlsOf: ApiTls[] = [];
  const noTls: string[] = [];
  const api = (key: string, addressFlag: string, portFlag: string): ApiTls | undefined => {
    const a = obj(node[key], `${at}.${key}`);
    args.push(addressFlag, optStr(a.address, `${at}.${key}.address`) ?? "127.0.0.1", portFlag, String(port(a.port, `${at}.${key}.port`)));
    const t = apiTls(a, `${at}.${key}`);
    if (t) tlsOf.push(t);
    else noTls.push(key);
    return t;
  };
  const main = MAIN_API[role];
  if (main) {
    const t = api(main, "--grpc-address", "--grpc-port");
    if (t?.requireClientAuth) args.push("--require-client-auth");
  }
  const admin = api("admin-api", "--admin-address", "--admin-port");
  args.push("--admin-require-client-auth", String(admin?.requireClientAuth ?? false));
  if (tlsOf.length > 0 && noTls.length > 0) throw new Error(`${at}: ${noTls.join(", ")} without tls while other APIs have it: the stand-in serves all or none with TLS`);
  if (tlsOf.length === 0) args.push("--insecure");
  else {
    for (const [k, label] of [
      ["chain", "cert-chain-file"],
      ["key", "private-key-file"],
    ] as const) {
      const set = new Set(tlsOf.map((t) => t[k]));
      if (set.size !== 1) throw new Error(`${at}: the APIs use different ${label}s (${[...set].join(", ")}); the stand-in has one server certificate`);
    }
    const trusts = new Set(tlsOf.map((t) => t.trust).filter((t): t is string => t !== undefined));
    if (trusts.size > 1) throw new Error(`${at}: the APIs use different trust-collection-files (${[...trusts].join(", ")}); the stand-in has one`);
    args.push("--cert-chain", tlsOf[0].chain, "--key", tlsOf[0].key);
    if (trusts.size === 1) args.push("--trust", [...trusts][0]);
  }

  const monitoring = optObj(node.monitoring, `${at}.monitoring`);
  const grpcHealth = optObj(monitoring?.["grpc-health-server"], `${at}.monitoring.grpc-health-server`);
  if (grpcHealth) {
    args.push(
      "--grpc-health-address",
      optStr(grpcHealth.address, `${at}.monitoring.grpc-health-server.address`) ?? "127.0.0.1",
      "--grpc-health-port",
      String(port(grpcHealth.port, `${at}.monitoring.grpc-health-server.port`)),
    );
  }
  // Canton's HTTP health server is node-wide (`canton.monitoring.health`), for the one node of the process.
  const health = optObj(optObj(canton.monitoring, "canton.monitoring")?.health, "canton.monitoring.health");
  if (health) {
    const check = optObj(health.check, "canton.monitoring.health.check");
    const type = check ? str(check.type, "canton.monitoring.health.check.type") : "is-active";
    if (type !== "is-active") throw new Error(`canton.monitoring.health.check.type = ${type}: the stand-in implements is-active only`);
    const server = obj(health.server, "canton.monitoring.health.server");
    args.push(
      "--health-address",
      optStr(server.address, "canton.monitoring.health.server.address") ?? "127.0.0.1",
      "--health-port",
      String(port(server.port, "canton.monitoring.health.server.port")),
    );
  }

  if (role === "participant") {
    const services = obj(node["ledger-api"], `${at}.ledger-api`)["auth-services"];
    if (services !== undefined) {
      if (!Array.isArray(services)) throw new Error(`${at}.ledger-api.auth-services: expected a list`);
      if (services.length > 1) throw new Error(`${at}.ledger-api.auth-services: the stand-in supports one service, got ${services.length}`);
      if (services.length === 1) {
        const s = obj(services[0], `${at}.ledger-api.auth-services[0]`);
        const type = str(s.type, `${at}.ledger-api.auth-services[0].type`);
        if (type !== "jwt-rs-256-jwks") throw new Error(`${at}.ledger-api.auth-services[0].type = ${type}: the stand-in supports jwt-rs-256-jwks`);
        const url = str(s.url, `${at}.ledger-api.auth-services[0].url`);
        if (!url.startsWith("file://")) throw new Error(`${at}.ledger-api.auth-services[0].url = ${url}: the stand-in reads file:// JWKS only`);
        args.push("--auth-jwks", new URL(url).pathname);
        const aud = optStr(s["target-audience"], `${at}.ledger-api.auth-services[0].target-audience`);
        const scope = optStr(s["target-scope"], `${at}.ledger-api.auth-services[0].target-scope`);
        if (aud) args.push("--auth-audience", aud);
        if (scope) args.push("--auth-scope", scope);
      }
    }
  }
  if (role === "participant" || role === "mediator" || role === "domain-manager") args.push(...replicationArgs(node, at));
  if (role === "sequencer") {
    const ha = optObj(optObj(node.sequencer, `${at}.sequencer`)?.["high-availability"], `${at}.sequencer.high-availability`);
    if (ha?.["total-node-count"] !== undefined)
      args.push("--sequencer-total-node-count", String(port(ha["total-node-count"], `${at}.sequencer.high-availability.total-node-count`)));
  }
  if (opts.cantonVersion) args.push("--canton-version", opts.cantonVersion);

  const db = storageUrl(obj(node.storage, `${at}.storage`), `${at}.storage`, tmpDir, written);
  const redacted = [...args, "--db-url", db.redacted];
  args.push("--db-url", db.url);
  return { role, node: nodeName, args, redacted, written };
}

// ------------------------------------------------------------------ run
export type RemoteApi = "admin-api" | "ledger-api" | "public-api";

export interface RemoteTarget {
  /** Console name of the node (the key under `remote-*`). */
  node: string;
  section: string;
  api: RemoteApi;
  address: string;
  port: number;
  tls: boolean;
  /** PEM trust file; undefined with tls = the system roots. */
  trust?: string;
  clientChain?: string;
  clientKey?: string;
  token?: string;
  /** The name the server certificate must carry, when it is not `address` (a test reaching a Service by IP). */
  tlsServerName?: string;
}

const REMOTE_SECTIONS = ["remote-sequencers", "remote-mediators", "remote-domain-managers", "remote-participants"] as const;
/** Groups of replicas of which one must be active before the job can do anything (the script's pickActive). */
const ACTIVE_PASSIVE_SECTIONS = new Set(["remote-mediators", "remote-participants"]);

/** How a passive participant's Ledger API fails: nothing listens on its port (Canton starts it only when active). */
const REFUSED = /ECONNREFUSED|No connection established/;

/** How a replica that does not exist yet fails: its name does not resolve (no Service, no container). */
const NOT_STARTED = /Name resolution failed|ENOTFOUND|getaddrinfo/;

/** Every API of every node a remote-console config names, with the files it points at. */
export function remoteTargets(doc: Obj): RemoteTarget[] {
  const canton = obj(doc.canton, "canton");
  const out: RemoteTarget[] = [];
  for (const section of REMOTE_SECTIONS) {
    for (const [node, v] of Object.entries(optObj(canton[section], `canton.${section}`) ?? {})) {
      const n = obj(v, `canton.${section}.${node}`);
      const at = `canton.${section}.${node}`;
      const token = optStr(n.token, `${at}.token`);
      for (const api of ["admin-api", "ledger-api", "public-api"] as const) {
        const a = optObj(n[api], `${at}.${api}`);
        if (!a) continue;
        const base = { node, section, api, address: str(a.address, `${at}.${api}.address`), port: port(a.port, `${at}.${api}.port`) };
        if (api === "public-api") {
          const tls = a["transport-security"] === true || a["transport-security"] === "true";
          const custom = optObj(a["custom-trust-certificates"], `${at}.${api}.custom-trust-certificates`);
          out.push({ ...base, tls, trust: custom ? str(custom["pem-file"], `${at}.${api}.custom-trust-certificates.pem-file`) : undefined });
        } else {
          const tls = optObj(a.tls, `${at}.${api}.tls`);
          const client = optObj(tls?.["client-cert"], `${at}.${api}.tls.client-cert`);
          out.push({
            ...base,
            tls: tls !== undefined,
            trust: optStr(tls?.["trust-collection-file"], `${at}.${api}.tls.trust-collection-file`),
            clientChain: client ? str(client["cert-chain-file"], `${at}.${api}.tls.client-cert.cert-chain-file`) : undefined,
            clientKey: client ? str(client["private-key-file"], `${at}.${api}.tls.client-cert.private-key-file`) : undefined,
            token: api === "ledger-api" ? token : undefined,
          });
        }
      }
    }
  }
  return out;
}

export interface ProbeResult {
  ok: boolean;
  /** For admin / public APIs: the node's gRPC health; for the ledger API: whether the replica answered as active. */
  active: boolean;
  detail: string;
}

function grpcTarget(t: RemoteTarget): string {
  return `${hostForUrl(t.address)}:${t.port}`;
}

/** One real RPC over exactly the channel the config describes. Never throws. */
export async function probe(t: RemoteTarget, timeoutMs = 5000): Promise<ProbeResult> {
  let creds: grpc.ChannelCredentials;
  try {
    creds = t.tls
      ? grpc.credentials.createSsl(
          t.trust ? fs.readFileSync(t.trust) : null,
          t.clientKey ? fs.readFileSync(t.clientKey) : null,
          t.clientChain ? fs.readFileSync(t.clientChain) : null,
        )
      : grpc.credentials.createInsecure();
  } catch (e) {
    return { ok: false, active: false, detail: `cannot read the TLS files the config names: ${(e as Error).message}` };
  }
  const client = new grpc.Client(grpcTarget(t), creds, {
    "grpc.max_reconnect_backoff_ms": 1000,
    "grpc.initial_reconnect_backoff_ms": 200,
    ...(t.tlsServerName ? { "grpc.ssl_target_name_override": t.tlsServerName, "grpc.default_authority": t.tlsServerName } : {}),
  });
  const deadline = new Date(Date.now() + timeoutMs);
  try {
    if (t.api === "ledger-api") {
      const md = new grpc.Metadata();
      if (t.token) md.set("authorization", `Bearer ${t.token}`);
      return await new Promise<ProbeResult>((resolve) => {
        client.makeUnaryRequest<GetLedgerApiVersionRequest, GetLedgerApiVersionResponse>(
          LEDGER_API_VERSION_PATH,
          getLedgerApiVersionRequest.serialize,
          getLedgerApiVersionResponse.deserialize,
          { ledgerId: "" },
          md,
          { deadline },
          (err, res) => {
            if (!err) resolve({ ok: true, active: true, detail: `Ledger API version ${res?.version ?? "?"} (replica ${res?.replica || "?"})` });
            else if (err.code === grpc.status.UNAVAILABLE && err.metadata?.get(REPLICA_HEADER).length) {
              // The replica answered over mTLS, with our token accepted, and said it is passive.
              resolve({ ok: true, active: false, detail: `passive (${err.details})` });
            } else resolve({ ok: false, active: false, detail: `${grpc.status[err.code] ?? err.code}: ${err.details}` });
          },
        );
      });
    }
    return await new Promise<ProbeResult>((resolve) => {
      client.makeUnaryRequest<HealthCheckRequest, HealthCheckResponse>(
        HEALTH_CHECK_PATH,
        healthCheckRequest.serialize,
        healthCheckResponse.deserialize,
        { service: "" },
        new grpc.Metadata(),
        { deadline },
        (err, res) => {
          if (err) resolve({ ok: false, active: false, detail: `${grpc.status[err.code] ?? err.code}: ${err.details}` });
          else resolve({ ok: true, active: res?.status === ServingStatus.SERVING, detail: `health ${ServingStatus[res?.status ?? 0]}` });
        },
      );
    });
  } finally {
    client.close();
  }
}

/**
 * A refused Ledger API on a replica whose admin API answers NOT_SERVING is a passive replica, as
 * Canton runs it: reached (its admin API answered over mTLS), but without a Ledger API to call.
 * On a replica whose admin API says SERVING, a refused Ledger API is still starting: wait.
 */
function passiveLedgerApi(t: RemoteTarget, r: ProbeResult, admin: ProbeResult | undefined): ProbeResult {
  if (t.api !== "ledger-api" || r.ok || !REFUSED.test(r.detail) || !admin?.ok || admin.active) return r;
  return { ok: true, active: false, detail: `passive: no Ledger API listener (Canton starts it on the active replica only); admin API ${admin.detail}` };
}

/** A namespace fingerprint for a participant: as long as Canton's (68 chars), and visibly a test double's. */
export function testDoubleNamespace(participant: string): string {
  return "testdouble" + createHash("sha256").update(`canton-ha stand-in participant namespace:${participant}`).digest("hex").slice(0, 58);
}
export const testDoubleParticipantId = (participant: string) => `PAR::${participant}::${testDoubleNamespace(participant)}`;
export const testDoublePartyId = (participant: string, hint: string) => `${hint}::${testDoubleNamespace(participant)}`;

export type ScriptStatement = { kind: "literal"; text: string } | { kind: "participant-id"; name: string } | { kind: "party-id"; name: string; hint: string };

/**
 * The unconditional report lines of a rendered console script (top-level `say(...)` calls,
 * components/bootstrap/script.ts): literals, and the participant-id / party-id reports.
 * Anything else it would have to evaluate is refused.
 */
export function scriptReports(script: string): ScriptStatement[] {
  const out: ScriptStatement[] = [];
  for (const [i, line] of script.split("\n").entries()) {
    if (!line.startsWith("say(")) continue;
    let m = /^say\(("(?:[^"\\]|\\.)*")\)\s*$/.exec(line);
    if (m) {
      out.push({ kind: "literal", text: JSON.parse(m[1]) as string });
      continue;
    }
    m = /^say\(s"participant-id (\S+) \$\{[^}]+\}"\)\s*$/.exec(line);
    if (m) {
      out.push({ kind: "participant-id", name: m[1] });
      continue;
    }
    m = /^say\(s"party-id (\S+) (\S+) \$\{[^}]+\}"\)\s*$/.exec(line);
    if (m) {
      out.push({ kind: "party-id", name: m[1], hint: m[2] });
      continue;
    }
    throw new Error(`script line ${i + 1}: the stand-in cannot evaluate ${JSON.stringify(line)}`);
  }
  return out;
}

export function renderStatement(s: ScriptStatement): string {
  switch (s.kind) {
    case "literal":
      return `${REPORT_MARKER} ${s.text}`;
    case "participant-id":
      return `${REPORT_MARKER} participant-id ${s.name} ${testDoubleParticipantId(s.name)}`;
    case "party-id":
      return `${REPORT_MARKER} party-id ${s.name} ${s.hint} ${testDoublePartyId(s.name, s.hint)}`;
  }
}

export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  out?: (line: string) => void;
  err?: (line: string) => void;
  /** Overrides the config's console timeout (tests). */
  timeoutMs?: number;
  retryMs?: number;
}

/** `canton run`: returns the exit code. */
export async function runRemote(remoteText: string, scriptText: string, o: RunOptions = {}): Promise<number> {
  const out = o.out ?? ((l: string) => process.stdout.write(l + "\n"));
  const err = o.err ?? ((l: string) => process.stderr.write(l + "\n"));
  const doc = await parseHocon(remoteText, o.env ?? process.env);
  const statements = scriptReports(scriptText);
  const targets = remoteTargets(doc);
  if (targets.length === 0) {
    err("canton stand-in (TEST DOUBLE) run: FAILED: the remote config names no node");
    return 1;
  }
  const consoleTimeouts = optObj(
    optObj(optObj(obj(doc.canton, "canton").parameters, "canton.parameters")?.timeouts, "canton.parameters.timeouts")?.console,
    "canton.parameters.timeouts.console",
  );
  const timeoutMs = o.timeoutMs ?? (consoleTimeouts?.bounded !== undefined ? durationMs(String(consoleTimeouts.bounded)) : 60_000);
  const retryMs = o.retryMs ?? 1000;
  err(`canton stand-in (TEST DOUBLE, not Canton) run: ${targets.length} APIs of ${new Set(targets.map((t) => t.node)).size} nodes, waiting up to ${timeoutMs / 1000} s`);

  let i = 0;
  if (statements[0]?.kind === "literal") out(renderStatement(statements[i++]));

  const key = (t: RemoteTarget) => `${t.node} ${t.api}`;
  const last = new Map<string, ProbeResult>();
  const done = new Set<string>();
  const deadline = Date.now() + timeoutMs;
  const groupsWithoutActive = () =>
    [...new Set(targets.filter((t) => ACTIVE_PASSIVE_SECTIONS.has(t.section)).map((t) => t.section))].filter(
      (section) => !targets.some((t) => t.section === section && t.api === "admin-api" && last.get(key(t))?.active),
    );
  for (;;) {
    const inactive = groupsWithoutActive();
    const pending = targets.filter((t) => !done.has(key(t)) || (t.api === "admin-api" && inactive.includes(t.section)));
    const results = await Promise.all(pending.map(async (t) => [t, await probe(t, Math.max(1000, Math.min(5000, deadline - Date.now())))] as const));
    for (const [t, probed] of results) {
      const prev = last.get(key(t));
      const r = passiveLedgerApi(t, probed, last.get(`${t.node} admin-api`));
      last.set(key(t), r);
      if (r.ok && !done.has(key(t))) {
        done.add(key(t));
        err(`  ok    ${key(t)} ${grpcTarget(t)} (${t.tls ? (t.clientChain ? "mTLS" : "TLS") : "plaintext"}${t.token ? ", token" : ""}): ${r.detail}`);
      } else if (!r.ok && prev?.detail !== r.detail) {
        err(`  wait  ${key(t)} ${grpcTarget(t)}: ${r.detail}`);
      }
    }
    const missing = groupsWithoutActive();
    // A standby replica of an active/passive group starts only after this job (the walkthrough
    // starts the second mediator and participant replica after the bootstrap): its name does
    // not resolve yet. It is reported and left out; any other failure (TLS, auth) is not.
    const notStarted = (t: RemoteTarget) => ACTIVE_PASSIVE_SECTIONS.has(t.section) && !done.has(key(t)) && NOT_STARTED.test(last.get(key(t))?.detail ?? "");
    if (targets.every((t) => done.has(key(t)) || notStarted(t)) && missing.length === 0) {
      for (const t of targets.filter(notStarted)) err(`  skip  ${key(t)} ${grpcTarget(t)}: not started yet (a standby starts after this job)`);
      break;
    }
    if (Date.now() >= deadline) {
      const failed = targets.filter((t) => !done.has(key(t)));
      for (const t of failed) err(`canton stand-in (TEST DOUBLE) run: FAILED: cannot reach ${key(t)} at ${grpcTarget(t)}: ${last.get(key(t))?.detail ?? "not tried"}`);
      for (const s of missing) err(`canton stand-in (TEST DOUBLE) run: FAILED: no replica of ${s} became active`);
      return 1;
    }
    await new Promise((r) => setTimeout(r, retryMs));
  }
  for (; i < statements.length; i++) out(renderStatement(statements[i]));
  err(`canton stand-in (TEST DOUBLE) run: every API of every node answered; ids are test-double ids (namespace testdouble...)`);
  return 0;
}
