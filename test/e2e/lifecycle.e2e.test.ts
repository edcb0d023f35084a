// The end to end on the project's own Kubernetes cluster (tools/cluster/), as users run the
// program: the real CLI and the real kubernetes provider, `Pulumi.e2e.yaml` in load-balancer
// mode with HAProxy. up -> every pod runs, the active replicas are the routed ones -> traffic
// from outside and inside with the stack's certificates and tokens -> no plaintext secret in
// the state -> failover of a participant and of a sequencer -> a no-op up -> one more replica
// -> destroy leaves only the retained claims -> up again on them -> the drop counter.
// The Canton image is the stand-in node, a TEST DOUBLE (test/standin/README.md).
import { writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { policyPackIn, repoRoot } from "../engine/engine";
import { dropCounter, expectedState, kubectl, kubectlJson, objectsOf, pods, podState, settledPods, waitFor } from "./cluster";
import { makeE2eStack, STEP, type E2eStack } from "./stack";
import { callFromPod, ledgerClient, reconnectingCaller, sequencerClients, untilOk } from "./traffic";

const STACK = "e2e-lb";

describe("e2e on Kubernetes: load-balancer mode, HAProxy", () => {
    let s: E2eStack;
    let outputs: Record<string, any>;
    let dropsBefore: number;

    beforeAll(async () => {
        dropsBefore = await dropCounter();
        s = await makeE2eStack({ stack: STACK, haMode: "loadbalancer", proxy: "haproxy" });
    }, STEP);

    afterAll(async () => {
        if (!s) return;
        await s.ws.pulumiRaw(["destroy", "--yes", "--skip-preview", "--non-interactive", "--stack", STACK], { timeoutMs: STEP });
        await kubectl(["delete", "namespace", s.namespace, "--ignore-not-found", "--wait=true", "--timeout=180s"]).catch((e) => console.error(String(e)));
        await s.ws.cleanup();
        s.files.remove();
    }, STEP);

    const group = (name: string) => pods(s.namespace, `app.kubernetes.io/name=${name}`);

    it(
        "pulumi up succeeds; every pod runs; exactly one replica per active/passive group is ready, and it is the one traffic reaches",
        async () => {
            const t0 = Date.now();
            await s.up();
            console.log(`[e2e] ${STACK}: pulumi up from empty took ${Date.now() - t0} ms`);
            outputs = await s.outputs();
            // `pulumi up` waits for a standby's pod to exist, not to start (docs/kubernetes.md): give it a moment.
            const all = await settledPods(s.namespace);
            expect(all.length).toBeGreaterThan(12);
            for (const p of all) expect(podState(p)).toEqual(expectedState(p));
            for (const g of ["participant1", "mediator"]) {
                const ready = (await group(g)).filter((p) => p.ready);
                expect(ready.length, `${g}: ready replicas`).toBe(1);
            }
            const p1 = await ledgerClient(s, outputs, "participant1", "alice");
            const r = await p1.call();
            p1.close();
            const active = (await group("participant1")).find((p) => p.ready)!;
            expect(r).toMatchObject({ ok: true, replica: active.name });
            // The bootstrap jobs' reports reached the outputs through the Jobs' logs.
            expect(Object.keys(outputs.participantIds).sort()).toEqual(["participant1", "participant2"]);
            expect(outputs.partyIds.participant1.alice).toMatch(/^alice::/);
        },
        STEP,
    );

    it("traffic answers from outside (NodePorts) and from a pod inside, with the stack's own certificates and tokens", async () => {
        for (const seq of await sequencerClients(s, outputs)) {
            expect((await seq.health()).ok).toBe(true);
            seq.close();
        }
        const p2 = await ledgerClient(s, outputs, "participant2", "bob");
        expect((await p2.call()).ok).toBe(true);
        p2.close();
        const inside = await callFromPod(s, outputs, "participant1", "alice");
        const active = (await group("participant1")).find((p) => p.ready)!;
        expect(inside).toEqual({ status: "0", replica: active.name });
        // A token of another participant's audience is refused.
        const wrong = await ledgerClient(s, { ...outputs, tokens: { participant1: { alice: outputs.tokens.participant2.bob } } }, "participant1", "alice");
        expect((await wrong.call()).ok).toBe(false);
        wrong.close();
    });

    it("pulumi stack export holds no private key, password or token in plain text", async () => {
        const exp = (await s.ws.pulumi(["stack", "export", "--stack", STACK])).stdout;
        expect(exp).not.toMatch(/-----BEGIN [A-Z ]*PRIVATE KEY-----/);
        for (const pw of s.passwords) expect(exp).not.toContain(pw);
        for (const byUser of Object.values(outputs.tokens as Record<string, Record<string, string>>))
            for (const t of Object.values(byUser)) expect(exp).not.toContain(t.split(".")[2]);
    });

    it(
        "deleting the active participant pod: service resumes on the other replica; the deleted one comes back passive",
        async () => {
            const before = (await group("participant1")).find((p) => p.ready)!;
            const client = await reconnectingCaller(s, outputs, "participant1", "alice");
            await kubectl(["delete", "pod", before.name, "-n", s.namespace, "--wait=false"]);
            const r = await untilOk(async () => {
                const c = await client.call(1000);
                return c.ok && c.replica === before.name ? { ...c, ok: false } : c;
            }, 60_000);
            client.close();
            console.log(`[e2e] ${STACK}: participant failover through HAProxy: first success after ${r.ms} ms, ${r.failed} failed calls`);
            expect(r.ok?.replica).toBeDefined();
            expect(r.ok!.replica).not.toBe(before.name);
            const back = await waitFor("the deleted replica to come back, started and passive", async () => {
                const ps = (await group("participant1")).filter(
                    (p) => !p.deleting && p.name !== before.name && p.labels["canton-ha.io/replica"] === before.labels["canton-ha.io/replica"],
                );
                return ps.find((p) => p.started && !p.ready);
            });
            expect(back.ready).toBe(false);
        },
        STEP,
    );

    it(
        "deleting a sequencer pod: sequencer clients keep working",
        async () => {
            const [seq1] = await pods(s.namespace, "canton-ha.io/replica=sequencer1");
            const clients = await sequencerClients(s, outputs);
            await kubectl(["delete", "pod", seq1.name, "-n", s.namespace, "--wait=false"]);
            let ok = 0;
            let failed = 0;
            const end = Date.now() + 10_000;
            while (Date.now() < end) {
                // A client tries the endpoints it knows in order (here: the proxy), and retries once, as
                // Canton's sequencer client does: a call in flight on the deleted pod's connection fails.
                let answered = false;
                for (const c of [...clients, ...clients]) if (!answered) answered = (await c.health(1000)).ok;
                if (answered) ok++;
                else failed++;
                await new Promise((r) => setTimeout(r, 50));
            }
            clients.forEach((c) => c.close());
            console.log(`[e2e] ${STACK}: sequencer pod deleted: ${ok} calls answered, ${failed} failed over 10 s`);
            expect(failed).toBe(0);
            expect(ok).toBeGreaterThan(20);
        },
        STEP,
    );

    it(
        "a second pulumi up changes nothing",
        async () => {
            const t0 = Date.now();
            await s.up(["--expect-no-changes"]);
            console.log(`[e2e] ${STACK}: no-op pulumi up took ${Date.now() - t0} ms`);
        },
        STEP,
    );

    it(
        "pulumi preview --policy-pack policies passes on this stack (the policy CLI, scripts/pulumi-policy.sh)",
        async () => {
            const pack = await policyPackIn(s.ws, path.join(repoRoot, "policies"));
            const packConfig = path.join(s.ws.dir, "policy-config.json");
            // The operator's pack config for this stack: its images come from a local registry, it
            // exposes NodePorts (on the cluster's own bridge), and it is torn down by the test.
            writeFileSync(
                packConfig,
                JSON.stringify({
                    "image-allowed-registries": { allowedRegistries: ["localhost"] },
                    "k8s-external-services": { allowedServiceTypes: ["ClusterIP", "LoadBalancer", "NodePort"] },
                    "protect-stateful-resources": { devStacks: [STACK] },
                }),
            );
            const r = await s.ws.pulumiRaw([pack, "--policy-pack-config", packConfig, "--non-interactive", "--stack", STACK], { wrapper: "policy", timeoutMs: STEP });
            const text = `${r.stdout}\n${r.stderr}`;
            expect(r.code, text).toBe(0);
            expect(text).not.toMatch(/\[mandatory\]/);
        },
        STEP,
    );

    it(
        "one more participant replica by config changes only what it needs",
        async () => {
            s.config.participants[0].replicas = 3;
            s.write();
            const preview = await s.ws.pulumi(["preview", "--json", "--non-interactive", "--stack", STACK], { timeoutMs: STEP });
            const steps = (JSON.parse(preview.stdout).steps ?? []) as Array<{ op: string; urn: string }>;
            const changed = steps.filter((x) => x.op !== "same" && x.op !== "read").map((x) => `${x.op} ${x.urn.split("::").slice(-2).join("::").replace(/^.*\$/, "")}`);
            console.log(`[e2e] ${STACK}: preview of participants[0].replicas 2 -> 3:\n  ${changed.sort().join("\n  ")}`);
            const created = changed.filter((c) => c.startsWith("create ")).map((c) => c.slice(7));
            for (const kind of ["Deployment", "Service", "ConfigMap", "Secret"])
                expect(created).toContain(
                    `kubernetes:${kind === "Deployment" ? "apps/v1" : "core/v1"}:${kind}::participant1-3${kind === "ConfigMap" ? "-files" : kind === "Secret" ? "-secrets" : ""}`,
                );
            // Exactly these: the new replica and its flows; its proxy's backends; its database's
            // max_connections (derived from the nodes on it); the participant bootstrap, whose remote
            // config names the new replica, re-runs. Nothing of the domain, participant2 or the other
            // replicas changes.
            const names = [...new Set(changed.map((c) => c.split("::").pop()!))].sort();
            expect(names).toEqual(
                [
                    "participant1-3",
                    "participant1-3-files",
                    "participant1-3-secrets",
                    "participant1-3-api-clients",
                    "participant1-3-egress",
                    "participant1-3-from-bootstrap-participant-participant1",
                    "participant1-3-from-participant1-proxy",
                    "participant1-db-from-participant1-3",
                    "sequencer-proxy-from-participant1-3",
                    "participant1-proxy",
                    "participant1-proxy-files",
                    "participant1-proxy-egress",
                    "participant1-db",
                    "bootstrap-participant-participant1",
                    "bootstrap-participant-participant1-files",
                    "bootstrap-participant-participant1-egress",
                    "bootstrap-participant-participant1-result",
                    "bootstrap-participant1-succeeded",
                ].sort(),
            );
            const replaced = changed.filter((c) => c.startsWith("replace ") || c.startsWith("delete ")).map((c) => c.split("::").pop()!);
            expect(replaced.sort()).toEqual(["bootstrap-participant-participant1", "bootstrap-participant-participant1-result"]);
            await s.up();
            const third = await waitFor("participant1-3 to run, passive", async () =>
                (await pods(s.namespace, "canton-ha.io/replica=participant1-3")).find((p) => p.started && !p.ready),
            );
            expect(third.phase).toBe("Running");
        },
        STEP,
    );

    it(
        "pulumi destroy leaves only the retained database claims (and their namespace); an up on them logs in again",
        async () => {
            const claimsBefore = await kubectlJson<{ items: any[] }>(["get", "pvc", "-n", s.namespace]);
            const uids = Object.fromEntries(claimsBefore.items.map((c) => [c.metadata.name, c.metadata.uid]));
            const t0 = Date.now();
            await s.ws.pulumi(["destroy", "--yes", "--skip-preview", "--non-interactive", "--stack", STACK], { timeoutMs: STEP });
            console.log(`[e2e] ${STACK}: pulumi destroy took ${Date.now() - t0} ms`);
            const left = await objectsOf(s.namespace, s.instance);
            console.log(`[e2e] ${STACK}: left after destroy (every namespaced kind, label app.kubernetes.io/instance=${s.instance}):\n  ${left.join("\n  ")}`);
            expect(left.sort()).toEqual(s.plan.databaseServers.map((d) => `PersistentVolumeClaim/${d.id}-data`).sort());
            // A new password for participant1's user: Postgres re-applies it at start, so the node logs in with it.
            s.dbPasswords["participant1-db"].participant1 = `pwRotated${Date.now()}`;
            s.passwords.push(s.dbPasswords["participant1-db"].participant1);
            await s.setPasswords();
            await s.up();
            outputs = await s.outputs();
            const claimsAfter = await kubectlJson<{ items: any[] }>(["get", "pvc", "-n", s.namespace]);
            expect(Object.fromEntries(claimsAfter.items.map((c) => [c.metadata.name, c.metadata.uid]))).toEqual(uids);
            const client = await reconnectingCaller(s, outputs, "participant1", "alice");
            const r = await untilOk(() => client.call(1000), 120_000, 500);
            client.close();
            expect(r.ok?.ok).toBe(true);
        },
        STEP,
    );

    it("nothing tried to leave the cluster's bridge: the egress drop counter did not move", async () => {
        expect(await dropCounter()).toBe(dropsBefore);
    });
});
