// The rendered Postgres side (pg_hba, init script, TLS settings) against a real
// PostgreSQL 15 from Debian: only TLS 1.3 with a verified client cert whose CN is the
// user, plus the user's password, gets in, and only into the user's own database.
import { execFileSync, spawn, ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Client } from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as render from "../../components/postgres/render";
import type { DatabaseServer } from "../../components/plan/types";
import { devPlan } from "../unit/fixtures";
import { requireBinary } from "../support/binaries";

/** A value unlike Postgres' default (100), so the test sees the rendered setting take effect. */
const MAX_CONNECTIONS = 57;
import { generatePki, Pki } from "../support/pki";
import { freePort, waitFor } from "../support/processes";

const server: DatabaseServer = devPlan().databaseServers[0];
const passwords: Record<string, string> = { sequencer: "pw-sequencer-0123", mediator: "pw-mediator-4567", domain: "pw-domain-89ab" };

let pki: Pki;
let otherPki: Pki;
let dir: string;
let port: number;
let postgres: ChildProcess;
let log = "";

function asPostgres(): { uid: number; gid: number } {
    return {
        uid: Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" })),
        gid: Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8" })),
    };
}

beforeAll(async () => {
    const pgBin = path.dirname(requireBinary("postgres"));
    pki = await generatePki({ name: "domain", domain: "domain.canton.local", servers: ["db"], clients: ["sequencer", "mediator"] });
    otherPki = await generatePki({ name: "participant1", clients: ["sequencer"] });

    const ids = asPostgres();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "canton-ha-pgtls-"));
    fs.chownSync(dir, ids.uid, ids.gid);
    const data = path.join(dir, "data");
    execFileSync(path.join(pgBin, "initdb"), ["-D", data, "-U", "postgres", "--auth-local=peer", "--no-sync", "-E", "UTF8", "--no-locale"], { ...ids, stdio: "pipe" });

    // The same files the container gets, at local paths.
    const put = (name: string, content: string, mode = 0o644) => {
        const p = path.join(dir, name);
        fs.writeFileSync(p, content, { mode });
        fs.chownSync(p, ids.uid, ids.gid);
        return p;
    };
    const paths: render.PostgresPaths = {
        serverChain: put("server-chain.pem", fs.readFileSync(pki.servers.db.chain, "utf8")),
        serverKey: put("server.key", fs.readFileSync(pki.servers.db.key, "utf8"), 0o600),
        caChain: put("ca-chain.pem", fs.readFileSync(pki.caChain, "utf8")),
        hbaFile: put("pg_hba.conf", render.renderPgHba(server)),
    };
    port = await freePort();
    const settings = [...render.postgresSettings({ maxConnections: MAX_CONNECTIONS }, paths), `port=${port}`, `unix_socket_directories=${dir}`, "listen_addresses=127.0.0.1", "fsync=off"];
    postgres = spawn(path.join(pgBin, "postgres"), ["-D", data, ...settings.flatMap((s) => ["-c", s])], { ...ids, stdio: ["ignore", "pipe", "pipe"] });
    postgres.stderr!.on("data", (d) => (log += d));
    await waitFor("postgres to accept connections", () => {
        try {
            execFileSync(path.join(pgBin, "pg_isready"), ["-q", "-h", dir, "-p", String(port)]);
            return true;
        } catch {
            return false;
        }
    }, 20_000, 100);

    // The rendered init script, run as the image's entrypoint runs it.
    const script = put("init.sh", render.renderInitScript(server), 0o755);
    const env: Record<string, string> = { PATH: `${pgBin}:${process.env.PATH}`, POSTGRES_USER: "postgres", PGHOST: dir, PGPORT: String(port) };
    for (const [user, pw] of Object.entries(passwords)) env[render.passwordEnv(user)] = pw;
    execFileSync("bash", [script], { ...ids, env, stdio: "pipe" });
});

afterAll(async () => {
    postgres?.kill("SIGINT");
    await new Promise((r) => setTimeout(r, 300));
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
    pki?.remove();
    otherPki?.remove();
});

interface Attempt {
    user: string;
    database: string;
    password?: string;
    clientCert?: { cert: string; key: string } | null;
    tls?: boolean;
    maxVersion?: "TLSv1.2" | "TLSv1.3";
}

/** Connects like Canton does (verify-full), returns the server's `current_user` or the error text. */
async function connect(a: Attempt): Promise<string> {
    const cc = a.clientCert === undefined ? pki.clients[a.user] : a.clientCert;
    const client = new Client({
        host: "127.0.0.1",
        port,
        user: a.user,
        database: a.database,
        password: a.password ?? passwords[a.user] ?? "x",
        connectionTimeoutMillis: 5000,
        ssl: a.tls === false ? false : {
            ca: fs.readFileSync(pki.caChain, "utf8"),
            rejectUnauthorized: true,
            servername: "db.domain.canton.local",
            maxVersion: a.maxVersion,
            ...(cc ? { cert: fs.readFileSync(cc.cert, "utf8"), key: fs.readFileSync(cc.key, "utf8") } : {}),
        },
    });
    client.on("error", () => undefined);
    try {
        await Promise.race([
            client.connect(),
            new Promise((_, reject) => setTimeout(() => reject(new Error("no answer within 8 s (hang)")), 8000)),
        ]);
        const r = await client.query("SELECT current_user AS u, ssl.version AS v FROM pg_stat_ssl ssl WHERE ssl.pid = pg_backend_pid()");
        return `${r.rows[0].u} over ${r.rows[0].v}`;
    } catch (e) {
        return `rejected: ${(e as Error).message}`;
    } finally {
        await client.end().catch(() => undefined);
    }
}

/** Connects with libpq's psql in verify-full mode; returns current_user or the error. */
function psql(user: string, database: string, cert: { cert: string; key: string }): string {
    const conninfo = [
        "host=127.0.0.1", `port=${port}`, `user=${user}`, `dbname=${database}`, "sslmode=verify-full",
        `sslrootcert=${pki.caChain}`, `sslcert=${cert.cert}`, `sslkey=${keyCopy(cert.key)}`, "connect_timeout=5",
    ].join(" ");
    try {
        return execFileSync(path.join(path.dirname(requireBinary("postgres")), "psql"), [conninfo, "-At", "-c", "SELECT current_user"], {
            env: { ...process.env, PGPASSWORD: passwords[user] },
            encoding: "utf8",
            stdio: ["ignore", "pipe", "pipe"],
        }).trim();
    } catch (e) {
        return `rejected: ${(e as { stderr?: string }).stderr ?? String(e)}`;
    }
}

/** libpq insists the key file is private to its reader. */
function keyCopy(key: string): string {
    const p = path.join(dir, `client-${path.basename(path.dirname(key))}-${path.basename(key)}`);
    fs.copyFileSync(key, p);
    fs.chmodSync(p, 0o600);
    return p;
}

describe("rendered Postgres config on a real server", () => {
    it("lets each Canton user into its own database over TLS 1.3 with its cert and password", async () => {
        expect(await connect({ user: "sequencer", database: "sequencer" })).toBe("sequencer over TLSv1.3");
        expect(await connect({ user: "mediator", database: "mediator" })).toBe("mediator over TLSv1.3");
    }, 30_000);

    it("rejects a wrong password", async () => {
        expect(await connect({ user: "sequencer", database: "sequencer", password: "wrong" })).toMatch(/rejected: .*password authentication failed/);
    });

    it("rejects a connection without a client certificate", async () => {
        expect(await connect({ user: "sequencer", database: "sequencer", clientCert: null })).toMatch(/^rejected/);
    });

    it("rejects a client certificate whose CN is another user, even with the right password", async () => {
        // The client only learns that authentication failed; the server log says why.
        expect(await connect({ user: "sequencer", database: "sequencer", clientCert: pki.clients.mediator })).toMatch(/^rejected: .*authentication failed for user "sequencer"/);
        expect(log).toMatch(/certificate validation \(clientcert=verify-full\) failed for user "sequencer": CN mismatch/);
    });

    it("rejects a client certificate from another trust domain's CA", () => {
        // node-postgres never settles when the server aborts the TLS 1.3 handshake after the
        // client's certificate; libpq (psql) reports it, so this case uses psql.
        expect(psql("sequencer", "sequencer", otherPki.clients.sequencer)).toMatch(/^rejected: .*(unknown ca|certificate)/i);
        expect(psql("sequencer", "sequencer", pki.clients.sequencer)).toBe("sequencer");
    });

    it("rejects a user in another user's database", async () => {
        expect(await connect({ user: "sequencer", database: "mediator" })).toMatch(/^rejected: pg_hba.conf rejects connection .*user "sequencer", database "mediator"/);
    });

    it("rejects plain-text connections", async () => {
        expect(await connect({ user: "sequencer", database: "sequencer", tls: false })).toMatch(/^rejected/);
    });

    it("rejects clients limited to TLS 1.2", async () => {
        expect(await connect({ user: "sequencer", database: "sequencer", maxVersion: "TLSv1.2" })).toMatch(/^rejected/);
    });

    it("created exactly the planned databases, each owned by its user", async () => {
        const out = execFileSync(path.join(path.dirname(requireBinary("postgres")), "psql"), [
            "-h", dir, "-p", String(port), "-U", "postgres", "-At", "-c",
            "SELECT datname || '=' || pg_get_userbyid(datdba) FROM pg_database WHERE datname NOT IN ('postgres','template0','template1') ORDER BY 1",
        ], { ...asPostgres(), encoding: "utf8" });
        expect(out.trim().split("\n")).toEqual(["domain=domain", "mediator=mediator", "sequencer=sequencer"]);
    });

    it("runs with the rendered max_connections", () => {
        const out = execFileSync(path.join(path.dirname(requireBinary("postgres")), "psql"), [
            "-h", dir, "-p", String(port), "-U", "postgres", "-At", "-c", "SHOW max_connections",
        ], { ...asPostgres(), encoding: "utf8" });
        expect(out.trim()).toBe(String(MAX_CONNECTIONS));
    });
});
