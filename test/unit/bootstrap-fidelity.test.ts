// Bootstrap against what a real Canton 2.9 does (issue 18): the Ledger API index learns of a
// party after the domain does, a party authorized by a run that then timed out, and HA
// sequencers that report initialised only after bootstrap_domain.
import { describe, expect, it } from "vitest";
import { renderScript } from "../../components/bootstrap/script";
import { domainScript, names, participantScript, type ConsoleScript } from "../../components/bootstrap/steps";
import { bigPlan, devPlan, participantOf } from "../support/fixtures";
import { emptyModel, simulate, type Model } from "./bootstrap-model";

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
        expect(simulate(plan, script, m, "participant1")).toEqual(["connectDomain", "createUser"]);
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
        expect(simulate(plan, participantScript(participantOf(plan, "bank")), m, "bank")[0]).toBe("connectDomain");
    });
});
