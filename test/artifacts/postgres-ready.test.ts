// The entrypoint's wait for the real server (components/postgres/render.ts, serverReady)
// against a real PostgreSQL 15 run with the rendered pg_hba: it passes once the server is up
// and leaves nothing in the server log (it opens no session). The wait it replaces (pg_isready over TCP) was refused
// by the rendered pg_hba and logged `FATAL: pg_hba.conf rejects connection` at every start of
// every database container (issue 19).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DatabaseServer } from "../../components/plan/types";
import * as render from "../../components/postgres/render";
import { devPlan } from "../support/fixtures";
import { generatePki, type Pki } from "../support/pki";
import { startRenderedPostgres, type RenderedPostgres } from "../support/rendered-postgres";

const server: DatabaseServer = devPlan().databaseServers[0];
let pki: Pki;
let pg: RenderedPostgres;

beforeAll(async () => {
    pki = await generatePki({ name: "domain", domain: "domain.canton.local", servers: ["db"], clients: server.databases.map((d) => d.user) });
    pg = await startRenderedPostgres({ server, pki });
});

afterAll(async () => {
    await pg?.stop();
    pki?.remove();
});

/** Runs a condition as the postgres OS user. */
function probe(condition: string): { code: number | null } {
    return pg.runScript("ready.sh", `if ${condition}; then exit 0; else exit 3; fi\n`);
}

describe("waiting for the real Postgres server", () => {
    it("passes on the running server and logs nothing", async () => {
        const before = pg.log().length;
        const r = probe(render.serverReady(`${pg.dir}/data`));
        await new Promise((res) => setTimeout(res, 300)); // a backend logs after its client is gone
        expect(r.code).toBe(0);
        expect(pg.log().slice(before)).toBe("");
    });

    it("the old wait (pg_isready over TCP) was refused by pg_hba with a FATAL in the log", async () => {
        const before = pg.log().length;
        const r = probe(`pg_isready -q -h 127.0.0.1 -p "$PGPORT"`);
        await new Promise((res) => setTimeout(res, 300));
        expect(r.code).toBe(0); // a refusal still counts as "up" for pg_isready
        expect(pg.log().slice(before)).toMatch(/FATAL: +pg_hba\.conf rejects connection for host "127\.0\.0\.1", user "postgres"/);
    });

    it("is false while nothing listens on the port", () => {
        const r = pg.runScript("down.sh", `PGPORT=1; if ${render.serverReady(`${pg.dir}/data`)}; then exit 0; else exit 3; fi\n`);
        expect(r.code).toBe(3);
    });

    it("is false while the server listens but is not ready yet (crash recovery: postmaster.pid says 'starting')", () => {
        const fake = `${pg.dir}/fake-data`;
        const r = pg.runScript(
            "starting.sh",
            `mkdir -p ${fake}; printf '1\\n${fake}\\n0\\n$PGPORT\\n/tmp\\n*\\n0 0\\nstarting\\n' >${fake}/postmaster.pid\nif ${render.serverReady(fake)}; then exit 0; else exit 3; fi\n`,
        );
        expect(r.code).toBe(3);
    });

    it("is what the container's entrypoint waits with", () => {
        const cmd = render.postgresEntrypoint(server).join(" ");
        expect(cmd).toContain(`until ${render.serverReady()}; do`);
        expect(cmd).not.toContain("pg_isready");
        expect(cmd).not.toMatch(/pg_isready[^;]*-h 127\.0\.0\.1/);
    });
});
