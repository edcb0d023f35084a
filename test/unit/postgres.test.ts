import { describe, expect, it } from "vitest";
import * as pg from "../../components/postgres/render";
import { devPlan } from "./fixtures";

describe("postgres renderers", () => {
    const server = devPlan().databaseServers[0];

    it("pg_hba: TLS with a verified client cert and a password, each user into its own database only", async () => {
        const hba = pg.renderPgHba(server);
        await expect(hba).toMatchFileSnapshot("golden/dev/domain-db.pg_hba.conf");
        const tcp = hba.split("\n").filter((l) => /^host/.test(l));
        for (const line of tcp.filter((l) => l.startsWith("hostssl"))) expect(line).toMatch(/scram-sha-256 clientcert=verify-full$/);
        expect(tcp.filter((l) => l.startsWith("hostssl")).map((l) => l.split(/\s+/).slice(1, 3).join("/"))).toEqual([
            "sequencer/sequencer", "sequencer/sequencer", "mediator/mediator", "mediator/mediator", "domain/domain", "domain/domain",
        ]);
        // Anything else over TCP, including plain host lines, is rejected.
        expect(tcp.filter((l) => /^host\s/.test(l)).every((l) => l.endsWith("reject"))).toBe(true);
    });

    it("init script: one role and database per user, passwords only through psql variables", async () => {
        const script = pg.renderInitScript(server);
        await expect(script).toMatchFileSnapshot("golden/dev/domain-db.init.sh");
        expect(script).toContain(`-v pw_sequencer="$CANTON_HA_PW_SEQUENCER"`);
        expect(script).toContain(`CREATE ROLE "mediator" LOGIN PASSWORD :'pw_mediator';`);
        expect(script).toContain(`CREATE DATABASE "domain" OWNER "domain";`);
        expect(script).toContain("<<'SQL'"); // quoted heredoc: the shell expands nothing inside
    });

    it("server arguments require TLS 1.3 and use the rendered pg_hba", () => {
        const cmd = pg.postgresEntrypoint().join(" ");
        expect(cmd).toContain("-c ssl=on");
        expect(cmd).toContain("-c ssl_min_protocol_version=TLSv1.3");
        expect(cmd).toContain(`-c hba_file=${pg.PG_HBA_FILE}`);
        expect(cmd).toMatch(/install -o postgres -g postgres -m 600 \S+server\.key/);
        expect(pg.postgresEnv(server).PGPORT).toBe("5432");
    });
});
