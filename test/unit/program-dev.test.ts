// The whole program under mocks, with the checked-in dev stack config (Docker platform).
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { stackFileConfig } from "../support/fixtures";
import { isSecretValue, optionsOf, Registered, registered, reveal, setUpMocks, valueOf, ofType } from "../support/mocks";

let program: typeof import("../../index");
let resources: Registered[];
const typed = (t: string) => ofType(resources, t);

beforeAll(async () => {
    await setUpMocks("dev", stackFileConfig("dev"));
    program = await import("../../index");
    await valueOf(program.caChains);
    resources = await registered();
});

describe("dev stack under mocks", () => {
    it("creates one component per piece of the topology", () => {
        const count = (t: string) => typed(t).length;
        expect(count("canton-ha:index:Topology")).toBe(1);
        expect(count("canton-ha:domain:SequencerTier")).toBe(1);
        expect(count("canton-ha:domain:MediatorPair")).toBe(1);
        expect(count("canton-ha:domain:DomainManager")).toBe(1);
        expect(count("canton-ha:participant:ParticipantReplicaSet")).toBe(2);
        expect(count("canton-ha:data:Database")).toBe(3);
        expect(count("canton-ha:pki:CertificateAuthority")).toBe(3);
        // Client-side HA mode: no proxies (test/unit/lb-program.test.ts covers load-balancer mode).
        expect(count("canton-ha:lb:LoadBalancer")).toBe(0);
    });

    it("runs one container per node and database, on one network", () => {
        // Bootstrap jobs are containers too (one-shot, `attach`); bootstrap.test.ts covers them.
        const containers = typed("docker:index/container:Container").filter((c) => !c.state.attach);
        expect(containers.map((c) => c.name).sort()).toEqual([
            "domain-db",
            "domain-manager",
            "mediator1",
            "mediator2",
            "participant1-1",
            "participant1-2",
            "participant1-db",
            "participant2-1",
            "participant2-db",
            "sequencer1",
            "sequencer2",
        ]);
        expect(typed("docker:index/network:Network").map((n) => n.state.name)).toEqual(["canton-ha-dev"]);
        expect(typed("docker:index/volume:Volume").length).toBe(3);
        for (const c of containers) {
            expect(c.state.name).toBe(`canton-ha-dev-${c.name}`);
            expect(c.state.wait).toBe(true);
            expect(c.state.healthcheck.tests[0]).toBe("CMD");
            // Host ports on loopback only, and the same number inside and outside.
            for (const p of c.state.ports) {
                expect(p.ip).toBe("127.0.0.1");
                expect(p.external).toBe(p.internal);
            }
        }
    });

    it("uses the Canton image for nodes and the Postgres image for databases", () => {
        const images = typed("docker:index/remoteImage:RemoteImage")
            .map((i) => i.state.name)
            .sort();
        expect(images).toEqual(["mirror.canton-ha.test/canton-enterprise:2.9.4", "postgres:15"]);
        const seq = typed("docker:index/container:Container").find((c) => c.name === "sequencer1")!;
        expect(seq.state.image).toBe("sha256:image-mirror-canton-ha-test-canton-enterprise-2-9-4");
        // The image's own entry point is the canton executable; only its arguments are set.
        expect(seq.state.entrypoints).toBeUndefined();
        expect(seq.state.command).toEqual(["daemon", "--log-profile=container", "--config=/canton/config/node.conf"]);
    });

    it("issues the reference PKI: root and intermediate per trust domain, leaves below", () => {
        const keys = typed("tls:index/privateKey:PrivateKey");
        const caKeys = keys
            .filter((k) => k.state.rsaBits === 4096)
            .map((k) => k.name)
            .sort();
        expect(caKeys).toEqual([
            "domain-ca-intermediate",
            "domain-ca-root",
            "participant1-ca-intermediate",
            "participant1-ca-root",
            "participant2-ca-intermediate",
            "participant2-ca-root",
        ]);
        expect(keys.filter((k) => k.state.rsaBits === 2048).length).toBe(typed("tls:index/locallySignedCert:LocallySignedCert").length - 3);
        const roots = typed("tls:index/selfSignedCert:SelfSignedCert");
        expect(roots.length).toBe(3);
        for (const r of roots) {
            expect(r.state.isCaCertificate).toBe(true);
            expect(r.state.validityPeriodHours).toBe(20 * 24 * 365);
            expect([...r.state.allowedUses].sort()).toEqual(["cert_signing", "crl_signing", "digital_signature"]);
        }
        const signed = typed("tls:index/locallySignedCert:LocallySignedCert");
        const intermediate = signed.find((s) => s.name === "domain-ca-intermediate")!;
        expect(intermediate.state.isCaCertificate).toBe(true);
        expect(intermediate.state.maxPathLength).toBe(0);
        expect(intermediate.state.validityPeriodHours).toBe(10 * 24 * 365);
        const seqCert = signed.find((s) => s.name === "domain-sequencer1")!;
        expect([...seqCert.state.allowedUses].sort()).toEqual(["digital_signature", "key_encipherment", "server_auth"]);
        expect(seqCert.state.earlyRenewalHours).toBe(24 * 30);
        const dbClient = signed.find((s) => s.name === "participant1-db-participant1")!;
        expect([...dbClient.state.allowedUses].sort()).toEqual(["client_auth", "digital_signature", "key_encipherment"]);
        const csr = typed("tls:index/certRequest:CertRequest").find((c) => c.name === "domain-sequencer1")!;
        // Client-side mode: every sequencer name up to total-node-count (10) too (one channel over every sequencer; plan/build.ts).
        const peers = [2, 3, 4, 5, 6, 7, 8, 9, 10].map((i) => `sequencer${i}.domain.canton.local`);
        expect(csr.state.dnsNames).toEqual(["sequencer1.domain.canton.local", "sequencer1", ...peers, "localhost"]);
        expect(csr.state.ipAddresses).toEqual(["127.0.0.1"]);
    });

    it("parents every resource: nothing floats at the top level except the topology", () => {
        // The mock monitor's URNs carry the immediate parent's type only.
        const parentOf = (type: string, name: string) => resources.find((r) => r.type === type && r.name === name)?.parentTypes.at(-1);
        for (const r of resources) {
            if (r.type === "canton-ha:index:Topology") expect(r.parentTypes).toEqual([]);
            else expect(r.parentTypes.length, r.urn).toBe(1);
        }
        expect(parentOf("canton-ha:pki:CertificateAuthority", "domain-ca")).toBe("canton-ha:index:Topology");
        expect(parentOf("canton-ha:pki:Certificate", "domain-sequencer1")).toBe("canton-ha:pki:CertificateAuthority");
        expect(parentOf("tls:index/privateKey:PrivateKey", "domain-sequencer1")).toBe("canton-ha:pki:Certificate");
        expect(parentOf("tls:index/privateKey:PrivateKey", "domain-ca-root")).toBe("canton-ha:pki:CertificateAuthority");
        expect(parentOf("docker:index/container:Container", "sequencer1")).toBe("canton-ha:domain:SequencerTier");
        expect(parentOf("docker:index/container:Container", "mediator2")).toBe("canton-ha:domain:MediatorPair");
        expect(parentOf("docker:index/container:Container", "domain-manager")).toBe("canton-ha:domain:DomainManager");
        expect(parentOf("docker:index/container:Container", "participant1-2")).toBe("canton-ha:participant:ParticipantReplicaSet");
        expect(parentOf("docker:index/container:Container", "domain-db")).toBe("canton-ha:data:Database");
        expect(parentOf("random:index/randomPassword:RandomPassword", "domain-db-sequencer")).toBe("canton-ha:data:Database");
        expect(parentOf("canton-ha:domain:Domain", "domain")).toBe("canton-ha:index:Topology");
        expect(parentOf("canton-ha:participant:Participant", "participant1")).toBe("canton-ha:index:Topology");
        expect(parentOf("canton-ha:domain:SequencerTier", "sequencers")).toBe("canton-ha:domain:Domain");
        expect(parentOf("canton-ha:participant:ParticipantReplicaSet", "participant1")).toBe("canton-ha:participant:Participant");
    });

    it("keeps the URNs of existing stacks: what moved under Domain and Participant has an alias to its old parent", () => {
        const moved = [
            ["canton-ha:domain:SequencerTier", "sequencers"],
            ["canton-ha:domain:MediatorPair", "mediators"],
            ["canton-ha:domain:DomainManager", "domain-manager"],
            ["canton-ha:bootstrap:Bootstrap", "bootstrap-domain"],
            ["canton-ha:bootstrap:Bootstrap", "bootstrap-participant1"],
            ["canton-ha:participant:ParticipantReplicaSet", "participant1"],
            ["canton-ha:auth:ParticipantAuth", "participant1-auth"],
        ];
        for (const [type, name] of moved) {
            const r = resources.find((x) => x.type === type && x.name === name)!;
            expect(optionsOf(r.urn)?.aliases, `${type} ${name}`).toBe(1);
        }
        // What did not move needs none.
        const ca = resources.find((x) => x.type === "canton-ha:pki:CertificateAuthority" && x.name === "domain-ca")!;
        expect(optionsOf(ca.urn)?.aliases).toBe(0);
    });

    it("makes one password per database user, plus the superuser", () => {
        const names = typed("random:index/randomPassword:RandomPassword")
            .map((p) => p.name)
            .sort();
        expect(names).toEqual([
            "domain-db-domain",
            "domain-db-mediator",
            "domain-db-postgres",
            "domain-db-sequencer",
            "participant1-db-participant1",
            "participant1-db-postgres",
            "participant2-db-participant2",
            "participant2-db-postgres",
        ]);
    });

    it("uploads config, certs and the DER key into each Canton container", () => {
        const seq = typed("docker:index/container:Container").find((c) => c.name === "sequencer1")!;
        // Docker takes uploads and envs as one property each, so one key file (or the password)
        // makes the whole property secret in the state. Which files are secret at the platform
        // boundary, file by file and by content, is checked in topology-order.test.ts.
        expect(isSecretValue(seq.state.uploads)).toBe(true);
        expect(isSecretValue(seq.state.envs)).toBe(true);
        const files = Object.fromEntries(reveal(seq.state.uploads).map((u: any) => [u.file, u]));
        expect(Object.keys(files).sort()).toEqual([
            "/canton/config/node.conf",
            "/canton/tls/admin-client-chain.pem",
            "/canton/tls/admin-client.key",
            "/canton/tls/ca-chain.pem",
            "/canton/tls/db-client.crt",
            "/canton/tls/db-client.pk8",
            "/canton/tls/domain-ca-chain.pem",
            "/canton/tls/server-chain.pem",
            "/canton/tls/server.key",
        ]);
        expect(files["/canton/config/node.conf"].content).toContain("sequencer1 {");
        expect(files["/canton/tls/db-client.pk8"].contentBase64).toBe("MIIBVAIBADANBgkqhkiG9w0BAQEFAASCAT4wggE6AgEAAkEA");
        expect(files["/canton/tls/server-chain.pem"].content).toContain("domain-sequencer1");
        expect(files["/canton/tls/server-chain.pem"].content).toContain("domain-ca-intermediate");
        expect(reveal(seq.state.envs)).toEqual(["CANTON_DB_PASSWORD=password-of-domain-db-sequencer"]);
    });

    it("exports endpoints for every node, with host ports", async () => {
        const ep = await valueOf(program.endpoints);
        expect(ep.sequencerClientUrls).toEqual(["https://sequencer1.domain.canton.local:4401", "https://sequencer2.domain.canton.local:4421"]);
        expect(ep.participants.participant1.replicas.map((r) => r.ledgerApi.published)).toEqual(["127.0.0.1:10011", "127.0.0.1:10015"]);
        expect(ep.participants.participant1.replicas[1].health.inNetwork).toBe("http://participant1-2.participant1.canton.local:8002/health");
        expect(ep.domainManager.adminApi.port).toBe(4801);
    });

    it("keeps admin client keys secret and CA chains public", async () => {
        expect(await pulumi.isSecret(pulumi.output(program.adminClients))).toBe(true);
        for (const [id, client] of Object.entries(await valueOf(program.adminClients))) {
            expect(client.privateKeyPem, id).toContain("PRIVATE KEY");
        }
        expect(await pulumi.isSecret(pulumi.output(program.caChains))).toBe(false);
        const chains = await valueOf(program.caChains);
        expect(Object.keys(chains)).toEqual(["domain", "participant1", "participant2"]);
        expect(chains.domain).toContain("domain-ca-intermediate");
        expect(chains.domain).toContain("domain-ca-root");
    });
});
