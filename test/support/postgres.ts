/**
 * Test support: a throwaway, real PostgreSQL 15 cluster (Debian's binaries in
 * /usr/lib/postgresql/15/bin, override with CANTON_HA_PG_BIN) in a temp dir,
 * listening on a free 127.0.0.1 port (and a private unix socket).
 *
 * Postgres refuses to run as root, so when we are root the server runs as the
 * `postgres` system user (spawn's uid/gid). Optional TLS: `ssl=on` with the
 * given server cert/key, `hostssl` lines only, and with requireClientCert
 * `clientcert=verify-full` as in the reference (so `sslmode=verify-full`
 * with client certs can be tested).
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Client } from "pg";
import { requireBinary } from "./binaries";
import { freePort, sleep, waitFor } from "./processes";

export interface DatabaseSpec {
  name: string;
  user: string;
  password?: string;
}

export interface PostgresTlsOptions {
  /** PEM server certificate (chain allowed). */
  cert: string;
  /** PEM server key. */
  key: string;
  /** PEM CA bundle used to verify client certs (needed for requireClientCert). */
  ca?: string;
  /** pg_hba `clientcert=verify-full`. */
  requireClientCert?: boolean;
}

export interface StartPostgresOptions {
  databases?: DatabaseSpec[];
  tls?: PostgresTlsOptions;
  port?: number;
  /** Extra postgresql.conf lines. */
  extraConf?: string[];
}

export interface PostgresHandle {
  host: "127.0.0.1";
  port: number;
  baseDir: string;
  dataDir: string;
  socketDir: string;
  pid: number;
  superuser: string;
  superPassword: string;
  databases: Required<DatabaseSpec>[];
  /** postgres:// URL for a database (password from the spec unless given). */
  url(db: string, opts?: { user?: string; password?: string; params?: Record<string, string> }): string;
  /** A superuser client over the unix socket (trust), for admin work in tests. */
  adminClient(db?: string): Promise<Client>;
  createDatabase(spec: DatabaseSpec): Promise<Required<DatabaseSpec>>;
  /** Fast shutdown (SIGINT), SIGKILL after a bound, then remove the temp dir. */
  stop(): Promise<void>;
  /** SIGKILL the postmaster (simulates a crash; data dir kept until stop()). */
  kill(): Promise<void>;
}

function userIds(user: string): { uid: number; gid: number } {
  const uid = Number(execFileSync("id", ["-u", user], { encoding: "utf8" }).trim());
  const gid = Number(execFileSync("id", ["-g", user], { encoding: "utf8" }).trim());
  return { uid, gid };
}

function quoteIdent(s: string): string {
  return '"' + s.replace(/"/g, '""') + '"';
}
function quoteLiteral(s: string): string {
  return "'" + s.replace(/'/g, "''") + "'";
}

export async function startPostgres(opts: StartPostgresOptions = {}): Promise<PostgresHandle> {
  const postgresBin = requireBinary("postgres");
  const initdbBin = requireBinary("initdb");
  const isRoot = process.getuid?.() === 0;
  const ids = isRoot ? userIds("postgres") : undefined;

  const baseDir = fs.mkdtempSync(path.join(os.tmpdir(), "canton-ha-pg-"));
  const dataDir = path.join(baseDir, "data");
  const socketDir = baseDir;
  const superuser = "postgres";
  const superPassword = crypto.randomBytes(12).toString("hex");
  const pwfile = path.join(baseDir, "pwfile");
  fs.writeFileSync(pwfile, superPassword + "\n", { mode: 0o600 });
  if (ids) {
    fs.chownSync(baseDir, ids.uid, ids.gid);
    fs.chownSync(pwfile, ids.uid, ids.gid);
  }
  const asPg = ids ? { uid: ids.uid, gid: ids.gid } : {};

  try {
    execFileSync(initdbBin, ["-D", dataDir, "-U", superuser, `--pwfile=${pwfile}`, "--auth-local=trust", "--auth-host=scram-sha-256", "--no-locale", "-E", "UTF8", "--no-sync"], {
      ...asPg,
      cwd: baseDir,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, LC_ALL: "C" },
    });
  } catch (e) {
    const err = e as Error & { stderr?: Buffer };
    throw new Error(`initdb failed: ${err.stderr?.toString() ?? err.message}`);
  }
  fs.rmSync(pwfile);

  const port = opts.port ?? (await freePort());
  const conf: string[] = [
    "listen_addresses = '127.0.0.1'",
    `port = ${port}`,
    `unix_socket_directories = '${socketDir}'`,
    "fsync = off",
    "synchronous_commit = off",
    "full_page_writes = off",
    "max_connections = 200",
    "shared_buffers = 32MB",
    "log_min_messages = warning",
  ];
  const hba: string[] = ["local all all trust"];
  if (opts.tls) {
    const copy = (src: string, name: string) => {
      const dst = path.join(dataDir, name);
      fs.copyFileSync(src, dst);
      fs.chmodSync(dst, 0o600);
      if (ids) fs.chownSync(dst, ids.uid, ids.gid);
      return name;
    };
    conf.push("ssl = on", `ssl_cert_file = '${copy(opts.tls.cert, "server.crt")}'`, `ssl_key_file = '${copy(opts.tls.key, "server.key")}'`, "ssl_min_protocol_version = 'TLSv1.2'");
    if (opts.tls.ca) conf.push(`ssl_ca_file = '${copy(opts.tls.ca, "ca.crt")}'`);
    if (opts.tls.requireClientCert && !opts.tls.ca) throw new Error("requireClientCert needs tls.ca");
    const opt = opts.tls.requireClientCert ? " clientcert=verify-full" : "";
    hba.push(`hostssl all all 127.0.0.1/32 scram-sha-256${opt}`, `hostssl all all ::1/128 scram-sha-256${opt}`);
  } else {
    hba.push("host all all 127.0.0.1/32 scram-sha-256", "host all all ::1/128 scram-sha-256");
  }
  conf.push(...(opts.extraConf ?? []));
  fs.appendFileSync(path.join(dataDir, "postgresql.conf"), "\n# canton-ha test cluster\n" + conf.join("\n") + "\n");
  fs.writeFileSync(path.join(dataDir, "pg_hba.conf"), hba.join("\n") + "\n");

  const child: ChildProcess = spawn(postgresBin, ["-D", dataDir], { ...asPg, cwd: baseDir, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, LC_ALL: "C" } });
  let log = "";
  child.stdout?.on("data", (d: Buffer) => (log = (log + d.toString()).slice(-20000)));
  child.stderr?.on("data", (d: Buffer) => (log = (log + d.toString()).slice(-20000)));
  let running = true;
  const exited = new Promise<void>((resolve) => child.once("exit", () => ((running = false), resolve())));

  const adminClient = async (db = "postgres") => {
    const c = new Client({ host: socketDir, port, user: superuser, database: db });
    c.on("error", () => undefined);
    await c.connect();
    return c;
  };

  try {
    await waitFor(
      `postgres on 127.0.0.1:${port} to accept connections`,
      async () => {
        if (!running) throw new Error(`postgres exited: ${log}`);
        const c = await adminClient();
        await c.end();
        return true;
      },
      20_000,
      100,
    );
  } catch (e) {
    if (running) child.kill("SIGKILL");
    throw new Error(`${(e as Error).message}\npostgres log:\n${log}`);
  }

  const databases: Required<DatabaseSpec>[] = [];
  const createDatabase = async (spec: DatabaseSpec): Promise<Required<DatabaseSpec>> => {
    const full = { ...spec, password: spec.password ?? crypto.randomBytes(12).toString("hex") };
    const c = await adminClient();
    try {
      const exists = await c.query("SELECT 1 FROM pg_roles WHERE rolname = $1", [full.user]);
      if (exists.rowCount === 0) {
        await c.query(`CREATE ROLE ${quoteIdent(full.user)} LOGIN PASSWORD ${quoteLiteral(full.password)}`);
      } else {
        await c.query(`ALTER ROLE ${quoteIdent(full.user)} PASSWORD ${quoteLiteral(full.password)}`);
      }
      await c.query(`CREATE DATABASE ${quoteIdent(full.name)} OWNER ${quoteIdent(full.user)}`);
    } finally {
      await c.end();
    }
    databases.push(full);
    return full;
  };
  for (const d of opts.databases ?? []) await createDatabase(d);

  const stopProc = async (signal: NodeJS.Signals) => {
    if (!running) return;
    child.kill(signal);
    await Promise.race([exited, sleep(10_000)]);
    if (running) {
      child.kill("SIGKILL");
      await Promise.race([exited, sleep(3_000)]);
    }
  };

  return {
    host: "127.0.0.1",
    port,
    baseDir,
    dataDir,
    socketDir,
    pid: child.pid!,
    superuser,
    superPassword,
    databases,
    url(db, o = {}) {
      const spec = databases.find((d) => d.name === db);
      const user = o.user ?? spec?.user ?? superuser;
      const password = o.password ?? (user === superuser ? superPassword : (databases.find((d) => d.user === user)?.password ?? ""));
      const qs = o.params && Object.keys(o.params).length > 0 ? "?" + new URLSearchParams(o.params).toString() : "";
      return `postgres://${encodeURIComponent(user)}:${encodeURIComponent(password)}@127.0.0.1:${port}/${encodeURIComponent(db)}${qs}`;
    },
    adminClient,
    createDatabase,
    async stop() {
      await stopProc("SIGINT");
      fs.rmSync(baseDir, { recursive: true, force: true });
    },
    async kill() {
      await stopProc("SIGKILL");
    },
  };
}
