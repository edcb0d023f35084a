// The rendered Postgres side (pg_hba, init script, TLS settings) against a real
// PostgreSQL 15 from Debian: only TLS 1.3 with a verified client cert whose CN is the
// user, plus the user's password, gets in, and only into the user's own database.
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as render from "../../components/postgres/render";
import type { DatabaseServer } from "../../components/plan/types";
import { devPlan } from "../support/fixtures";
import { generatePki, Pki } from "../support/pki";
import { passwordEnvs, startRenderedPostgres, type Attempt, type RenderedPostgres } from "../support/rendered-postgres";

/** A value unlike Postgres' default (100), so the test sees the rendered setting take effect. */
const MAX_CONNECTIONS = 57;

const server: DatabaseServer = devPlan().databaseServers[0];
const passwords: Record<string, string> = { sequencer: "pw-sequencer-0123", mediator: "pw-mediator-4567", domain: "pw-domain-89ab" };

let pki: Pki;
let otherPki: Pki;
let pg: RenderedPostgres;
let dir: string;
let port: number;

beforeAll(async () => {
    pki = await generatePki({ name: "domain", domain: "domain.canton.local", servers: ["db"], clients: ["sequencer", "mediator"] });
    otherPki = await generatePki({ name: "participant1", clients: ["sequencer"] });
    pg = await startRenderedPostgres({ server, pki, maxConnections: MAX_CONNECTIONS });
    ({ dir, port } = pg);

    // The rendered init script, run as the image's entrypoint runs it.
    const init = pg.runScript("init.sh", render.renderInitScript(server), passwordEnvs(passwords));
    if (init.code !== 0) throw new Error(`init script exited ${init.code}: ${init.stderr}`);
});

afterAll(async () => {
    await pg?.stop();
    pki?.remove();
    otherPki?.remove();
});

/** Connects like Canton does (verify-full), returns the server's `current_user` or the error text. */
function connect(a: Omit<Attempt, "password"> & { password?: string }): Promise<string> {
    return pg.connect({ ...a, password: a.password ?? passwords[a.user] ?? "x" });
}

/** Connects with libpq's psql in verify-full mode; returns current_user or the error. */
function psql(user: string, database: string, cert: { cert: string; key: string }): string {
    const conninfo = [
        "host=127.0.0.1",
        `port=${port}`,
        `user=${user}`,
        `dbname=${database}`,
        "sslmode=verify-full",
        `sslrootcert=${pki.caChain}`,
        `sslcert=${cert.cert}`,
        `sslkey=${keyCopy(cert.key)}`,
        "connect_timeout=5",
    ].join(" ");
    try {
        return execFileSync(path.join(pg.pgBin, "psql"), [conninfo, "-At", "-c", "SELECT current_user"], {
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
        expect(pg.log()).toMatch(/certificate validation \(clientcert=verify-full\) failed for user "sequencer": CN mismatch/);
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
        const out = pg.adminQuery("SELECT datname || '=' || pg_get_userbyid(datdba) FROM pg_database WHERE datname NOT IN ('postgres','template0','template1') ORDER BY 1");
        expect(out.split("\n")).toEqual(["domain=domain", "mediator=mediator", "sequencer=sequencer"]);
    });

    it("runs with the rendered max_connections", () => {
        expect(pg.adminQuery("SHOW max_connections")).toBe(String(MAX_CONNECTIONS));
    });
});
