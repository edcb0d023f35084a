// Start order in load-balancer mode: proxies sit between the nodes they front and the
// jobs that connect through them.
import { beforeAll, describe, expect, it } from "vitest";
import { bigPlan } from "../support/fixtures";
import { setUpMocks, valueOf } from "../support/mocks";
import { RecordingPlatform } from "../support/recording-platform";

let platform: RecordingPlatform;

beforeAll(async () => {
    await setUpMocks("big", {});
    const { CantonHaTopology } = await import("../../components/topology");
    platform = new RecordingPlatform();
    const topology = new CantonHaTopology("canton-ha", { plan: bigPlan("loadbalancer"), platform });
    await valueOf(topology.urn);
});

describe("load-balancer mode: start order", () => {
    const deps = (id: string) => platform.deployed.get(id)?.dependsOn;
    const jobDeps = (id: string) => platform.jobs.get(id)?.dependsOn;

    it("starts the sequencer proxy after every sequencer", () => {
        expect(deps("sequencer-proxy")).toEqual(["sequencer1", "sequencer2", "sequencer3"]);
    });

    it("bootstraps the domain and the participants only once the sequencer proxy is up", () => {
        expect(jobDeps("bootstrap-domain")).toContain("sequencer-proxy");
        for (const p of ["bank", "exchange", "custodian"]) expect(jobDeps(`bootstrap-participant-${p}`)).toContain("sequencer-proxy");
    });

    it("starts a participant proxy after all its replicas, and only for replicated participants", () => {
        expect(deps("bank-proxy")).toEqual(["bank-1", "bank-2", "bank-3"]);
        expect(deps("custodian-proxy")).toEqual(["custodian-1", "custodian-2"]);
        expect(platform.deployed.has("exchange-proxy")).toBe(false);
    });

    it("runs every proxy with its config, its server key and (participants) its backend client key", async () => {
        const seq = platform.deployed.get("sequencer-proxy")!.spec;
        const bank = platform.deployed.get("bank-proxy")!.spec;
        expect(seq.listeners.map((l) => l.port)).toEqual([4401]);
        expect(bank.listeners.map((l) => l.port)).toEqual([10011, 10012]);
        const paths = (spec: typeof seq) => spec.files.map((f) => f.path).sort();
        const tls = "/etc/canton-ha-proxy/tls";
        expect(paths(seq)).toEqual(
            [
                `${tls}/backend-ca-chain.pem`,
                `${tls}/server-chain.pem`,
                `${tls}/server.key`,
                `${tls}/server.pem`,
                "/etc/canton-ha-proxy/await-backend.lua",
                "/usr/local/etc/haproxy/haproxy.cfg",
            ].sort(),
        );
        expect(paths(bank)).toEqual(expect.arrayContaining([`${tls}/client-ca-chain.pem`, `${tls}/backend-client-chain.pem`, `${tls}/backend-client.key`]));
        // The sequencer proxy asks no client certificate and presents none.
        expect(paths(seq).some((x) => x.includes("client"))).toBe(false);
        const bankCa = await valueOf(bank.files.find((f) => f.path === `${tls}/client-ca-chain.pem`)!.content);
        expect(bankCa).toContain("bank-ca-intermediate");
        const seqCert = await valueOf(seq.files.find((f) => f.path === `${tls}/server-chain.pem`)!.content);
        expect(seqCert).toContain("domain-sequencer-proxy");
        expect(seqCert).toContain("domain-ca-intermediate");
    });
});
