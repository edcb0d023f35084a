// docs/auth.md, "JWKS delivery": on Kubernetes a JWKS change restarts every replica of the
// participant. The file is mounted with `subPath`, which kubelet never updates in a running
// pod, and it is part of the checksum on each replica's pod template, so a new JWKS is a new
// pod. That restart is also what ends Canton's 10-hour key cache, so a retired key stops
// verifying. If this test fails, docs/auth.md and the rotation runbook in the README are wrong.
//
// The participant's replica set runs three times on the Kubernetes platform under mocks:
// JWKS A, JWKS B, then JWKS A again (the control: the checksum is deterministic).
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { JWKS_FILE } from "../../components/auth/ledger-api";
import type { NodeTrust } from "../../components/canton/workload";
import { parseConfig } from "../../components/config";
import type { Database } from "../../components/database";
import { ParticipantReplicaSet } from "../../components/participant/replica-set";
import { buildPlan } from "../../components/plan/build";
import type { ParticipantSet } from "../../components/plan/types";
import { KubernetesPlatform } from "../../components/platform/kubernetes/platform";
import { CHECKSUM_ANNOTATION, INSTANCE_LABEL } from "../../components/platform/kubernetes/labels";
import { publicFile } from "../../components/platform/types";
import { raw } from "../support/fixtures";
import { K8sObject, ofKind, registeredObjects } from "../support/k8s-manifests";
import { setUpMocks } from "../support/mocks";

const STACK = "jwks";
const config = raw({ platform: "kubernetes", haMode: "clientside", participants: [{ name: "participant1", replicas: 2, users: ["alice"] }] });
const plan = buildPlan(parseConfig(config), STACK);
const participant = plan.participants[0];

const JWKS_A = JSON.stringify({ keys: [{ kid: "g1" }] });
const JWKS_B = JSON.stringify({ keys: [{ kid: "g2" }, { kid: "g1" }] });

/** Certificates and a database as placeholders: only the JWKS differs between runs. */
function fakeTrust(p: ParticipantSet): NodeTrust {
    const leaf = (id: string) => ({
        certPem: pulumi.output(`CERT(${id})`),
        chainPem: pulumi.output(`CHAIN(${id})`),
        privateKeyPem: pulumi.secret(`KEY(${id})`),
        privateKeyDerBase64: pulumi.secret(`DER(${id})`),
    });
    const pki = { trustDomain: p.trustDomain.id, rootCertPem: pulumi.output("ROOT"), chainPem: pulumi.output("CA-CHAIN"), certificate: (c: { id: string }) => leaf(c.id) };
    return { trustDomain: p.trustDomain, pki, domainCaChainPem: "DOMAIN-CA-CHAIN" };
}

function fakeDatabase(p: ParticipantSet): Database {
    return { server: p.db.server, ready: [], connection: (ref) => ({ ref, password: pulumi.secret("db-password") }) };
}

/** One run: the participant's replicas deployed with `jwks`, under their own instance label. */
function deployWith(run: string, jwks: string): void {
    // A parent type per run keeps the three runs' URNs apart.
    const parent = new pulumi.ComponentResource(`test:jwks:${run}`, run);
    const platform = new KubernetesPlatform({ settings: plan.kubernetes!, instance: run, retainNamespace: false }, parent);
    new ParticipantReplicaSet(
        participant.name,
        {
            participant,
            stack: STACK,
            trust: fakeTrust(participant),
            database: fakeDatabase(participant),
            platform,
            dependsOn: [],
            extraFiles: [publicFile(JWKS_FILE, jwks)],
        },
        { parent },
    );
}

const RUNS = ["before", "after", "again"] as const;
type Run = (typeof RUNS)[number];
/** Each run's participant replica Deployments, by replica id. */
const deployments = new Map<Run, Map<string, K8sObject>>();

beforeAll(async () => {
    delete process.env.KUBECONFIG;
    await setUpMocks(STACK, config);
    const jwksOf: Record<Run, string> = { before: JWKS_A, after: JWKS_B, again: JWKS_A };
    const ids = participant.replicas.map((r) => r.host.id);
    for (const run of RUNS) {
        // Runs register the same URNs (the mock monitor keys by URN and the immediate parent's
        // type), so each run is read before the next one replaces it.
        deployWith(run, jwksOf[run]);
        const objs = await registeredObjects();
        const mine = ofKind(objs, "Deployment").filter((d) => d.metadata.labels?.[INSTANCE_LABEL] === run && ids.includes(d.metadata.name));
        deployments.set(run, new Map(mine.map((d) => [d.metadata.name, d])));
    }
});

/** The Deployment of replica `id` in `run`; fails the test if there is none. */
function deploymentOf(run: Run, id: string): K8sObject {
    const d = deployments.get(run)?.get(id);
    expect(d, `${run}: Deployment ${id}`).toBeDefined();
    return d!;
}

const checksumOf = (d: K8sObject): string | undefined => d.spec.template.metadata.annotations?.[CHECKSUM_ANNOTATION];
const replicaIds = participant.replicas.map((r) => r.host.id);

describe("Kubernetes: a JWKS change restarts every replica of the participant", () => {
    it("plans two replicas, and deploys exactly them in every run", () => {
        expect(replicaIds).toHaveLength(2);
        for (const run of RUNS) expect([...(deployments.get(run)?.keys() ?? [])].sort(), run).toEqual([...replicaIds].sort());
    });

    it("changes the checksum on every replica's pod template, and only because of the JWKS", () => {
        for (const id of replicaIds) {
            const before = checksumOf(deploymentOf("before", id));
            expect(before, id).toMatch(/^[0-9a-f]{64}$/);
            expect(checksumOf(deploymentOf("after", id)), id).not.toBe(before);
            expect(checksumOf(deploymentOf("again", id)), id).toBe(before);
        }
    });

    it("mounts the JWKS with subPath, so a running pod never sees a new one", () => {
        for (const id of replicaIds) {
            const mounts = deploymentOf("before", id).spec.template.spec.containers.flatMap((c: any) => c.volumeMounts ?? []);
            const jwks = mounts.find((m: any) => m.mountPath === JWKS_FILE);
            expect(jwks, id).toBeDefined();
            expect(jwks.subPath, id).toEqual(expect.any(String));
        }
    });

    it("replaces each replica's pod (Recreate): the old pod, and its key cache, stop before the new one starts", () => {
        for (const id of replicaIds) expect(deploymentOf("before", id).spec.strategy, id).toEqual({ type: "Recreate" });
    });
});
