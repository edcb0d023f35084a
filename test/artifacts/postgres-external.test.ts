// An external (managed) Postgres: no database workload, nodes connect with verify-full against
// the provider's CA chain, with or without client certificates. A real Postgres 15 plays the
// managed server, set up as docs/external-postgres.md advises its DBA (the rendered pg_hba and
// role script); the test then connects exactly as the rendered Canton storage config says.
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { participantConfig } from "../../components/canton/node-config";
import { files } from "../../components/canton/layout";
import { parseConfig } from "../../components/config";
import * as render from "../../components/postgres/render";
import { buildPlan } from "../../components/plan/build";
import type { Plan } from "../../components/plan/types";
import { rawExactly } from "../support/fixtures";
import { parseHocon } from "../support/hocon-support";
import { generatePki, type Pki } from "../support/pki";
import { passwordEnvs, startRenderedPostgres, type RenderedPostgres } from "../support/rendered-postgres";

const PASSWORDS = { participant1: "p1-secret-pw", participant2: "p2-secret-pw" };

function planWith(external: Record<string, unknown>): Plan {
    return buildPlan(
        parseConfig(rawExactly({ platform: "none", postgres: { passwords: "config", external }, participants: [{ name: "participant1" }, { name: "participant2" }] })),
        "ext",
    );
}

for (const clientCertificates of [false, true]) {
    describe(`external Postgres, ${clientCertificates ? "with" : "without"} client certificates, on a real Postgres 15`, () => {
        let provider: Pki;
        let pg: RenderedPostgres;
        let plan: Plan;

        beforeAll(async () => {
            // The managed service's own CA, and client certificates for its users (when it asks).
            provider = await generatePki({ name: "managed", servers: [{ name: "db", dns: ["localhost"] }], clients: ["participant1", "participant2"] });
            const seed = planWith({ host: "localhost", caChainFile: provider.caChain, clientCertificates });
            pg = await startRenderedPostgres({ server: seed.databaseServers.find((d) => d.id === "participant1-db")!, pki: provider, tlsServerName: "localhost" });
            const r = pg.runScript("roles.sh", render.renderInitScript(seed.databaseServers.find((d) => d.id === "participant1-db")!), passwordEnvs(PASSWORDS));
            expect(r.code, r.stderr).toBe(0);
            plan = planWith({ host: "localhost", port: pg.port, caChainFile: provider.caChain, clientCertificates });
        }, 240_000);

        afterAll(async () => {
            await pg?.stop();
            provider?.remove();
        });

        it("plans no server certificate of ours, and client certificates only when asked", () => {
            const server = plan.databaseServers.find((d) => d.id === "participant1-db")!;
            expect(server.external).toEqual({ caChainFile: provider.caChain });
            expect(server.host.serverCert).toBeUndefined();
            expect(plan.trustDomains.flatMap((t) => t.certificates.map((c) => c.id)).filter((id) => id.endsWith("-db"))).toEqual([]);
            expect(server.databases[0].clientCert !== undefined).toBe(clientCertificates);
        });

        it("connects as the rendered Canton storage config says: verify-full against the provider's chain, over TLS 1.3", async () => {
            const p = plan.participants.find((x) => x.name === "participant1")!;
            const props = (await parseHocon(participantConfig(p, p.replicas[0], "ext"))).canton.participants.participant1.storage.config.properties;
            expect(props).toMatchObject({
                serverName: "localhost",
                portNumber: pg.port,
                databaseName: "participant1",
                user: "participant1",
                sslmode: "verify-full",
                sslrootcert: files.dbServerCaChain,
            });
            expect("sslcert" in props).toBe(clientCertificates);
            // The files the node would hold at those paths: the provider's chain, and (if asked) the user's client certificate.
            const local: Record<string, string> = { [files.dbServerCaChain]: provider.caChain };
            if (clientCertificates) Object.assign(local, { [files.dbClientCert]: provider.clients.participant1.cert, [files.dbClientKeyDer]: provider.clients.participant1.key });
            expect(fs.readFileSync(local[props.sslrootcert], "utf8")).toContain("BEGIN CERTIFICATE");
            const asRendered = await pg.connect({
                user: props.user,
                database: props.databaseName,
                password: PASSWORDS.participant1,
                clientCert: props.sslcert ? { cert: local[props.sslcert], key: local[props.sslkey] } : null,
            });
            expect(asRendered).toBe("participant1 over TLSv1.3");
        });

        it(clientCertificates ? "refuses a client without its certificate" : "needs the password, not a certificate", async () => {
            const withoutCert = await pg.connect({ user: "participant1", database: "participant1", password: PASSWORDS.participant1, clientCert: null });
            if (clientCertificates) expect(withoutCert).toMatch(/^rejected/);
            else expect(withoutCert).toBe("participant1 over TLSv1.3");
            expect(await pg.connect({ user: "participant1", database: "participant1", password: "wrong", clientCert: null })).toMatch(/^rejected/);
        });
    });
}

describe("external Postgres config", () => {
    it("needs passwords from config and a readable CA chain", () => {
        expect(() => parseConfig(rawExactly({ platform: "none", postgres: { external: { host: "db.example", caChainFile: "ca.pem" } } }))).toThrow(
            /canton-ha:postgres\.passwords: must be 'config' with postgres\.external/,
        );
        expect(() => parseConfig(rawExactly({ platform: "none", postgres: { passwords: "config", external: { host: "Not A Host", caChainFile: "ca.pem" } } }))).toThrow(
            /canton-ha:postgres\.external\.host: must be a lower-case DNS name/,
        );
        expect(path.isAbsolute(files.dbServerCaChain)).toBe(true);
    });
});
