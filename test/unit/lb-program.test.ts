// The program under mocks in load-balancer mode (the BIG fixture): one proxy in front of the
// sequencers, one per participant with more than one replica, each with the right certificates.
// (program-dev.test.ts checks that client-side mode has none.)
import { beforeAll, describe, expect, it } from "vitest";
import { BIG, raw } from "../support/fixtures";
import { isSecretValue, Registered, registered, setUpMocks, valueOf, ofType, uploadsOf } from "../support/mocks";

let resources: Registered[];
const typed = (t: string) => ofType(resources, t);
const container = (name: string) => typed("docker:index/container:Container").find((c) => c.name === name)!;
const uploads = (name: string): Record<string, string> => uploadsOf(container(name));

beforeAll(async () => {
    await setUpMocks("big", raw({ ...BIG, platform: "docker" }));
    const program = await import("../../index");
    await valueOf(program.caChains);
    resources = await registered();
});

describe("load-balancer mode under mocks", () => {
    it("creates a LoadBalancer for the sequencers and for each replicated participant, none for a single replica", () => {
        const lbs = typed("canton-ha:lb:LoadBalancer");
        expect(lbs.map((l) => l.name).sort()).toEqual(["bank-proxy", "custodian-proxy", "sequencer-proxy"]);
        // Each proxy belongs to what it fronts (it was a child of the topology: aliased).
        expect(Object.fromEntries(lbs.map((l) => [l.name, l.parentTypes.at(-1)]))).toEqual({
            "sequencer-proxy": "canton-ha:domain:Domain",
            "bank-proxy": "canton-ha:participant:Participant",
            "custodian-proxy": "canton-ha:participant:Participant",
        });
        for (const c of ["bank-proxy", "custodian-proxy", "sequencer-proxy"]) {
            expect(container(c).parentTypes.at(-1)).toBe("canton-ha:lb:LoadBalancer");
        }
        expect(typed("docker:index/container:Container").find((c) => c.name === "exchange-proxy")).toBeUndefined();
    });

    it("runs haproxy:2.6 by default, with its rendered config, publishing the front ports on loopback", () => {
        expect(typed("docker:index/remoteImage:RemoteImage").map((i) => i.state.name)).toContain("haproxy:2.6");
        const seq = container("sequencer-proxy");
        expect(seq.state.image).toBe("sha256:image-haproxy-2-6");
        expect(seq.state.command).toEqual(["haproxy", "-W", "-db", "-f", "/usr/local/etc/haproxy/haproxy.cfg"]);
        expect(seq.state.ports).toEqual([{ internal: 4401, external: 4401, ip: "127.0.0.1" }]);
        expect(seq.state.healthcheck.tests).toEqual(["CMD", "bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/4401"]);
        expect(container("custodian-proxy").state.ports.map((p: any) => p.internal)).toEqual([10031, 10032]);
        expect(container("bank-proxy").state.networksAdvanced[0].aliases).toEqual(["bank.bank.canton.local", "bank-proxy"]);
        const cfg = uploads("bank-proxy")["/usr/local/etc/haproxy/haproxy.cfg"];
        expect(cfg).toContain("frontend bank-ledger-api");
        expect(cfg).toContain("server bank-3 bank-3.bank.canton.local:10017");
    });

    it("gives the sequencer proxy a domain-CA server certificate and no client certificate", () => {
        const files = uploads("sequencer-proxy");
        expect(Object.keys(files).sort()).toEqual([
            "/etc/canton-ha-proxy/await-backend.lua",
            "/etc/canton-ha-proxy/tls/backend-ca-chain.pem",
            "/etc/canton-ha-proxy/tls/server-chain.pem",
            "/etc/canton-ha-proxy/tls/server.key",
            "/etc/canton-ha-proxy/tls/server.pem",
            "/usr/local/etc/haproxy/haproxy.cfg",
        ]);
        expect(files["/etc/canton-ha-proxy/tls/server-chain.pem"]).toContain("domain-sequencer-proxy");
        expect(files["/etc/canton-ha-proxy/tls/server-chain.pem"]).toContain("domain-ca-intermediate");
        expect(files["/etc/canton-ha-proxy/tls/backend-ca-chain.pem"]).toContain("domain-ca-root");
        expect(files["/etc/canton-ha-proxy/tls/server.pem"]).toMatch(/domain-sequencer-proxy[\s\S]*PRIVATE KEY/);
        const csr = typed("tls:index/certRequest:CertRequest").find((c) => c.name === "domain-sequencer-proxy")!;
        expect(csr.state.dnsNames).toEqual(["sequencer.domain.canton.local", "sequencer-proxy", "localhost"]);
    });

    it("gives each participant proxy its participant's CA: server cert, client CA, and its own backend client cert", () => {
        for (const p of ["bank", "custodian"]) {
            const files = uploads(`${p}-proxy`);
            expect(files["/etc/canton-ha-proxy/tls/server-chain.pem"]).toContain(`${p}-${p}-proxy`);
            expect(files["/etc/canton-ha-proxy/tls/server-chain.pem"]).toContain(`${p}-ca-intermediate`);
            expect(files["/etc/canton-ha-proxy/tls/client-ca-chain.pem"]).toContain(`${p}-ca-root`);
            expect(files["/etc/canton-ha-proxy/tls/backend-ca-chain.pem"]).toContain(`${p}-ca-root`);
            expect(files["/etc/canton-ha-proxy/tls/backend-client-chain.pem"]).toContain(`${p}-proxy-client`);
            expect(files["/etc/canton-ha-proxy/tls/backend-client.pem"]).toMatch(new RegExp(`${p}-proxy-client[\\s\\S]*PRIVATE KEY`));
            // Nothing from another trust domain.
            for (const other of ["domain-", p === "bank" ? "custodian-" : "bank-"]) {
                for (const f of Object.values(files)) expect(f).not.toContain(`${other}ca-`);
            }
        }
        const client = typed("tls:index/locallySignedCert:LocallySignedCert").find((c) => c.name === "bank-proxy-client")!;
        expect([...client.state.allowedUses].sort()).toEqual(["client_auth", "digital_signature", "key_encipherment"]);
        const csr = typed("tls:index/certRequest:CertRequest").find((c) => c.name === "bank-proxy-client")!;
        expect(csr.state.subject.commonName).toBe("bank-proxy");
    });

    it("keeps the proxies' keys secret", () => {
        for (const c of ["bank-proxy", "sequencer-proxy"]) expect(isSecretValue(container(c).state.uploads)).toBe(true);
    });
});
