import { describe, expect, it } from "vitest";
import * as pg from "../../components/postgres/render";
import { parseConfig } from "../../components/config";
import { INDEXER_INGESTION_PARALLELISM, replicaConnections } from "../../components/plan/connections";
import { buildPlan } from "../../components/plan/build";
import { devPlan, raw } from "../support/fixtures";

const server = devPlan().databaseServers[0];

describe("postgres renderers", () => {
    it("pg_hba: TLS with a verified client cert and a password, each user into its own database only", async () => {
        const hba = pg.renderPgHba(server);
        await expect(hba).toMatchFileSnapshot("golden/dev/domain-db.pg_hba.conf");
        const tcp = hba.split("\n").filter((l) => /^host/.test(l));
        for (const line of tcp.filter((l) => l.startsWith("hostssl"))) expect(line).toMatch(/scram-sha-256 clientcert=verify-full$/);
        expect(tcp.filter((l) => l.startsWith("hostssl")).map((l) => l.split(/\s+/).slice(1, 3).join("/"))).toEqual([
            "sequencer/sequencer",
            "sequencer/sequencer",
            "mediator/mediator",
            "mediator/mediator",
            "domain/domain",
            "domain/domain",
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
        const cmd = pg.postgresEntrypoint(server).join(" ");
        expect(cmd).toContain("-c ssl=on");
        expect(cmd).toContain("-c ssl_min_protocol_version=TLSv1.3");
        expect(cmd).toContain(`-c hba_file=${pg.PG_HBA_FILE}`);
        expect(cmd).toMatch(/install -o postgres -g postgres -m 600 \S+server\.key/);
        expect(pg.postgresEnv(server).PGPORT).toBe("5432");
        expect(cmd).toContain(`-c max_connections=${server.maxConnections}`);
    });

    it("server keep-alives end a dead or partitioned client's session, and its advisory lock, within seconds", () => {
        const cmd = pg.postgresEntrypoint(server).join(" ");
        for (const s of ["tcp_keepalives_idle=5", "tcp_keepalives_interval=1", "tcp_keepalives_count=5", "tcp_user_timeout=10000"]) expect(cmd).toContain(`-c ${s}`);
        const k = pg.SERVER_KEEPALIVES;
        expect(k.idleSeconds + k.intervalSeconds * k.count).toBeLessThanOrEqual(10);
    });
});

describe("max_connections, from the nodes that use each server (Canton 2.9 manual, Max Connection Settings)", () => {
    it("domain server: 2 HA sequencers (2X), 2 mediators and the domain manager (X), each + X at start-up, + headroom", () => {
        // X = 16 (postgres.maxConnections): sequencers 2 x (32 + 16), mediators 2 x (16 + 16), domain manager 16 + 16, headroom 10.
        expect(server.maxConnections).toBe(2 * 48 + 2 * 32 + 32 + 10);
        expect(server.maxConnections).toBeGreaterThan(100); // Postgres' default would not do
    });

    it("participant servers: X + Y + 2 per replica (Y = ingestion-parallelism 16), + X at start-up, + headroom", () => {
        const plan = devPlan();
        const [p1, p2] = [plan.databaseServers.find((d) => d.id === "participant1-db")!, plan.databaseServers.find((d) => d.id === "participant2-db")!];
        expect(p1.maxConnections).toBe(2 * (16 + 16 + 2 + 16) + 10); // two replicas
        expect(p2.maxConnections).toBe(1 * (16 + 16 + 2 + 16) + 10);
        expect(replicaConnections("participant", 8)).toBe(8 + INDEXER_INGESTION_PARALLELISM + 2 + 8);
    });

    it("grow with the pool size and give way to an explicit postgres.serverMaxConnections", () => {
        const bigger = buildPlan(parseConfig(raw({ postgres: { maxConnections: 32 } })), "t").databaseServers[0];
        expect(bigger.maxConnections).toBe(2 * 96 + 2 * 64 + 64 + 10);
        const fixed = buildPlan(parseConfig(raw({ postgres: { serverMaxConnections: 500 } })), "t");
        expect(fixed.databaseServers.map((d) => d.maxConnections)).toEqual([500, 500, 500]);
    });
});
