// Start order and secrets, checked on a topology built with a platform that records
// what it is asked to run (so dependsOn can be inspected directly).
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import type { CertificateAuthority } from "../../components/pki/certificate-authority";
import type { CantonHaTopology as Topology } from "../../components/topology";
import { devPlan } from "../support/fixtures";
import { setUpMocks, valueOf } from "../support/mocks";
import { RecordingPlatform } from "../support/recording-platform";

let platform: RecordingPlatform;
let topology: Topology;

beforeAll(async () => {
    await setUpMocks("dev", {});
    const { CantonHaTopology } = await import("../../components/topology");
    platform = new RecordingPlatform();
    topology = new CantonHaTopology("canton-ha", { plan: devPlan(), platform });
    await valueOf(topology.urn);
});

describe("start order follows the walkthrough", () => {
    const deps = (id: string) => platform.deployed.get(id)!.dependsOn;

    it("starts databases first, with no dependencies", () => {
        for (const db of ["domain-db", "participant1-db", "participant2-db"]) expect(deps(db)).toEqual([]);
    });

    it("starts sequencers after the domain database and the recorded total-node-count", () => {
        expect(deps("sequencer1")).toEqual(["recorded", "domain-db"]);
        expect(deps("sequencer2")).toEqual(["recorded", "domain-db"]);
    });

    it("starts mediator 1 after every sequencer, the domain manager after both", () => {
        expect(deps("mediator1")).toEqual(["sequencer1", "sequencer2"]);
        expect(deps("domain-manager")).toEqual(["sequencer1", "sequencer2", "mediator1"]);
    });

    it("bootstraps the domain once every domain node it touches is up", () => {
        expect(platform.jobs.get("bootstrap-domain")!.dependsOn).toEqual(["sequencer1", "sequencer2", "mediator1", "domain-manager"]);
    });

    it("starts the standby mediator only after the domain bootstrap", () => {
        expect(deps("mediator2")).toEqual(["mediator1", "bootstrap:domain"]);
    });

    it("starts participants after the domain manager, joins them after the domain bootstrap", () => {
        expect(deps("participant1-1")).toEqual(["domain-manager", "participant1-db"]);
        expect(deps("participant2-1")).toEqual(["domain-manager", "participant2-db"]);
        expect(platform.jobs.get("bootstrap-participant-participant1")!.dependsOn).toEqual(["bootstrap:domain", "participant1-1"]);
        expect(platform.jobs.get("bootstrap-participant-participant2")!.dependsOn).toEqual(["bootstrap:domain", "participant2-1"]);
    });

    it("starts a participant's second replica only after replica 1 has joined the domain", () => {
        expect(deps("participant1-2")).toEqual(["participant1-1", "bootstrap:participant-participant1"]);
    });
});

describe("secrets", () => {
    it("keeps every private key and password secret", async () => {
        let certificates = 0;
        for (const ca of topology.pkis.values() as Iterable<CertificateAuthority>) {
            for (const [id, cert] of ca.all()) {
                certificates++;
                expect(await pulumi.isSecret(cert.privateKeyPem), id).toBe(true);
                expect(await pulumi.isSecret(cert.privateKeyDerBase64), id).toBe(true);
                expect(await pulumi.isSecret(cert.certPem), id).toBe(false);
            }
        }
        expect(certificates).toBeGreaterThan(15); // every server, client and signing certificate of the dev stack
        let keyFiles = 0;
        const specs = [...platform.deployed.values(), ...platform.jobs.values()].map((x) => x.spec);
        for (const spec of specs) {
            const id = "host" in spec ? spec.host.id : spec.id;
            const pw = Object.entries(spec.env ?? {}).filter(([k]) => /PASSWORD|_PW_|TOKEN/.test(k));
            if ("host" in spec) expect(pw.length, id).toBeGreaterThan(0);
            for (const [k, v] of pw) expect(v.sensitive, `${id} ${k}`).toBe(true);
            for (const [k, v] of Object.entries(spec.env ?? {})) if (!pw.some(([x]) => x === k)) expect(v.sensitive, `${id} ${k}`).toBe(false);
            // By content, whatever the file is called: a file holding a key is secret, a chain is not.
            for (const f of spec.files) {
                const content = String(await valueOf(pulumi.output(f.content)));
                const secret = f.sensitive;
                if (content.includes("PRIVATE KEY") || /\.(key|pk8)$/.test(f.path)) {
                    keyFiles++;
                    expect(secret, `${id} ${f.path}`).toBe(true);
                } else if (f.path.endsWith(".pem")) {
                    expect(secret, `${id} ${f.path} is a public chain`).toBe(false);
                }
            }
        }
        expect(keyFiles).toBeGreaterThan(20);
    });

    it("gives each node the right files", async () => {
        const p1 = platform.deployed.get("participant1-2")!.spec;
        expect(p1.listeners.map((l) => [l.port, l.internal ?? false])).toEqual([
            [10015, false],
            [10016, false],
            [8002, false],
            [8502, true],
        ]);
        const chain = await valueOf(p1.files.find((f) => f.path === "/canton/tls/domain-ca-chain.pem")!.content);
        expect(chain).toContain("domain-ca-intermediate");
        const own = await valueOf(p1.files.find((f) => f.path === "/canton/tls/ca-chain.pem")!.content);
        expect(own).toContain("participant1-ca-intermediate");
        const db = platform.deployed.get("domain-db")!.spec;
        expect(db.files.map((f) => f.path)).toContain("/docker-entrypoint-initdb.d/10-canton-ha.sh");
        expect(db.env?.PGPORT).toEqual({ value: "5432", sensitive: false });
    });
});
