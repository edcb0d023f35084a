// Property tests of the pure plan over random valid configs (fast-check), as pulumi-awsx
// tests its subnet layout: whatever the operator asks for, ids, names and ports are unique,
// every host's certificate covers every name it is reached by, and every client has the
// trust it needs.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { domainRemoteConfig, participantRemoteConfig } from "../../components/bootstrap/remote-config";
import { ConfigError, parseConfig } from "../../components/config";
import { allHosts, buildPlan } from "../../components/plan/build";
import type { CertificatePlan, Host, Plan, TrustDomain } from "../../components/plan/types";
import { raw } from "../support/fixtures";

const NAMES = ["bank", "exchange", "custodian", "broker", "p1", "p2", "clearing"];

/** Configs the schema accepts: 1-6 sequencers, 1-2 mediators, 1-4 participants of 1-4 replicas, both HA modes. */
const configs = fc.record({
    haMode: fc.constantFrom("clientside", "loadbalancer"),
    loadBalancer: fc.record({ kind: fc.constantFrom("haproxy", "nginx") }),
    domain: fc.record({ sequencers: fc.integer({ min: 1, max: 6 }), mediators: fc.integer({ min: 1, max: 2 }) }),
    participants: fc.uniqueArray(fc.constantFrom(...NAMES), { minLength: 1, maxLength: 4 }).chain((names) =>
        fc.tuple(
            ...names.map((name) =>
                fc.record({
                    name: fc.constant(name),
                    replicas: fc.integer({ min: 1, max: 4 }),
                    users: fc.uniqueArray(fc.constantFrom("alice", "bob", "carol"), { maxLength: 3 }),
                    dnsDomain: fc.option(fc.constantFrom(`${name}.example.org`, `${name}.corp.example`), { nil: undefined }),
                }),
            ),
        ),
    ),
});

const plans = configs.map((c) => buildPlan(parseConfig(raw(c)), "prop"));
const dupes = <T>(xs: T[]) => xs.filter((x, i) => xs.indexOf(x) !== i);
const hostOfUrl = (url: string) => new URL(url).hostname;

/** Whether a certificate's SANs cover a name. */
const covers = (c: CertificatePlan, name: string) => c.dnsNames.includes(name) || c.ipAddresses.includes(name);

function trustDomainOf(plan: Plan, host: Host): TrustDomain {
    const td = plan.trustDomains.find((t) => t.certificates.includes(host.serverCert));
    if (!td) throw new Error(`no trust domain issues ${host.id}'s certificate`);
    return td;
}

describe("the plan, over random valid configs", () => {
    it("has unique host ids, DNS names, ports, trust domains and certificate ids", () => {
        fc.assert(
            fc.property(plans, (plan) => {
                const hosts = allHosts(plan);
                expect(dupes(hosts.map((h) => h.id))).toEqual([]);
                expect(dupes(hosts.map((h) => h.fqdn))).toEqual([]);
                expect(dupes(plan.ports.map((p) => p.port))).toEqual([]);
                expect(dupes(plan.trustDomains.map((t) => t.id))).toEqual([]);
                for (const td of plan.trustDomains) expect(dupes(td.certificates.map((c) => c.id))).toEqual([]);
            }),
            { numRuns: 150 },
        );
    });

    it("gives every host a server certificate, issued by one trust domain, covering every name it is reached by", () => {
        fc.assert(
            fc.property(plans, (plan) => {
                for (const h of allHosts(plan)) {
                    expect(h.serverCert.usage).toBe("server");
                    trustDomainOf(plan, h);
                    for (const name of [h.fqdn, ...h.dnsNames]) expect(covers(h.serverCert, name), `${h.id}: ${name}`).toBe(true);
                }
                // Names clients dial: sequencer URLs (direct or the proxy), remote-console addresses.
                const d = plan.domain;
                const domainHosts = allHosts(plan).filter((h) => trustDomainOf(plan, h) === d.trustDomain);
                for (const url of d.sequencerClientUrls) {
                    expect(
                        domainHosts.some((h) => covers(h.serverCert, hostOfUrl(url))),
                        url,
                    ).toBe(true);
                }
                const dialled = [
                    ...[...domainRemoteConfig(d, "prop", 60, "x").matchAll(/address = "([^"]+)"/g)].map((m) => [m[1], d.trustDomain] as const),
                    ...plan.participants.flatMap((p) =>
                        [...participantRemoteConfig(p, "prop", 60, "x").matchAll(/address = "([^"]+)"/g)].map(
                            // A closed domain of this stack: the job also dials the domain manager, in the domain's trust domain.
                            (m) => [m[1], m[1] === p.domain.admission?.host.fqdn ? p.domain.admission.trustDomain : p.trustDomain] as const,
                        ),
                    ),
                ];
                expect(dialled.length).toBeGreaterThan(0);
                for (const [address, td] of dialled) {
                    expect(
                        allHosts(plan).some((h) => trustDomainOf(plan, h) === td && covers(h.serverCert, address)),
                        address,
                    ).toBe(true);
                }
            }),
            { numRuns: 150 },
        );
    });

    it("gives every client the trust it needs: its database in its own trust domain, its domain's URLs, its admin client", () => {
        fc.assert(
            fc.property(plans, (plan) => {
                const dbRefs = [plan.domain.sequencers.db, plan.domain.mediators.db, plan.domain.domainManager.db, ...plan.participants.map((p) => p.db)];
                for (const ref of dbRefs) {
                    // pg_hba verify-full: the client certificate and the server certificate come from one CA.
                    expect(ref.server.trustDomain.certificates).toContain(ref.clientCert);
                    expect(ref.server.trustDomain.certificates).toContain(ref.server.host.serverCert);
                    expect(ref.clientCert!.commonName).toBe(ref.user);
                }
                for (const p of plan.participants) {
                    expect(p.domain.sequencerUrls).toEqual(plan.domain.sequencerClientUrls);
                    expect(p.trustDomain.certificates).toContain(p.trustDomain.adminClient);
                    for (const k of p.auth.publishedKeys) expect(p.trustDomain.certificates).toContain(k.certificate);
                    if (p.proxy) {
                        expect(p.proxy.trustDomain).toBe(p.trustDomain);
                        expect(p.trustDomain.certificates).toContain(p.proxy.clientCert);
                        for (const b of p.proxy.backends) expect(p.replicas.map((r) => r.host)).toContain(b.host);
                    }
                    // Admin workflows dial the listen address: the replicas' certificates cover it.
                    for (const r of p.replicas) expect(r.host.serverCert.ipAddresses).toContain("0.0.0.0");
                }
                expect(plan.domain.trustDomain.certificates).toContain(plan.domain.trustDomain.adminClient);
            }),
            { numRuns: 150 },
        );
    });

    it("rejects, with a ConfigError and never anything else, the configs whose names collide", () => {
        fc.assert(
            fc.property(fc.constantFrom("domain", "sequencer"), fc.constantFrom("clientside", "loadbalancer"), (name, haMode) => {
                const attempt = () => buildPlan(parseConfig(raw({ haMode, domain: { name: "sync" }, participants: [{ name, replicas: 2 }] })), "prop");
                if (name === "domain" || haMode === "loadbalancer") expect(attempt).toThrow(ConfigError);
                else expect(attempt).not.toThrow();
            }),
        );
    });
});
