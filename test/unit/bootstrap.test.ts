// Bootstrap: rendered console scripts and remote configs (golden), a guard check over the
// script text, a simulation of the steps against a model of Canton state (run twice, fail
// halfway, grow the topology), and the jobs' dependencies and re-run behaviour.
import { parse } from "@pushcorn/hocon-parser";
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { checkRun, contentHash, logTail, participantIdsOf, partyIdsOf, reportsOf } from "../../components/bootstrap/bootstrap";
import { consoleName, runArgs } from "../../components/bootstrap/layout";
import { domainRemoteConfig, participantRemoteConfig } from "../../components/bootstrap/remote-config";
import { renderScript } from "../../components/bootstrap/script";
import { ConsoleScript, domainScript, MUTATING_CONSOLE_CALLS, participantScript } from "../../components/bootstrap/steps";
import { parseConfig } from "../../components/config";
import { buildPlan } from "../../components/plan/build";
import type { Plan } from "../../components/plan/types";
import type { CantonHaTopology as Topology } from "../../components/topology";
import { BIG, bigPlan, devPlan, participantOf, raw } from "../support/fixtures";
import { setUpMocks, valueOf } from "../support/mocks";
import { emptyModel, firstRunOf, simulate } from "./bootstrap-model";
import { RecordingPlatform } from "../support/recording-platform";

const STACK = "test";
const plans: [string, () => Plan][] = [
    ["dev", devPlan],
    ["big-clientside", () => bigPlan("clientside")],
    ["big-lb", () => bigPlan("loadbalancer")],
];

function scriptsOf(plan: Plan): ConsoleScript[] {
    return [domainScript(plan.domain), ...plan.participants.map((p) => participantScript(p))];
}
function remoteOf(plan: Plan, s: ConsoleScript): string {
    const participant = plan.participants.find((p) => s.job === `participant-${p.name}`);
    return participant ? participantRemoteConfig(participant, plan.stack, 300, s.job) : domainRemoteConfig(plan.domain, plan.stack, 300, s.job);
}

describe("golden files: console scripts and remote configs", () => {
    for (const [name, mk] of plans) {
        const plan = mk();
        for (const s of scriptsOf(plan)) {
            it(`${name}/${s.job}.canton`, async () => {
                await expect(renderScript(s, STACK)).toMatchFileSnapshot(`golden/bootstrap/${name}/${s.job}.canton`);
            });
            it(`${name}/${s.job}.remote.conf`, async () => {
                await expect(remoteOf(plan, s)).toMatchFileSnapshot(`golden/bootstrap/${name}/${s.job}.remote.conf`);
            });
        }
    }
});

describe("remote configs, parsed back", () => {
    it("domain: every sequencer, mediator replica and the domain manager, with admin mTLS client certs", async () => {
        const plan = devPlan();
        const c = (await parse({ text: remoteOf(plan, domainScript(plan.domain)) })).canton;
        expect(Object.keys(c["remote-sequencers"])).toEqual(["sequencer1", "sequencer2"]);
        expect(Object.keys(c["remote-mediators"])).toEqual(["mediator1", "mediator2"]);
        expect(Object.keys(c["remote-domain-managers"])).toEqual(["domain_manager"]);
        expect(c["remote-participants"]).toBeUndefined();
        const s2 = c["remote-sequencers"].sequencer2;
        expect(s2["public-api"]).toEqual({
            address: "sequencer2.domain.canton.local",
            port: 4421,
            "transport-security": true,
            "custom-trust-certificates": { "pem-file": "/canton/bootstrap/tls/domain/ca-chain.pem" },
        });
        expect(s2["admin-api"]).toEqual({
            address: "sequencer2.domain.canton.local",
            port: 4422,
            tls: {
                "trust-collection-file": "/canton/bootstrap/tls/domain/ca-chain.pem",
                "client-cert": { "cert-chain-file": "/canton/bootstrap/tls/domain/admin-client-chain.pem", "private-key-file": "/canton/bootstrap/tls/domain/admin-client.key" },
            },
        });
        expect(c["remote-mediators"].mediator2["admin-api"].port).toBe(4604);
        expect(c["remote-domain-managers"].domain_manager["admin-api"].port).toBe(4801);
        expect(c.parameters.timeouts.console).toEqual({ bounded: "300s", unbounded: "300s" });
    });

    it("load-balancer mode: sequencer public APIs are the proxy, so domain nodes connect through it", async () => {
        const plan = bigPlan("loadbalancer");
        const c = (await parse({ text: remoteOf(plan, domainScript(plan.domain)) })).canton;
        for (const s of Object.values<any>(c["remote-sequencers"])) {
            expect(`https://${s["public-api"].address}:${s["public-api"].port}`).toBe(plan.domain.sequencerClientUrls[0]);
        }
        expect(c["remote-sequencers"].sequencer3["admin-api"].port).toBe(plan.domain.sequencers.nodes[2].adminApi.port);
    });

    it("participant: only its own replicas, verified with its own CA, admin and ledger API", async () => {
        const plan = bigPlan("clientside");
        const c = (await parse({ text: remoteOf(plan, participantScript(participantOf(plan, "custodian"))) })).canton;
        expect(c["remote-sequencers"]).toBeUndefined();
        expect(Object.keys(c["remote-participants"])).toEqual(["custodian_1", "custodian_2"]);
        const r2 = c["remote-participants"].custodian_2;
        expect(r2["admin-api"].address).toBe("custodian-2.custody.example.org");
        expect(r2["ledger-api"].tls["trust-collection-file"]).toBe("/canton/bootstrap/tls/custodian/ca-chain.pem");
        expect(r2["admin-api"].tls["client-cert"]["private-key-file"]).toBe("/canton/bootstrap/tls/custodian/admin-client.key");
    });
});

// ---------------------------------------------------------------------------------------
// The guard check: parse the rendered Scala, find every mutating console call, and require
// that it sits inside an `if (...)` block whose condition reads the node's current state.
// ---------------------------------------------------------------------------------------

const MUTATING = new RegExp(`\\.(${MUTATING_CONSOLE_CALLS.map((c) => c.replace(/\./g, "\\.")).join("|")})\\(`);
const STATE_READS =
    /health\.initialized\(\)|participants\.list\(\)|sequencer_connection\.get\(\)|domains\.list_registered\(\)|hosts\(|userIds\(|ledger_api\.users\.(get|rights\.list)\(/;

interface Finding {
    line: number;
    text: string;
    guard?: string;
}

/** Every mutating call with the condition of the innermost `if` around it (if any). */
export function mutatingCalls(script: string): Finding[] {
    const lines = script.split("\n");
    const stack: { guard?: string }[] = [];
    const out: Finding[] = [];
    let pendingIf: string | undefined;
    lines.forEach((text, i) => {
        // Full-line comments only: `//` also occurs inside URLs in string literals.
        const code = /^\s*\/\//.test(text) ? "" : text;
        const m = /^\s*if \((.*)$/.exec(code);
        if (m) pendingIf = m[1];
        else if (pendingIf !== undefined && !code.includes("{")) pendingIf += code; // multi-line condition
        if (MUTATING.test(code)) {
            const guard = [...stack].reverse().find((f) => f.guard !== undefined)?.guard;
            out.push({ line: i + 1, text: text.trim(), guard });
        }
        for (const ch of code) {
            if (ch === "{") {
                stack.push({ guard: pendingIf !== undefined && code.trimEnd().endsWith("{") ? pendingIf : undefined });
                pendingIf = undefined;
            } else if (ch === "}") stack.pop();
        }
    });
    return out;
}

describe("every state change is guarded (running a script twice is safe)", () => {
    for (const [name, mk] of plans) {
        for (const s of scriptsOf(mk())) {
            it(`${name}/${s.job}`, () => {
                const text = renderScript(s, STACK);
                const calls = mutatingCalls(text);
                // Not vacuous: each script does change something.
                expect(calls.length).toBeGreaterThan(0);
                for (const c of calls) {
                    expect(c.guard, `line ${c.line} '${c.text}' runs unconditionally`).toBeDefined();
                    expect(c.guard, `line ${c.line} '${c.text}': its guard reads no state`).toMatch(STATE_READS);
                }
            });
        }
    }

    it("the domain script bootstraps and adds sequencer endpoints; participant scripts connect", () => {
        const plan = devPlan();
        const domain = mutatingCalls(renderScript(domainScript(plan.domain), STACK)).map((c) => c.text);
        expect(domain.some((t) => t.includes(".setup.bootstrap_domain(Seq(sequencer1), Seq(mediator))"))).toBe(true);
        expect(domain.filter((t) => t.includes(".sequencer_connection.modify(")).length).toBe(2);
        const p1 = mutatingCalls(renderScript(participantScript(participantOf(plan, "participant1")), STACK)).map((c) => c.text);
        expect(p1.some((t) => t.includes('participant.domains.connect_multi("domain"'))).toBe(true);
        const lb = bigPlan("loadbalancer");
        const bank = mutatingCalls(renderScript(participantScript(participantOf(lb, "bank")), STACK)).map((c) => c.text);
        expect(bank.some((t) => t.includes(`participant.domains.connect("domain", "${lb.domain.sequencerClientUrls[0]}"`))).toBe(true);
    });

    it("the check itself catches an unguarded call and a guard that reads nothing", () => {
        const ok = renderScript(domainScript(devPlan().domain), STACK);
        const unguarded = `${ok}\nmediator.sequencer_connection.modify(identity)\n`;
        expect(mutatingCalls(unguarded).at(-1)!.guard).toBeUndefined();
        const blind = `${ok}\nif (true) {\n  domain_manager.setup.bootstrap_domain(Seq(sequencer1), Seq(mediator))\n}\n`;
        expect(mutatingCalls(blind).at(-1)!.guard).not.toMatch(STATE_READS);
        // The helpers in the prelude only read.
        const prelude = ok.slice(0, ok.indexOf('say("start'));
        expect(mutatingCalls(prelude)).toEqual([]);
    });
});

describe("simulated against a model of Canton state", () => {
    for (const [name, mk] of plans) {
        it(`${name}: the first run converges, the second changes nothing`, () => {
            const plan = mk();
            const m = emptyModel();
            const first = simulate(plan, domainScript(plan.domain), m);
            expect(first[0]).toBe("bootstrapDomain");
            for (const n of ["mediator", "domain_manager"]) expect([...m.seqConn.get(n)!].sort()).toEqual([...plan.domain.sequencerClientUrls].sort());
            for (const p of plan.participants) {
                expect(simulate(plan, participantScript(participantOf(plan, p.name)), m, p.name)).toEqual(firstRunOf(plan, p.name));
                expect([...m.registered.get(p.name)!.get(plan.domain.alias)!.endpoints].sort()).toEqual([...plan.domain.sequencerClientUrls].sort());
            }
            expect(simulate(plan, domainScript(plan.domain), m)).toEqual([]);
            for (const p of plan.participants) expect(simulate(plan, participantScript(participantOf(plan, p.name)), m, p.name)).toEqual([]);
        });
    }

    it("resumes after failing halfway, without repeating finished steps", () => {
        const plan = devPlan();
        const m = emptyModel();
        expect(() => simulate(plan, domainScript(plan.domain), m, "p", 2)).toThrow(/simulated failure/);
        expect(simulate(plan, domainScript(plan.domain), m)).toEqual(["addSequencerEndpoints"]); // only the step that had not run
        expect(simulate(plan, domainScript(plan.domain), m)).toEqual([]);
    });

    it("a new sequencer: the re-run only adds its URL everywhere", () => {
        const two = buildPlan(parseConfig(raw({ ...BIG, haMode: "clientside", domain: { sequencers: 2 } })), "big");
        const three = bigPlan("clientside");
        const m = emptyModel();
        simulate(two, domainScript(two.domain), m);
        simulate(two, participantScript(participantOf(two, "bank")), m, "bank");
        expect(simulate(three, domainScript(three.domain), m)).toEqual(["addSequencerEndpoints", "addSequencerEndpoints"]);
        expect(simulate(three, participantScript(participantOf(three, "bank")), m, "bank")).toEqual(["addDomainEndpoints"]);
        expect(m.registered.get("bank")!.get("domain")!.endpoints.has(three.domain.sequencers.nodes[2].url)).toBe(true);
    });

    it("a connect that failed after registering: the re-run reconnects instead of skipping the registered alias", () => {
        const plan = devPlan();
        const m = emptyModel();
        simulate(plan, domainScript(plan.domain), m);
        expect(() => simulate(plan, participantScript(participantOf(plan, "participant1")), m, "participant1", Infinity, { connect: true })).toThrow(/manualConnect = true/);
        expect(m.registered.get("participant1")!.get("domain")).toMatchObject({ manualConnect: true, connected: false });
        expect(simulate(plan, participantScript(participantOf(plan, "participant1")), m, "participant1")).toEqual(["reconnectDomain", "enableParty", "createUser"]);
        expect(m.registered.get("participant1")!.get("domain")).toMatchObject({ manualConnect: false, connected: true });
        expect(simulate(plan, participantScript(participantOf(plan, "participant1")), m, "participant1")).toEqual([]);
    });

    it("a reconnect that failed after adding endpoints: the re-run reconnects", () => {
        const two = buildPlan(parseConfig(raw({ ...BIG, haMode: "clientside", domain: { sequencers: 2 } })), "big");
        const three = bigPlan("clientside");
        const m = emptyModel();
        simulate(two, domainScript(two.domain), m);
        simulate(two, participantScript(participantOf(two, "bank")), m, "bank");
        simulate(three, domainScript(three.domain), m);
        expect(() => simulate(three, participantScript(participantOf(three, "bank")), m, "bank", Infinity, { reconnect: true })).toThrow(/reconnect failed/);
        expect(simulate(three, participantScript(participantOf(three, "bank")), m, "bank")).toEqual(["reconnectDomain"]);
        expect(simulate(three, participantScript(participantOf(three, "bank")), m, "bank")).toEqual([]);
    });

    it("without the reconnect step, a failed connect would never converge (the guard alone is not enough)", () => {
        const plan = devPlan();
        const m = emptyModel();
        simulate(plan, domainScript(plan.domain), m);
        const script = participantScript(participantOf(plan, "participant1"));
        const withoutRepair = { ...script, steps: script.steps.filter((s) => !(s.kind === "guarded" && s.id === "reconnect-domain")) };
        expect(() => simulate(plan, withoutRepair, m, "participant1", Infinity, { connect: true })).toThrow();
        expect(() => simulate(plan, withoutRepair, m, "participant1")).toThrow(/awaitDomainActive: not connected/);
    });

    it("waits until the participant is initialised before touching its domain connections", () => {
        const plan = devPlan();
        const m = emptyModel();
        simulate(plan, domainScript(plan.domain), m);
        const script = participantScript(participantOf(plan, "participant1"));
        expect(script.steps.findIndex((s) => s.kind === "waitInitialized")).toBe(1); // right after picking the active replica
        const racing = { ...script, steps: script.steps.filter((s) => s.kind !== "waitInitialized") };
        expect(() => simulate(plan, racing, m, "participant1")).toThrow(/not initialised yet/);
        expect(simulate(plan, script, m, "participant1")).toEqual(firstRunOf(plan, "participant1"));
        const domain = domainScript(plan.domain).steps;
        const bootstrapAt = domain.findIndex((s) => s.kind === "guarded" && s.id === "bootstrap-domain");
        expect(domain.slice(bootstrapAt + 1, bootstrapAt + 4)).toEqual([
            { kind: "waitInitialized", node: "sequencer2" },
            { kind: "waitInitialized", node: "mediator" },
            { kind: "waitInitialized", node: "domain_manager" },
        ]);
    });

    it("users: created once with their parties; rights and primary party converge on later runs", () => {
        const users = (u: unknown[]) => buildPlan(parseConfig(raw({ participants: [{ name: "p1", users: u }] })), "t");
        const m = emptyModel();
        const v1 = users(["alice", { id: "auditor", actAs: [], readAs: ["alice"] }]);
        simulate(v1, domainScript(v1.domain), m);
        expect(simulate(v1, participantScript(participantOf(v1, "p1")), m, "p1")).toEqual(["admitParticipant", "connectDomain", "enableParty", "createUser", "createUser"]);
        expect(m.users.get("p1")!.get("auditor")).toEqual({ primaryParty: undefined, actAs: new Set(), readAs: new Set(["alice"]) });
        // The auditor now also reads `treasury`, and alice acts as `treasury` as its primary party.
        const v2 = users([
            { id: "alice", primaryParty: "treasury", actAs: ["alice", "treasury"] },
            { id: "auditor", actAs: [], readAs: ["alice", "treasury"] },
        ]);
        expect(simulate(v2, participantScript(participantOf(v2, "p1")), m, "p1")).toEqual(["enableParty", "setPrimaryParty", "grantRights", "grantRights"]);
        expect(m.users.get("p1")!.get("alice")).toEqual({ primaryParty: "treasury", actAs: new Set(["alice", "treasury"]), readAs: new Set() });
        // Back to v1: what v2 added is revoked (the party itself stays allocated).
        expect(simulate(v1, participantScript(participantOf(v1, "p1")), m, "p1")).toEqual(["setPrimaryParty", "revokeRights", "revokeRights"]);
        expect(m.users.get("p1")!.get("auditor")!.readAs).toEqual(new Set(["alice"]));
        expect(simulate(v1, participantScript(participantOf(v1, "p1")), m, "p1")).toEqual([]);
    });
});

describe("re-runs: content hashes", () => {
    const hashes = (plan: Plan) => Object.fromEntries(scriptsOf(plan).map((s) => [s.job, contentHash([renderScript(s, STACK), remoteOf(plan, s)])]));

    it("are stable for the same topology", () => {
        expect(hashes(bigPlan("clientside"))).toEqual(hashes(bigPlan("clientside")));
    });

    it("change for every job when a sequencer is added", () => {
        const two = hashes(buildPlan(parseConfig(raw({ ...BIG, haMode: "clientside", domain: { sequencers: 2 } })), "big"));
        const three = hashes(bigPlan("clientside"));
        for (const job of Object.keys(two)) expect(three[job], job).not.toBe(two[job]);
    });

    it("add a job but leave the others alone when a participant is added", () => {
        const before = hashes(bigPlan("clientside"));
        const after = hashes(buildPlan(parseConfig(raw({ ...BIG, haMode: "clientside", participants: [...BIG.participants, { name: "newcomer", replicas: 2 }] })), "big"));
        expect(Object.keys(after).filter((j) => !(j in before))).toEqual(["participant-newcomer"]);
        for (const job of Object.keys(before)) expect(after[job], job).toBe(before[job]);
    });
});

describe("runner outcome", () => {
    it("passes a zero exit and reports participant and party ids from the log's report lines", () => {
        expect(() => checkRun("domain", { exitCode: 0, logTail: "fine" }, "urn:x")).not.toThrow();
        const reports = reportsOf(
            "noise\nCANTON_HA participant-id bank PAR::bank::1220aa\nCANTON_HA participant-id p-2 PAR::p-2::1220bb \nmore\n" +
                "CANTON_HA party-id bank alice alice::1220aa\nnoise\nCANTON_HA party-id bank bob bob::1220aa\nCANTON_HA party-id p-2 carol carol::1220bb\n not CANTON_HA party-id x y z",
        );
        expect(participantIdsOf(reports)).toEqual({ bank: "PAR::bank::1220aa", "p-2": "PAR::p-2::1220bb" });
        expect(partyIdsOf(reports)).toEqual({ bank: { alice: "alice::1220aa", bob: "bob::1220aa" }, "p-2": { carol: "carol::1220bb" } });
    });

    it("fails with the tail of the runner's log and the way to re-run", () => {
        const logs = Array.from({ length: 500 }, (_, i) => `line ${i}`).join("\n");
        expect(() =>
            checkRun("participant-bank", { exitCode: 1, logTail: logTail(logs) }, "urn:pulumi:dev::canton-ha::x$docker:index/container:Container::bootstrap-participant-bank"),
        ).toThrow(
            /bootstrap job 'participant-bank' failed \(exit code 1\)[\s\S]*last 120 of 500 lines[\s\S]*line 499[\s\S]*pulumi up --replace 'urn:pulumi:dev::canton-ha::x\$docker:index\/container:Container::bootstrap-participant-bank'/,
        );
        expect(logTail(logs)).not.toContain("line 379\n");
        expect(() => checkRun("domain", { exitCode: undefined, logTail: "" }, "u")).toThrow(/exit code unknown/);
    });

    it("refuses bad input before anything exists", () => {
        expect(() => participantOf(devPlan(), "nobody")).toThrow(/no participant 'nobody'/);
        expect(() => consoleName("1abc")).toThrow(/console identifier/);
        expect(runArgs("domain")).toEqual(["run", "--log-profile=container", "--config=/canton/bootstrap/remote.conf", "/canton/bootstrap/domain.canton"]);
    });
});

// ---------------------------------------------------------------------------------------
// Under mocks: the jobs' dependencies on a 3-sequencer topology.
// ---------------------------------------------------------------------------------------

describe("under mocks: bootstrap in the dependency graph (3 sequencers, client-side)", () => {
    let platform: RecordingPlatform;
    let topology: Topology;
    const plan = bigPlan("clientside");

    beforeAll(async () => {
        await setUpMocks("big", {});
        const { CantonHaTopology } = await import("../../components/topology");
        // Participant jobs print their id as the real script does.
        platform = new RecordingPlatform((id) => {
            const participant = /^bootstrap-participant-(.+)$/.exec(id)?.[1];
            return participant ? `CANTON_HA party-id ${participant} treasury treasury::1220cd\nCANTON_HA participant-id ${participant} PAR::${participant}::1220cd\n` : "";
        });
        topology = new CantonHaTopology("canton-ha", { plan, platform });
        await valueOf(topology.urn);
    });

    it("runs the domain bootstrap after every sequencer, the first mediator and the domain manager", () => {
        expect(platform.jobs.get("bootstrap-domain")!.dependsOn).toEqual(["sequencer1", "sequencer2", "sequencer3", "mediator1", "domain-manager"]);
    });

    it("joins each participant after the domain bootstrap and its first replica", () => {
        for (const p of plan.participants) {
            expect(platform.jobs.get(`bootstrap-participant-${p.name}`)!.dependsOn).toEqual(["bootstrap:domain", `${p.name}-1`]);
        }
    });

    it("starts every standby only after the bootstrap that concerns it", () => {
        expect(platform.deployed.get("mediator2")!.dependsOn).toEqual(["mediator1", "bootstrap:domain"]);
        expect(platform.deployed.get("bank-2")!.dependsOn).toEqual(["bank-1", "bootstrap:participant-bank"]);
        expect(platform.deployed.get("bank-3")!.dependsOn).toEqual(["bank-1", "bootstrap:participant-bank"]);
        expect(platform.deployed.get("custodian-2")!.dependsOn).toEqual(["custodian-1", "bootstrap:participant-custodian"]);
    });

    it("ships the script, the remote config and only the credentials the job needs", async () => {
        const job = platform.jobs.get("bootstrap-participant-bank")!.spec;
        expect(job.command).toEqual(runArgs("participant-bank"));
        expect(job.files.map((f) => f.path).sort()).toEqual([
            "/canton/bootstrap/participant-bank.canton",
            "/canton/bootstrap/remote.conf",
            "/canton/bootstrap/tls/bank/admin-client-chain.pem",
            "/canton/bootstrap/tls/bank/admin-client.key",
            "/canton/bootstrap/tls/bank/ca-chain.pem",
            // The domain is closed: the job admits bank on the domain manager with the domain's admin client.
            "/canton/bootstrap/tls/domain/admin-client-chain.pem",
            "/canton/bootstrap/tls/domain/admin-client.key",
            "/canton/bootstrap/tls/domain/ca-chain.pem",
        ]);
        const key = job.files.find((f) => f.path.endsWith(".key"))!;
        expect(await pulumi.isSecret(pulumi.output(key.content))).toBe(true);
        expect(job.contentHash).toBe(topology.participants.get("bank")!.bootstrap.contentHash);
        expect(job.timeoutSeconds).toBe(participantScript(participantOf(plan, "bank")).steps.length * 300 + 120);
    });

    it("collects the participant ids the runs report", async () => {
        expect(await valueOf(topology.participantIds)).toEqual({ bank: "PAR::bank::1220cd", exchange: "PAR::exchange::1220cd", custodian: "PAR::custodian::1220cd" });
        expect(await valueOf(topology.partyIds)).toEqual({
            bank: { treasury: "treasury::1220cd" },
            exchange: { treasury: "treasury::1220cd" },
            custodian: { treasury: "treasury::1220cd" },
        });
    });

    it("gives each participant job the participant_admin token, as a secret in its environment only", async () => {
        const job = platform.jobs.get("bootstrap-participant-bank")!.spec;
        const token = job.env!.CANTON_HA_ADMIN_TOKEN;
        expect(token.sensitive).toBe(true);
        expect(await valueOf(pulumi.output(token.value))).toBe("token-for-participant_admin-bank-token-participant_admin");
        expect(platform.jobs.get("bootstrap-domain")!.spec.env).toBeUndefined();
        expect(topology.participants.get("bank")!.bootstrap.remoteConfigText).toContain("token = ${?CANTON_HA_ADMIN_TOKEN}");
    });
});
