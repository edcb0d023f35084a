import { describe, expect, it } from "vitest";
import { parseHocon } from "../support/hocon-support";
import { env, HoconObject, renderHocon } from "../../components/canton/hocon";
import { DB_PASSWORD_ENV, files } from "../../components/canton/layout";
import type { Plan } from "../../components/plan/types";
import { bigPlan, devPlan, render } from "../support/fixtures";

/** Every rendered node config of a plan, by file name. */
function allConfigs(plan: Plan): Record<string, string> {
    const out: Record<string, string> = {};
    for (const s of plan.domain.sequencers.nodes) out[`${s.host.id}.conf`] = render.sequencer(plan, s.index);
    for (const m of plan.domain.mediators.replicas) out[`${m.host.id}.conf`] = render.mediator(plan, m.index);
    out["domain-manager.conf"] = render.domainManager(plan);
    for (const p of plan.participants) for (const r of p.replicas) out[`${r.host.id}.conf`] = render.participant(plan, p.name, r.index);
    return out;
}

describe("HOCON writer", () => {
    it("round-trips through a real HOCON parser", async () => {
        const doc: HoconObject = {
            canton: {
                "dotted.key": { "with space": "x y", quote: 'say "hi"\n', unicode: "Zürich" },
                numbers: { zero: 0, neg: -3, big: 4401, frac: 0.25 },
                flags: { yes: true, no: false, none: null },
                list: [1, "two", { three: 3 }, []],
                empty: {},
                dropped: undefined,
                secret: env("SOME_SECRET"),
            },
        };
        const parsed = await parseHocon(renderHocon(doc, "header line"), { SOME_SECRET: "s3cret" });
        expect(parsed).toEqual({
            canton: {
                "dotted.key": { "with space": "x y", quote: 'say "hi"\n', unicode: "Zürich" },
                numbers: { zero: 0, neg: -3, big: 4401, frac: 0.25 },
                flags: { yes: true, no: false, none: null },
                list: [1, "two", { three: 3 }, []],
                empty: {},
                secret: "s3cret",
            },
        });
    });

    it("refuses values HOCON cannot hold", () => {
        expect(() => renderHocon({ x: Number.NaN })).toThrow(/NaN/);
    });
});

describe("node configs: golden files", () => {
    for (const [name, plan] of [
        ["dev", devPlan()],
        ["big-lb", bigPlan("loadbalancer")],
    ] as const) {
        for (const [file, text] of Object.entries(allConfigs(plan))) {
            it(`${name}/${file}`, async () => {
                await expect(text).toMatchFileSnapshot(`golden/${name}/${file}`);
            });
        }
    }
});

describe("node configs: parsed back", () => {
    const plan = devPlan();

    it("sequencer: TLS without client auth on the public API, mTLS on admin, HA on the shared DB", async () => {
        const c = (await parseHocon(render.sequencer(plan, 2))).canton.sequencers.sequencer2;
        expect(c["public-api"]).toEqual({
            address: "0.0.0.0",
            port: 4421,
            tls: { "cert-chain-file": files.serverChain, "private-key-file": files.serverKey, "minimum-server-protocol-version": "TLSv1.3" },
        });
        expect(c["admin-api"].port).toBe(4422);
        expect(c["admin-api"].tls["client-auth"].type).toBe("require");
        expect(c["admin-api"].tls["trust-collection-file"]).toBe(files.caChain);
        expect(c.sequencer).toEqual({ type: "database", "high-availability": { enabled: true, "total-node-count": 10 } });
        // Current 2.x has no node-index; the older docs' key must not appear.
        expect(JSON.stringify(c)).not.toContain("node-index");
    });

    it("storage: Postgres over verify-full TLS with a client cert, password from the environment", async () => {
        const s = (await parseHocon(render.sequencer(plan, 1))).canton.sequencers.sequencer1.storage;
        expect(s.type).toBe("postgres");
        expect(s.config.properties).toEqual({
            serverName: "db.domain.canton.local",
            portNumber: 5432,
            databaseName: "sequencer",
            user: "sequencer",
            password: "pw-from-env",
            ssl: true,
            sslmode: "verify-full",
            sslrootcert: files.caChain,
            sslcert: files.dbClientCert,
            sslkey: files.dbClientKeyDer,
        });
        expect(s.parameters["max-connections"]).toBe(16);
    });

    it("no rendered config contains a password", () => {
        for (const text of Object.values(allConfigs(plan))) {
            expect(text).toContain(`\${${DB_PASSWORD_ENV}}`);
            expect(text).not.toMatch(/password\s*=\s*"/);
        }
    });

    it("mediator replicas share one node name and database, with replication on", async () => {
        const [a, b] = await Promise.all([1, 2].map(async (i) => (await parseHocon(render.mediator(plan, i))).canton.mediators));
        expect(Object.keys(a)).toEqual(["mediator"]);
        expect(Object.keys(b)).toEqual(["mediator"]);
        expect(a.mediator.replication.enabled).toBe(true);
        expect(a.mediator.storage).toEqual(b.mediator.storage);
        expect([a.mediator["admin-api"].port, b.mediator["admin-api"].port]).toEqual([4602, 4604]);
    });

    it("domain manager: admin API and protocol version", async () => {
        const d = (await parseHocon(render.domainManager(plan))).canton["domain-managers"].domain;
        expect(d["admin-api"].port).toBe(4801);
        expect(d.init["domain-parameters"]["protocol-version"]).toBe(5);
        expect(d.storage.config.properties.databaseName).toBe("domain");
    });

    it("participant replicas: same name and DB, mTLS ledger API, is-active health on their own port", async () => {
        const [r1, r2] = await Promise.all([1, 2].map((i) => parseHocon(render.participant(plan, "participant1", i))));
        for (const [doc, health, ledger] of [
            [r1, 8001, 10011],
            [r2, 8002, 10015],
        ] as const) {
            const p = doc.canton.participants.participant1;
            expect(Object.keys(doc.canton.participants)).toEqual(["participant1"]);
            expect(p.replication.enabled).toBe(true);
            expect(p["ledger-api"].port).toBe(ledger);
            expect(p["ledger-api"].tls["client-auth"].type).toBe("require");
            expect(p["ledger-api"].tls["minimum-server-protocol-version"]).toBe("TLSv1.3");
            expect(p.storage.config.properties.databaseName).toBe("participant1");
            expect(p.storage.config.properties.serverName).toBe("db.participant1.canton.local");
            expect(doc.canton.monitoring.health).toEqual({ server: { address: "0.0.0.0", port: health }, check: { type: "is-active" } });
        }
        expect(r1.canton.participants.participant1.storage).toEqual(r2.canton.participants.participant1.storage);
    });
});
