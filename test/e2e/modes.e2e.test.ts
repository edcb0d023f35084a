// The other HA mode and the other proxy kind on the project's cluster: client-side mode
// (every client knows every sequencer; a participant is reached through a Service that routes
// to its active replica) and load-balancer mode with NGINX. Each: up, every pod runs, traffic
// from outside and inside, a participant failover, destroy. lifecycle.e2e.test.ts covers the
// rest of the lifecycle once, in load-balancer mode with HAProxy.
// The Canton image is the stand-in node, a TEST DOUBLE (test/standin/README.md).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectedState, kubectl, pods, podState, settledPods, waitFor } from "./cluster";
import { makeE2eStack, STEP, type E2eStack } from "./stack";
import { callFromPod, ledgerClient, reconnectingCaller, sequencerClients, untilOk } from "./traffic";

const variants = [
    { stack: "e2e-cs", haMode: "clientside", label: "client-side mode (Services route to the active replica)" },
    { stack: "e2e-nginx", haMode: "loadbalancer", proxy: "nginx", label: "load-balancer mode, NGINX" },
] as const;

for (const v of variants) {
    describe(`e2e on Kubernetes: ${v.label}`, () => {
        let s: E2eStack;
        let outputs: Record<string, any>;
        const group = (name: string) => pods(s.namespace, `app.kubernetes.io/name=${name}`);

        beforeAll(async () => {
            s = await makeE2eStack(v);
            // Nothing to keep: this stack is destroyed for good at the end.
            s.config.postgres = { ...s.config.postgres, retainData: false };
            s.write();
        }, STEP);

        afterAll(async () => {
            if (!s) return;
            await s.ws.pulumiRaw(["destroy", "--yes", "--skip-preview", "--non-interactive", "--stack", v.stack], { timeoutMs: STEP });
            await kubectl(["delete", "namespace", s.namespace, "--ignore-not-found", "--wait=true", "--timeout=180s"]).catch((e) => console.error(String(e)));
            await s.ws.cleanup();
            s.files.remove();
        }, STEP);

        it(
            "pulumi up succeeds, every pod runs, and the routed replica is the ready one",
            async () => {
                const t0 = Date.now();
                await s.up();
                console.log(`[e2e] ${v.stack}: pulumi up from empty took ${Date.now() - t0} ms`);
                outputs = await s.outputs();
                for (const p of await settledPods(s.namespace)) expect(podState(p)).toEqual(expectedState(p));
                const active = (await group("participant1")).filter((p) => p.ready);
                expect(active.length).toBe(1);
                const c = await ledgerClient(s, outputs, "participant1", "alice");
                expect(await c.call()).toMatchObject({ ok: true, replica: active[0].name });
                c.close();
            },
            STEP,
        );

        it("traffic answers: every sequencer endpoint, the ledger APIs from outside and from a pod inside", async () => {
            for (const seq of await sequencerClients(s, outputs)) {
                expect((await seq.health()).ok).toBe(true);
                seq.close();
            }
            const inside = await callFromPod(s, outputs, "participant1", "alice");
            expect(inside.status).toBe("0");
            expect(inside.replica).toBe((await group("participant1")).find((p) => p.ready)!.name);
        });

        it(
            "deleting the active participant pod: service resumes on the other replica",
            async () => {
                const before = (await group("participant1")).find((p) => p.ready)!;
                const client = await reconnectingCaller(s, outputs, "participant1", "alice");
                await kubectl(["delete", "pod", before.name, "-n", s.namespace, "--wait=false"]);
                const r = await untilOk(async () => {
                    const c = await client.call(1000);
                    return c.ok && c.replica === before.name ? { ...c, ok: false } : c;
                }, 60_000);
                client.close();
                console.log(`[e2e] ${v.stack}: participant failover: first success after ${r.ms} ms, ${r.failed} failed calls`);
                expect(r.ok!.replica).not.toBe(before.name);
                await waitFor("the deleted replica to come back passive", async () =>
                    (await group("participant1")).find(
                        (p) => !p.deleting && p.name !== before.name && p.labels["canton-ha.io/replica"] === before.labels["canton-ha.io/replica"] && p.started && !p.ready,
                    ),
                );
            },
            STEP,
        );

        it(
            "pulumi destroy leaves nothing of the stack",
            async () => {
                await s.ws.pulumi(["destroy", "--yes", "--skip-preview", "--non-interactive", "--stack", v.stack], { timeoutMs: STEP });
                const namespaces = await kubectl(["get", "namespaces", "-o", "name"]);
                expect(namespaces.split("\n")).not.toContain(`namespace/${s.namespace}`);
            },
            STEP,
        );
    });
}
