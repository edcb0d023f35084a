import { describe, expect, it } from "vitest";
import type { Plan } from "../../components/plan/types";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { parseConfig } from "../../components/config";
import { buildPlan } from "../../components/plan/build";
import { allHosts } from "../../components/plan/build";
import { BIG, bigPlan, devPlan, raw, render, stackFileConfig } from "../support/fixtures";
import { parseHocon } from "../support/hocon-support";

function allHostIds(plan: Plan): string[] {
    return allHosts(plan).map((h) => h.id);
}

const dupes = (xs: (string | number)[]) => xs.filter((x, i) => xs.indexOf(x) !== i);
const isSequencerName = (n: string) => /^sequencer\d+\./.test(n);

function invariants(name: string, plan: () => Plan) {
    describe(`${name}: invariants`, () => {
        it("gives every host a unique id and FQDN", () => {
            const p = plan();
            expect(dupes(allHostIds(p))).toEqual([]);
            const fqdns = allHosts(p).map((h) => h.fqdn);
            expect(dupes(fqdns)).toEqual([]);
        });

        it("puts every sequencer's client name on every sequencer certificate in client-side mode (one channel, closed hostname check)", () => {
            const p = plan();
            const dialled = p.domain.sequencerClientUrls.map((u) => new URL(u).hostname);
            for (const s of p.domain.sequencers.nodes) {
                const sans = s.host.serverCert.dnsNames;
                if (p.domain.haMode === "clientside") expect(sans, s.host.id).toEqual(expect.arrayContaining(dialled));
                // Behind a proxy clients dial the proxy, which checks each backend by its own name.
                else expect(sans.filter(isSequencerName), s.host.id).toEqual([s.host.fqdn]);
                expect(dupes(sans), s.host.id).toEqual([]);
            }
        });

        it("gives every listener its own port", () => {
            const p = plan();
            expect(p.ports.length).toBeGreaterThan(10);
            expect(dupes(p.ports.map((x) => x.port))).toEqual([]);
        });

        it("puts all replicas of a participant on one database under one node name (as each replica's rendered config says)", async () => {
            const p = plan();
            for (const part of p.participants) {
                // Read back what each replica is actually given, not the plan's one `db` field.
                const rendered = await Promise.all(
                    part.replicas.map(async (r) => {
                        const conf = await parseHocon(render.participant(p, part.name, r.index));
                        const [nodeName] = Object.keys(conf.canton.participants);
                        const props = conf.canton.participants[nodeName].storage.config.properties;
                        return `${nodeName} ${props.serverName}:${props.portNumber}/${props.databaseName} as ${props.user}`;
                    }),
                );
                expect(new Set(rendered).size, rendered.join("; ")).toBe(1);
                expect(rendered[0]).toBe(`${part.name} ${part.db.server.host.fqdn}:${part.db.server.port}/${part.db.database} as ${part.db.user}`);
                expect(p.databaseServers).toContain(part.db.server);
                expect(part.replicas.map((r) => r.index)).toEqual(part.replicas.map((_, i) => i + 1));
            }
        });

        it("puts all sequencers on the shared sequencer database", () => {
            const p = plan();
            const d = p.domain;
            expect(`${d.sequencers.db.server.id}/${d.sequencers.db.database}`).toBe("domain-db/sequencer");
            const sequencerConfigs = d.sequencers.nodes.map((s) => render.sequencer(p, s.index));
            for (const text of sequencerConfigs) expect(text).toContain('databaseName = "sequencer"');
            expect([d.mediators.db.server.id, d.mediators.db.database, d.mediators.db.user]).toEqual(["domain-db", "mediator", "mediator"]);
        });

        it("issues a server cert for every host and a DB client cert per database user", () => {
            const p = plan();
            const ids = p.trustDomains.flatMap((t) => t.certificates.filter((c) => c.usage === "server").map((c) => c.id));
            expect(new Set(ids)).toEqual(new Set(allHostIds(p)));
            for (const db of p.databaseServers) {
                expect(p.trustDomains).toContain(db.trustDomain);
                for (const d of db.databases) {
                    expect(d.clientCert!.commonName).toBe(d.user);
                    expect(db.trustDomain.certificates).toContain(d.clientCert);
                }
            }
            for (const td of p.trustDomains) {
                for (const c of td.certificates.filter((x) => x.usage === "server")) {
                    expect(c.dnsNames).toContain("localhost");
                    expect(c.ipAddresses).toContain("127.0.0.1");
                    expect(c.dnsNames).toContain(c.commonName);
                }
            }
        });
    });
}

invariants("dev stack", devPlan);
invariants("big stack, load balancer", () => bigPlan("loadbalancer"));
invariants("big stack, client-side", () => bigPlan("clientside"));
invariants("big stack, client-side, Kubernetes names", () => buildPlan(parseConfig(raw({ ...BIG, haMode: "clientside", platform: "kubernetes" })), "big"));

describe("client-side sequencer certificates", () => {
    const planWith = (sequencers: number) => buildPlan(parseConfig(raw({ haMode: "clientside", domain: { sequencers, totalNodeCount: 4 } })), "scale");
    const sansOf = (plan: Plan, index: number) => plan.domain.sequencers.nodes[index - 1].host.serverCert.dnsNames;

    it("carry the name of every sequencer the domain can have (total-node-count), so adding one restarts none of the others", () => {
        const [two, three] = [planWith(2), planWith(3)];
        for (const i of [1, 2]) expect(sansOf(three, i), `sequencer${i}`).toEqual(sansOf(two, i));
        for (const i of [1, 2]) expect(sansOf(two, i).filter(isSequencerName).sort()).toEqual([1, 2, 3, 4].map((k) => `sequencer${k}.domain.canton.local`));
    });
});

describe("dev stack follows the walkthrough", () => {
    const plan = devPlan();

    it("uses the reference ports in client-side mode", () => {
        const port = (owner: string, listener: string) => plan.ports.find((p) => p.owner === owner && p.listener === listener)?.port;
        expect([port("sequencer1", "public-api"), port("sequencer1", "admin-api"), port("sequencer1", "grpc-health")]).toEqual([4401, 4402, 4403]);
        expect([port("sequencer2", "public-api"), port("sequencer2", "admin-api"), port("sequencer2", "grpc-health")]).toEqual([4421, 4422, 4423]);
        expect([port("mediator1", "admin-api"), port("mediator2", "admin-api")]).toEqual([4602, 4604]);
        expect([port("mediator1", "grpc-health"), port("mediator2", "grpc-health")]).toEqual([4702, 4704]);
        expect([port("domain-manager", "admin-api"), port("domain-manager", "grpc-health")]).toEqual([4801, 4803]);
        expect([port("participant1-1", "grpc-health"), port("participant1-2", "grpc-health"), port("participant2-1", "grpc-health")]).toEqual([8501, 8502, 8511]);
        expect([port("participant1-1", "ledger-api"), port("participant1-1", "admin-api"), port("participant1-1", "health")]).toEqual([10011, 10012, 8001]);
        expect([port("participant1-2", "ledger-api"), port("participant1-2", "admin-api"), port("participant1-2", "health")]).toEqual([10015, 10016, 8002]);
        expect([port("participant2-1", "ledger-api"), port("participant2-1", "admin-api")]).toEqual([10021, 10022]);
        expect([port("domain-db", "postgres"), port("participant1-db", "postgres"), port("participant2-db", "postgres")]).toEqual([5432, 5433, 5434]);
    });

    it("gives the domain database one database and user per domain node kind", () => {
        expect(plan.databaseServers[0].databases.map((d) => [d.database, d.user])).toEqual([
            ["sequencer", "sequencer"],
            ["mediator", "mediator"],
            ["domain", "domain"],
        ]);
    });

    it("hands every sequencer client every sequencer URL", () => {
        expect(plan.domain.sequencerClientUrls).toEqual(["https://sequencer1.domain.canton.local:4401", "https://sequencer2.domain.canton.local:4421"]);
        for (const p of plan.participants) expect(p.domain.sequencerUrls).toEqual(plan.domain.sequencerClientUrls);
        expect(plan.domain.sequencerProxy).toBeUndefined();
        expect(plan.participants.every((p) => p.proxy === undefined)).toBe(true);
    });

    it("has one PKI per trust domain", () => {
        expect(plan.trustDomains.map((t) => t.id)).toEqual(["domain", "participant1", "participant2"]);
    });
});

describe("load-balancer mode", () => {
    const plan = bigPlan("loadbalancer");

    it("moves sequencers behind a proxy on the front port", () => {
        expect(plan.domain.sequencers.nodes.map((s) => s.publicApi.port)).toEqual([4411, 4421, 4431]);
        expect(plan.domain.sequencerProxy?.listeners).toEqual([{ name: "public-api", port: 4401 }]);
        expect(plan.domain.sequencerClientUrls).toEqual(["https://sequencer.domain.canton.local:4401"]);
        expect(plan.domain.sequencerProxy?.backends.map((b) => b.ports["public-api"])).toEqual([4411, 4421, 4431]);
    });

    it("fronts every replicated participant, and only those", () => {
        const [bank, exchange, custodian] = plan.participants;
        expect(bank.proxy?.listeners.map((l) => l.port)).toEqual([10011, 10012]);
        expect(bank.replicas.map((r) => r.ledgerApi.port)).toEqual([10013, 10015, 10017]);
        expect(bank.proxy?.backends.map((b) => b.healthPort)).toEqual([8001, 8002, 8003]);
        expect(exchange.proxy).toBeUndefined();
        expect(exchange.replicas[0].ledgerApi.port).toBe(10021);
        expect(custodian.proxy?.host.fqdn).toBe("custodian.custody.example.org");
        const td = bank.trustDomain;
        expect(bank.proxy?.clientCert).toMatchObject({ id: "proxy-client", usage: "client" });
        expect(td.certificates).toContain(bank.proxy?.clientCert);
        expect(td.certificates.find((c) => c.id === "bank-proxy")?.usage).toBe("server");
    });
});

describe("checked-in stack configs", () => {
    const stacks = readdirSync(join(__dirname, "..", ".."))
        .filter((f) => /^Pulumi\.[a-z0-9-]+\.yaml$/.test(f))
        .map((f) => f.split(".")[1]);

    it("include dev and prod", () => {
        expect(stacks).toEqual(expect.arrayContaining(["dev", "prod"]));
    });

    it.each(stacks)("Pulumi.%s.yaml validates and plans", (stack) => {
        const plan = buildPlan(parseConfig(stackFileConfig(stack)), stack);
        expect(plan.domain.sequencers.nodes.length).toBeGreaterThan(0);
    });

    it("prod runs proxies in front of every replicated participant and keeps its data", () => {
        const plan = buildPlan(parseConfig(stackFileConfig("prod")), "prod");
        expect(plan.domain.haMode).toBe("loadbalancer");
        expect(plan.domain.sequencerProxy).toBeDefined();
        expect(plan.participants.every((p) => p.proxy !== undefined)).toBe(true);
        expect(plan.databaseServers.every((d) => d.retainData)).toBe(true);
        expect(plan.protectState).toBe(true);
    });
});
