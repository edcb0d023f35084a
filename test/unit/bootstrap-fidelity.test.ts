// Bootstrap against what a real Canton 2.9 does (issue 18): the Ledger API index learns of a
// party after the domain does, a party authorized by a run that then timed out, and HA
// sequencers that report initialised only after bootstrap_domain.
import { describe, expect, it } from "vitest";
import { participantRemoteConfig } from "../../components/bootstrap/remote-config";
import { renderScript } from "../../components/bootstrap/script";
import { domainScript, names, participantScript, type ConsoleScript } from "../../components/bootstrap/steps";
import { parseConfig } from "../../components/config";
import { buildPlan } from "../../components/plan/build";
import { BIG, bigPlan, devPlan, participantOf, raw } from "../support/fixtures";
import { emptyModel, firstRunOf, idOf, simulate, type Model } from "./bootstrap-model";

/** A copy of a model, so that a run that is meant to fail leaves the original alone. */
const copyOf = (m: Model): Model => structuredClone(m);

const without = (s: ConsoleScript, drop: (step: ConsoleScript["steps"][number]) => boolean): ConsoleScript => ({ ...s, steps: s.steps.filter((x) => !drop(x)) });

/** A dev stack whose domain is bootstrapped and whose participant1 is connected and pinged. */
function connected(): { m: Model; script: ConsoleScript; plan: ReturnType<typeof devPlan> } {
    const plan = devPlan();
    const m = emptyModel();
    simulate(plan, domainScript(plan.domain), m);
    return { m, plan, script: participantScript(participantOf(plan, "participant1")) };
}

describe("parties: the Ledger API index learns of a party after the domain (item 1)", () => {
    it("a re-run on which the domain shows the party but the index lags waits for the index before creating the user", () => {
        const { m, plan, script } = connected();
        // An earlier run allocated alice; the index has not caught up (or was rebuilt).
        m.authorized.set("participant1", new Set(["alice"]));
        m.parties.set("participant1", new Set(["alice"]));
        expect(simulate(plan, script, m, "participant1")).toEqual(["admitParticipant", "connectDomain", "createUser"]);
        expect(m.users.get("participant1")!.has("alice")).toBe(true);
    });

    it("without the wait, users.create meets an index that does not know the party yet", () => {
        const { m, plan, script } = connected();
        m.authorized.set("participant1", new Set(["alice"]));
        m.parties.set("participant1", new Set(["alice"]));
        expect(() =>
            simulate(
                plan,
                without(script, (s) => s.kind === "awaitParty"),
                m,
                "participant1",
            ),
        ).toThrow(/Provided parties have not been found: alice/);
    });

    it("enable itself waits for the domain and the Ledger API, and every user step comes after the party waits", () => {
        const { script } = connected();
        const text = renderScript(script, "test");
        expect(text).toContain('participant.parties.enable("alice", waitForDomain = DomainChoice.All)');
        expect(text.indexOf('utils.retry_until_true(indexed(participant, "alice"))')).toBeGreaterThan(text.indexOf('parties.enable("alice"'));
        expect(text.indexOf('utils.retry_until_true(indexed(participant, "alice"))')).toBeLessThan(text.indexOf("ledger_api.users.create("));
        const kinds = script.steps.map((s) => (s.kind === "guarded" ? s.action.op : s.kind));
        expect(kinds.lastIndexOf("awaitParty")).toBeLessThan(kinds.indexOf("createUser"));
    });
});

describe("parties: a run that authorized a party and then timed out (item 3)", () => {
    it("the next run does not enable again (TOPOLOGY_MAPPING_ALREADY_EXISTS) but waits, and converges", () => {
        const { m, plan, script } = connected();
        expect(() => simulate(plan, script, m, "participant1", Infinity, { partyWait: true })).toThrow(/did not appear on the domain/);
        expect(m.authorized.get("participant1")).toEqual(new Set(["alice"]));
        expect(m.parties.get("participant1")).toBeUndefined(); // the domain store, which parties.hosted reads, lacks it
        expect(simulate(plan, script, m, "participant1")).toEqual(["createUser"]);
        expect(simulate(plan, script, m, "participant1")).toEqual([]);
    });

    it("the guard reads the participant's AUTHORIZED store as well as the domain", () => {
        const text = renderScript(connected().script, "test");
        expect(text).toContain('if (!authorizes(participant, "alice") && !hosts(participant, "alice")) {');
        expect(text).toContain("p.topology.party_to_participant_mappings\n    .list(filterStore = AuthorizedStore.filterName,");
    });
});

describe("domain: sequencers 2..N are initialised before anything uses them (item 6)", () => {
    for (const [name, plan] of [
        ["dev", devPlan()],
        ["big-clientside", bigPlan("clientside")],
        ["big-lb", bigPlan("loadbalancer")],
    ] as const) {
        it(`${name}: waits for each other sequencer after bootstrap_domain and before the mediator and domain manager use them`, () => {
            const steps = domainScript(plan.domain).steps;
            const at = (pred: (s: (typeof steps)[number]) => boolean) => steps.findIndex(pred);
            const bootstrap = at((s) => s.kind === "guarded" && s.id === "bootstrap-domain");
            const mediatorWait = at((s) => s.kind === "waitInitialized" && s.node === "mediator");
            const others = plan.domain.sequencers.nodes.slice(1).map((s) => names.sequencer(s));
            expect(others.length).toBeGreaterThan(0);
            for (const node of others) {
                const wait = at((s) => s.kind === "waitInitialized" && s.node === node);
                expect(wait, node).toBeGreaterThan(bootstrap);
                expect(wait, node).toBeLessThan(mediatorWait);
            }
        });
    }

    it("without those waits, the mediator's new endpoints point at sequencers that are not initialised", () => {
        const plan = bigPlan("clientside");
        const script = domainScript(plan.domain);
        const racing = without(script, (s) => s.kind === "waitInitialized" && /^sequencer/.test(s.node));
        expect(() => simulate(plan, racing, emptyModel())).toThrow(/addSequencerEndpoints: sequencer2, sequencer3 not initialised yet/);
        const m = emptyModel();
        expect(simulate(plan, script, m)).toEqual(["bootstrapDomain", "addSequencerEndpoints", "addSequencerEndpoints"]);
        expect(simulate(plan, participantScript(participantOf(plan, "bank")), m, "bank").slice(0, 2)).toEqual(["admitParticipant", "connectDomain"]);
    });
});

describe("closed domain: participants are admitted, guarded (item 4)", () => {
    const config = (domain: Record<string, unknown>) => buildPlan(parseConfig(raw({ ...BIG, haMode: "clientside", domain: { sequencers: 2, ...domain } })), "big");

    it("the stack's own participant admits itself on the domain manager before connecting; a re-run admits nothing", () => {
        const plan = config({});
        const m = emptyModel();
        simulate(plan, domainScript(plan.domain), m);
        const bank = participantScript(participantOf(plan, "bank"));
        expect(() =>
            simulate(
                plan,
                without(bank, (s) => s.kind === "guarded" && s.action.op === "admitParticipant"),
                copyOf(m),
                "bank",
            ),
        ).toThrow(/PARTICIPANT_IS_NOT_ACTIVE: Domain domain has rejected our on-boarding attempt/);
        expect(simulate(plan, bank, m, "bank")).toEqual(firstRunOf(plan, "bank"));
        expect(firstRunOf(plan, "bank")[0]).toBe("admitParticipant");
        expect(m.admitted).toEqual(new Set([idOf("bank")]));
        expect(simulate(plan, bank, m, "bank")).toEqual([]);
    });

    it("another organisation's participant: rejected until domain.admit lists its id, then the next run reconnects", () => {
        const before = config({});
        const m = emptyModel();
        simulate(before, domainScript(before.domain), m);
        // Its own stack plans it against a published connection: no domain manager access.
        const own = participantOf(before, "bank");
        const foreign = participantScript({ ...own, domain: { ...own.domain, admission: undefined } });
        expect(foreign.steps.some((s) => s.kind === "guarded" && s.action.op === "admitParticipant")).toBe(false);
        expect(() => simulate(before, foreign, m, "bank")).toThrow(/PARTICIPANT_IS_NOT_ACTIVE/);
        expect(m.registered.get("bank")!.get("domain")).toMatchObject({ manualConnect: true, connected: false });
        // The domain operator adds its id (from the failed run's log: `participant-id bank <id>`).
        const after = config({ admit: [idOf("bank")] });
        expect(simulate(after, domainScript(after.domain), m)).toEqual(["admitParticipant"]);
        expect(simulate(after, domainScript(after.domain), m)).toEqual([]);
        expect(simulate(after, foreign, m, "bank")).toEqual(["reconnectDomain", ...own.parties.map(() => "enableParty"), ...own.users.map(() => "createUser")]);
    });

    it("renders set_state(id, Submission, Ordinary) only inside a guard that reads the domain manager's participant states", () => {
        const plan = config({ admit: [idOf("partner")] });
        const domain = renderScript(domainScript(plan.domain), "test");
        expect(domain).toContain(
            `if (!domain_manager.participants.list().exists(r => r.item.participant == ParticipantId.tryFromProtoPrimitive("${idOf("partner")}") && r.item.permission == ParticipantPermission.Submission)) {\n` +
                `  say("step admit-${idOf("partner")} running")\n` +
                `  domain_manager.participants.set_state(ParticipantId.tryFromProtoPrimitive("${idOf("partner")}"), ParticipantPermission.Submission, TrustLevel.Ordinary)`,
        );
        const bank = renderScript(participantScript(participantOf(plan, "bank")), "test");
        expect(bank).toContain("domain_manager.participants.set_state(participant.id, ParticipantPermission.Submission, TrustLevel.Ordinary)");
        // The id is reported before the connect, so a rejected run's log names the id to admit.
        expect(bank.indexOf('say(s"participant-id bank')).toBeLessThan(bank.indexOf("domains.connect_multi("));
    });

    it("an open domain (explicit choice): no admission steps, no domain manager access for participant jobs, and anyone connects", () => {
        const plan = config({ open: true });
        expect(plan.domain.domainManager.topologyOpen).toBe(true);
        expect(config({}).domain.domainManager.topologyOpen).toBe(false);
        const bank = participantOf(plan, "bank");
        expect(bank.domain.admission).toBeUndefined();
        expect(participantRemoteConfig(bank, "test", 60, "x")).not.toContain("remote-domain-managers");
        const m = emptyModel();
        simulate(plan, domainScript(plan.domain), m);
        expect(simulate(plan, participantScript(bank), m, "bank")[0]).toBe("connectDomain");
    });
});
