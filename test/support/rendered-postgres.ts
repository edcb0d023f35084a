/**
 * Test support: a real PostgreSQL 15 (Debian's binaries, see binaries.ts) run with canton-ha's
 * rendered files and settings (components/postgres/render.ts) at local paths: the rendered
 * pg_hba, TLS 1.3 with the given PKI's server cert "db", and the rendered server settings, plus a
 * private unix socket directory and a free 127.0.0.1 port. Unlike support/postgres.ts (which
 * writes its own trust/scram pg_hba) this is the product's configuration: the superuser gets in
 * only over the socket by peer auth, so admin work and rendered scripts run as the `postgres`
 * OS user, as in the container.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Client } from "pg";
import type { DatabaseServer } from "../../components/plan/types";
import * as render from "../../components/postgres/render";
import { requireBinary } from "./binaries";
import type { Pki } from "./pki";
import { freePort, sleep, waitFor } from "./processes";

/** uid/gid of the `postgres` OS user: Postgres refuses to run as root, and peer auth maps to it. */
export function asPostgres(): { uid: number; gid: number } {
  return {
    uid: Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" })),
    gid: Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8" })),
  };
}

/** The environment the rendered scripts read the users' passwords from (render.passwordEnv). */
export function passwordEnvs(passwords: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(passwords).map(([user, pw]) => [render.passwordEnv(user), pw]));
}

export interface ScriptResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface Attempt {
  user: string;
  database: string;
  password: string;
  /** Default: the PKI's client cert for `user`; null: none. */
  clientCert?: { cert: string; key: string } | null;
  tls?: boolean;
  maxVersion?: "TLSv1.2" | "TLSv1.3";
}

export interface RenderedPostgres {
  /** Holds the data dir, the rendered files and the unix socket. */
  dir: string;
  port: number;
  pgBin: string;
  /** The server's log so far. */
  log(): string;
  /**
   * Writes a rendered script into `dir` and runs it with bash as the `postgres` OS user, as the
   * image runs it: PATH with the server's bin dir, POSTGRES_USER, PGHOST (the socket dir), PGPORT,
   * and `env` on top. Never throws for a non-zero exit: the caller asserts on the result.
   */
  runScript(name: string, text: string, env?: Record<string, string>): ScriptResult;
  /** psql as the superuser over the socket (peer auth); the rows, unaligned. Throws on error. */
  adminQuery(sql: string): string;
  /** Connects over 127.0.0.1 like Canton does (verify-full); `current_user over <TLS version>`, or `rejected: <error>`. */
  connect(a: Attempt): Promise<string>;
  /** Connects over the unix socket with a password (pg_hba: `local all all scram-sha-256`); `current_user`, or `rejected: <error>`. */
  connectLocal(a: Pick<Attempt, "user" | "database" | "password">): Promise<string>;
  /** Fast shutdown (SIGINT), SIGKILL after a bound, then removes `dir`. Safe to call twice. */
  stop(): Promise<void>;
}

export interface RenderedPostgresOptions {
  server: DatabaseServer;
  /** Supplies the server cert ("db"), the CA chain, and the default client certs. */
  pki: Pki;
  /** Default: the plan's. */
  maxConnections?: number;
  /** The name `connect` verifies the server cert against; default db.domain.canton.local (PKI "domain", server "db"). */
  tlsServerName?: string;
}

export async function startRenderedPostgres(opts: RenderedPostgresOptions): Promise<RenderedPostgres> {
  const pgBin = path.dirname(requireBinary("postgres"));
  const { pki } = opts;
  const ids = asPostgres();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "canton-ha-pgrendered-"));
  fs.chownSync(dir, ids.uid, ids.gid);
  const data = path.join(dir, "data");

  let child: ChildProcess | undefined;
  let running = false;
  let exited: Promise<void> = Promise.resolve();
  let log = "";
  const stop = async () => {
    if (child && running) {
      child.kill("SIGINT");
      await Promise.race([exited, sleep(10_000)]);
      if (running) {
        child.kill("SIGKILL");
        await Promise.race([exited, sleep(3_000)]);
      }
    }
    fs.rmSync(dir, { recursive: true, force: true });
  };

  const put = (name: string, content: string, mode = 0o644) => {
    const p = path.join(dir, name);
    fs.writeFileSync(p, content, { mode });
    fs.chmodSync(p, mode); // writeFileSync's mode is subject to the umask and ignored for an existing file
    fs.chownSync(p, ids.uid, ids.gid);
    return p;
  };

  try {
    execFileSync(path.join(pgBin, "initdb"), ["-D", data, "-U", "postgres", "--auth-local=peer", "--no-sync", "-E", "UTF8", "--no-locale"], { ...ids, cwd: dir, stdio: "pipe" });
    // The same files the container gets, at local paths.
    const paths: render.PostgresPaths = {
      serverChain: put("server-chain.pem", fs.readFileSync(pki.servers.db.chain, "utf8")),
      serverKey: put("server.key", fs.readFileSync(pki.servers.db.key, "utf8"), 0o600),
      caChain: put("ca-chain.pem", fs.readFileSync(pki.caChain, "utf8")),
      hbaFile: put("pg_hba.conf", render.renderPgHba(opts.server)),
    };
    const port = await freePort();
    const settings = [
      ...render.postgresSettings({ maxConnections: opts.maxConnections ?? opts.server.maxConnections }, paths),
      `port=${port}`,
      `unix_socket_directories=${dir}`,
      "listen_addresses=127.0.0.1",
      "fsync=off",
    ];
    child = spawn(path.join(pgBin, "postgres"), ["-D", data, ...settings.flatMap((s) => ["-c", s])], { ...ids, cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
    running = true;
    exited = new Promise<void>((resolve) => child!.once("exit", () => ((running = false), resolve())));
    child.stdout!.on("data", (d) => (log += d));
    child.stderr!.on("data", (d) => (log += d));
    await waitFor(
      "postgres to accept connections",
      () => {
        if (!running) throw new Error("postgres exited");
        try {
          execFileSync(path.join(pgBin, "pg_isready"), ["-q", "-h", dir, "-p", String(port)]);
          return true;
        } catch {
          return false;
        }
      },
      20_000,
      100,
    );

    const runScript = (name: string, text: string, env: Record<string, string> = {}): ScriptResult => {
      const script = put(name, text, 0o755);
      const r = spawnSync("bash", [script], {
        ...ids,
        // As the postgres user, in its own directory: the checkout may be unreadable to it (CI's clone is in a root-only temp dir).
        cwd: dir,
        env: { PATH: `${pgBin}:${process.env.PATH}`, POSTGRES_USER: "postgres", PGHOST: dir, PGPORT: String(port), ...env },
        encoding: "utf8",
        timeout: 30_000,
      });
      return { code: r.status, stdout: r.stdout ?? "", stderr: (r.stderr ?? "") + (r.error ? String(r.error) : "") };
    };

    const adminQuery = (sql: string): string =>
      execFileSync(path.join(pgBin, "psql"), ["-h", dir, "-p", String(port), "-U", "postgres", "-d", "postgres", "-v", "ON_ERROR_STOP=1", "-At", "-c", sql], {
        ...ids,
        cwd: dir,
        encoding: "utf8",
      }).trim();

    const attempt = async (client: Client, query: string, row: (r: Record<string, string>) => string): Promise<string> => {
      client.on("error", () => undefined);
      try {
        await Promise.race([client.connect(), new Promise((_, reject) => setTimeout(() => reject(new Error("no answer within 8 s (hang)")), 8000))]);
        const r = await client.query(query);
        return row(r.rows[0]);
      } catch (e) {
        return `rejected: ${(e as Error).message}`;
      } finally {
        await client.end().catch(() => undefined);
      }
    };

    const connect = (a: Attempt): Promise<string> => {
      const cc = a.clientCert === undefined ? pki.clients[a.user] : a.clientCert;
      const client = new Client({
        host: "127.0.0.1",
        port,
        user: a.user,
        database: a.database,
        password: a.password,
        connectionTimeoutMillis: 5000,
        ssl:
          a.tls === false
            ? false
            : {
                ca: fs.readFileSync(pki.caChain, "utf8"),
                rejectUnauthorized: true,
                servername: opts.tlsServerName ?? "db.domain.canton.local",
                maxVersion: a.maxVersion,
                ...(cc ? { cert: fs.readFileSync(cc.cert, "utf8"), key: fs.readFileSync(cc.key, "utf8") } : {}),
              },
      });
      return attempt(client, "SELECT current_user AS u, ssl.version AS v FROM pg_stat_ssl ssl WHERE ssl.pid = pg_backend_pid()", (r) => `${r.u} over ${r.v}`);
    };

    const connectLocal = (a: Pick<Attempt, "user" | "database" | "password">): Promise<string> =>
      attempt(new Client({ host: dir, port, user: a.user, database: a.database, password: a.password, connectionTimeoutMillis: 5000 }), "SELECT current_user AS u", (r) => r.u);

    return { dir, port, pgBin, log: () => log, runScript, adminQuery, connect, connectLocal, stop };
  } catch (e) {
    await stop();
    throw new Error(`${(e as Error).message}\npostgres log:\n${log}`);
  }
}
