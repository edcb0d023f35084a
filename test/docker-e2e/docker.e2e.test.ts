// The end to end on a real Docker engine, without the docker provider (which cannot be built
// here): the program runs under the SDK's mocks (program.ts), and the harness (harness.ts)
// creates on dockerd exactly the containers, networks and volumes it registered, as the
// provider would (provider-model.ts), in dependency order. Then, per stack, the checks of the
// Kubernetes e2e that apply to Docker: every container healthy and the bootstrap jobs exit 0;
// traffic through the published ports with the stack's certificates and tokens; another
// audience's token refused; keys not world-readable in the containers; participant failover
// (a `docker kill`, then a crash) and a sequencer down; destroy leaves only retained volumes.
// Both HA modes, both proxies. The Canton image is the stand-in node, a TEST DOUBLE
// (test/standin/README.md). What this proves: the containers the program asks for work on a
// real engine. What it does not prove: the provider itself (issue 19's manual run does).
import { afterAll, beforeAll, expect, it } from "vitest";
import { untilOk } from "../e2e/traffic";
import type { CallResult } from "../support/grpc-client";
import type { FilesPki } from "../support/pki-files";
import { docker } from "./engine-api";
import { describeDocker, ensureImages } from "./engine-setup";
import { DockerStack } from "./harness";
import { makeDockerStack, makeSharedPki, type E2eDockerStack, type Variant } from "./stack";
import { activeReplica, ledgerCaller, sequencerClients } from "./traffic";

const STEP = 600_000;
const variants: Variant[] = [
    { stack: "dkr-cs", haMode: "clientside", label: "client-side mode" },
    { stack: "dkr-haproxy", haMode: "loadbalancer", proxy: "haproxy", label: "load-balancer mode, HAProxy", retainData: true },
    { stack: "dkr-nginx", haMode: "loadbalancer", proxy: "nginx", label: "load-balancer mode, NGINX" },
];

const log = (s: E2eDockerStack, what: string) => console.log(`[docker-e2e] ${s.variant.stack}: ${what}`);
async function timed<T>(s: E2eDockerStack, what: string, f: () => Promise<T>): Promise<T> {
    const t0 = performance.now();
    try {
        return await f();
    } finally {
        log(s, `${what}: ${Math.round(performance.now() - t0)} ms`);
    }
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A key among a container's uploads: a PEM private key or a DER key file (`.pk8`). */
const isKey = (u: { file: string; content?: string }) => /\.(key|pk8)$/.test(u.file) || /PRIVATE KEY-----/.test(u.content ?? "");

let pki: FilesPki | undefined;

describeDocker("e2e on Docker (the program's containers on a real dockerd; the provider is modelled)", () => {
    beforeAll(async () => {
        const t0 = Date.now();
        console.log(`[docker-e2e] images: ${await ensureImages()}`);
        pki = await makeSharedPki();
        console.log(`[docker-e2e] images and the files PKI: ${Date.now() - t0} ms`);
    }, STEP);
    afterAll(() => pki?.remove());

    for (const v of variants) {
        describeDocker(v.label, () => suite(v));
    }
});

function suite(v: Variant): void {
    let s: E2eDockerStack;
    let destroyed = false;
    const id = (name: string) => s.harness.containerIds.get(name)!;
    const services = () => s.harness.containers().filter((c) => !c.inputs.attach);

    beforeAll(async () => {
        const left = await DockerStack.sweep(`canton-ha-${v.stack}`);
        if (left.length) console.log(`[docker-e2e] ${v.stack}: removed leftovers of an earlier run: ${left.join(", ")}`);
        const t0 = Date.now();
        s = await makeDockerStack(v, pki!);
        log(s, `program under mocks: ${Date.now() - t0} ms, ${s.program.resources.length} resources`);
    }, STEP);

    afterAll(async () => {
        if (!s) return;
        if (!destroyed) await s.harness.destroy().catch((e: unknown) => console.error(String(e)));
        await DockerStack.sweep(s.prefix);
    }, STEP);

    it(
        "up: every container is created as registered, healthy and running; the bootstrap jobs exit 0",
        async () => {
            await timed(s, "up (every container healthy, every job done)", () => s.harness.up());
            const slowest = [...s.harness.created].sort((a, b) => b.ms - a.ms).slice(0, 4);
            log(s, `slowest creations: ${slowest.map((t) => `${t.name} ${t.ms} ms`).join(", ")}`);
            for (const c of services()) {
                const i = await docker.inspect(id(c.name));
                expect({ name: c.name, status: i.State.Status, restarts: i.RestartCount }).toEqual({ name: c.name, status: "running", restarts: 0 });
                // Each was healthy when created (`wait`); on a loaded host a probe may time out for
                // a while afterwards (2 s timeout), so health is read once it has settled.
                const health = await waitFor(
                    `${c.name} healthy`,
                    async () => ((await docker.inspect(id(c.name))).State.Health?.Status === "healthy" ? "healthy" : undefined),
                    60_000,
                ).catch(async () => (await docker.inspect(id(c.name))).State.Health?.Status);
                expect({ name: c.name, health }).toEqual({ name: c.name, health: "healthy" });
                // What the engine holds is what the program asked for.
                expect(i.HostConfig.RestartPolicy.Name).toBe(c.inputs.restart ?? "no");
                const net = c.inputs.networksAdvanced[0];
                expect(i.NetworkSettings.Networks[net.name].Aliases).toEqual(expect.arrayContaining(net.aliases));
                for (const bindings of Object.values(i.HostConfig.PortBindings ?? {})) for (const b of bindings) expect(b.HostIp).toBe("127.0.0.1");
            }
            const jobs = s.harness.containers().filter((c) => c.inputs.attach);
            expect(jobs.length).toBe(s.plan.participants.length + 1);
            for (const j of jobs) expect({ job: j.name, exit: s.harness.jobs.get(j.name)?.exitCode }).toEqual({ job: j.name, exit: 0 });
            // Each participant's bootstrap reported its participant id, as the program reads it.
            for (const p of s.plan.participants)
                expect(s.harness.jobs.get(`bootstrap-participant-${p.name}`)!.logs).toMatch(new RegExp(`CANTON_HA participant-id ${p.name} PAR::${p.name}::`));
        },
        STEP,
    );

    it("traffic through the published ports with the stack's certificates and tokens; another audience's token is refused", async () => {
        await timed(s, "traffic checks", async () => {
            // Each answer is awaited for up to 30 s (a busy host); what is checked is the answer.
            const answered = (call: () => Promise<CallResult>) => untilOk(call, 30_000, 200);
            for (const seq of sequencerClients(s)) {
                expect((await answered(async () => ({ ...(await seq.health(5000)), replica: undefined }))).ok, seq.target).toBeDefined();
                seq.close();
            }
            const active = await waitFor("an active participant1 replica", () => activeReplica(s, "participant1"), 30_000);
            const p1 = ledgerCaller(s, "participant1", "alice");
            expect((await answered(() => p1.call(5000))).ok).toMatchObject({ ok: true, replica: active });
            p1.close();
            const p2 = ledgerCaller(s, "participant2", "bob");
            expect((await answered(() => p2.call(5000))).ok?.ok).toBe(true);
            p2.close();
            // participant2's token on participant1: the wrong audience. Refused is an answer (code 7 or 16).
            const wrong = ledgerCaller(s, "participant1", "alice", s.program.outputs.tokens.participant2.bob);
            const r = await answered(async () => {
                const c = await wrong.call(5000);
                return { ...c, ok: c.code === 7 || c.code === 16 };
            });
            wrong.close();
            expect(r.ok, "participant2's token refused by participant1").toBeDefined();
            expect([7, 16]).toContain(r.ok!.code);
        });
    });

    it("private keys are not world-readable in any container, and the container's user can read its own", async () => {
        const problems = await timed(s, "key permission checks", async () => {
            const perContainer = await Promise.all(
                s.harness.containers().map(async (c) => {
                    const cid = id(c.name);
                    const inspect = await docker.inspect(cid);
                    const found: string[] = [];
                    for (const u of (c.inputs.uploads ?? []).filter(isKey)) {
                        // The archive stat works on exited job containers too.
                        const st = await docker.statPath(cid, u.file);
                        if ((st.mode & 0o007) !== 0) found.push(`${c.name}:${u.file} mode ${(st.mode & 0o777).toString(8)}`);
                        if (inspect.State.Running) {
                            // An exec runs as the container's user, with its added groups, as its process does.
                            const r = await docker.exec(cid, ["test", "-r", u.file]);
                            if (r.exitCode !== 0) found.push(`${c.name}:${u.file} not readable by the container's user (${inspect.Config.User || "root"})`);
                        }
                    }
                    return found;
                }),
            );
            return perContainer.flat();
        });
        expect(problems).toEqual([]);
    });

    it(
        "participant failover: the active replica `docker kill`ed, then another crashed: service resumes on the other replica each time",
        async () => {
            const replicas = s.plan.participants.find((p) => p.name === "participant1")!.replicas.map((r) => r.host.id);
            // 1. `docker kill`: Docker treats it as a manual stop and never restarts it (any policy).
            const first = await waitFor("an active participant1 replica", () => activeReplica(s, "participant1"), 30_000);
            const caller = ledgerCaller(s, "participant1", "alice");
            expect((await untilOk(() => caller.call(5000), 30_000, 200)).ok?.replica).toBe(first);
            await docker.kill(id(first));
            const r1 = await untilOk(async () => {
                const c = await caller.call(1000);
                return c.ok && c.replica === first ? { ...c, ok: false } : c;
            }, 60_000);
            log(s, `participant failover after docker kill: first success after ${r1.ms} ms, ${r1.failed} failed calls`);
            expect(r1.ok?.replica).toBe(replicas.find((x) => x !== first));
            // Docker 20.10 counts `docker kill` as a manual stop: the killed replica stays down under
            // any restart policy (`always` included), so it is started by hand; it comes back passive.
            await sleep(3000);
            expect((await docker.inspect(id(first))).State.Status).toBe("exited");
            await docker.start(id(first));
            await waitFor(`${first} healthy again`, async () => (await docker.inspect(id(first))).State.Health?.Status === "healthy", 120_000);
            expect(await waitFor("an active participant1 replica", () => activeReplica(s, "participant1"), 30_000)).toBe(r1.ok!.replica);

            // 2. A crash (the process dies, not a manual stop): the restart policy brings it back.
            const second = r1.ok!.replica!;
            const before = await docker.inspect(id(second));
            process.kill(before.State.Pid, "SIGKILL");
            const r2 = await untilOk(async () => {
                const c = await caller.call(1000);
                return c.ok && c.replica === second ? { ...c, ok: false } : c;
            }, 60_000);
            caller.close();
            log(s, `participant failover after a crash: first success after ${r2.ms} ms, ${r2.failed} failed calls`);
            expect(r2.ok?.replica).toBe(first);
            const back = await waitFor(
                `${second} restarted by its restart policy, healthy and passive`,
                async () => {
                    const i = await docker.inspect(id(second));
                    return i.RestartCount > before.RestartCount && i.State.Health?.Status === "healthy" ? i : undefined;
                },
                120_000,
            );
            expect(back.State.Running).toBe(true);
            expect(await waitFor("an active participant1 replica", () => activeReplica(s, "participant1"), 30_000)).toBe(first);
        },
        STEP,
    );

    it(
        "a sequencer down (`docker kill`): sequencer clients keep working",
        async () => {
            const clients = sequencerClients(s);
            await docker.kill(id("sequencer1"));
            let ok = 0;
            let failed = 0;
            const end = Date.now() + 10_000;
            while (Date.now() < end) {
                // A client tries the endpoints it knows in order, and retries once, as Canton's
                // sequencer client does: a call in flight on the killed container's connection fails.
                let answered = false;
                for (const c of [...clients, ...clients]) if (!answered) answered = (await c.health(2000)).ok;
                if (answered) ok++;
                else failed++;
                await sleep(50);
            }
            clients.forEach((c) => c.close());
            log(s, `sequencer1 killed: ${ok} calls answered, ${failed} failed over 10 s`);
            expect(failed).toBe(0);
            expect(ok).toBeGreaterThan(20);
        },
        STEP,
    );

    it(
        "destroy leaves only the retained volumes",
        async () => {
            await timed(s, "destroy", () => s.harness.destroy());
            destroyed = true;
            const retained = s.harness
                .docker("volume:Volume")
                .filter((r) => r.retainOnDelete)
                .map((r) => `volume ${r.inputs.name}`)
                .sort();
            expect(retained.length).toBe(v.retainData ? s.plan.databaseServers.length : 0);
            expect(await DockerStack.leftovers(s.prefix)).toEqual(retained);
        },
        STEP,
    );
}

async function waitFor<T>(what: string, check: () => Promise<T | undefined | false>, timeoutMs: number): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        const v = await check().catch(() => undefined);
        if (v) return v;
        if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
        await sleep(500);
    }
}
