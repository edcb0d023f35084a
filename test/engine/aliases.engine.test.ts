// Aliases under the real engine: the library moved components under a new parent
// (canton-ha:index:Topology -> canton-ha:domain:Domain -> canton-ha:domain:SequencerTier), and
// only the moved child carries `aliases: [{ parent: <the topology> }]` (components/domain/domain.ts).
// Its own children carry no alias: the SDK and engine must derive their old URNs from the
// parent's alias. fixture-aliases is that move in miniature, on dynamic resources whose IDs are
// fresh per create, so a leaf that was recreated shows up as a changed ID. A control run without
// the alias must plan create+delete, so these tests can fail.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeWorkspace, requireEngineBinaries, tearDown, type Workspace } from "./engine";

const STEP = 600_000; // the engine is slow on 2 cores: generous timeouts everywhere
const STACK = "aliases";
const PROJECT = "engine-fixture-aliases";

const T = {
  stack: "pulumi:pulumi:Stack",
  topology: "canton-ha:index:Topology",
  domain: "canton-ha:domain:Domain",
  tier: "canton-ha:domain:SequencerTier",
  leaf: "pulumi-nodejs:dynamic:Resource",
};
const urn = (typeChain: string[], name: string) => `urn:pulumi:${STACK}::${PROJECT}::${typeChain.join("$")}::${name}`;
const LEAVES = ["sequencer1", "sequencer2"];

const stackUrn = urn([T.stack], `${PROJECT}-${STACK}`);
/** The dynamic resources' default provider: in the state, not among the preview's steps. */
const providerUrn = urn(["pulumi:providers:pulumi-nodejs"], "default");
const topologyUrn = urn([T.topology], "canton");
const v1 = {
  tier: urn([T.topology, T.tier], "sequencers"),
  leaf: (n: string) => urn([T.topology, T.tier, T.leaf], n),
};
const v2 = {
  domain: urn([T.topology, T.domain], "domain"),
  tier: urn([T.topology, T.domain, T.tier], "sequencers"),
  leaf: (n: string) => urn([T.topology, T.domain, T.tier, T.leaf], n),
};

interface StateResource {
  urn: string;
  type: string;
  id?: string;
  parent?: string;
}
interface PreviewStep {
  op: string;
  urn: string;
  oldState?: { urn: string; id?: string };
  newState?: { urn: string; id?: string };
}
/** One planned step, reduced to what must hold: the operation, the new URN, the state entry it reuses. */
interface Planned {
  op: string;
  urn: string;
  oldUrn?: string;
  oldId?: string;
}

async function stateResources(ws: Workspace): Promise<StateResource[]> {
  const exp = await ws.pulumi(["stack", "export", "--stack", STACK]);
  return (JSON.parse(exp.stdout) as { deployment: { resources?: StateResource[] } }).deployment.resources ?? [];
}

/** `pulumi preview --json --show-sames`: every step, "same" ones included, sorted by URN. */
async function previewSteps(ws: Workspace): Promise<{ summary: Record<string, number>; steps: Planned[] }> {
  const r = await ws.pulumi(["preview", "--json", "--show-sames", "--non-interactive", "--stack", STACK]);
  const parsed = JSON.parse(r.stdout) as { steps: PreviewStep[]; changeSummary: Record<string, number> };
  const steps = parsed.steps
    .map((s) => ({ op: s.op, urn: s.urn, ...(s.oldState ? { oldUrn: s.oldState.urn } : {}), ...(s.oldState?.id ? { oldId: s.oldState.id } : {}) }))
    .sort((a, b) => (a.urn + a.op).localeCompare(b.urn + b.op));
  return { summary: parsed.changeSummary, steps };
}

const byUrn = (a: { urn: string }, b: { urn: string }) => a.urn.localeCompare(b.urn);

describe("aliases keep URNs under the real engine when a component moves under a new parent", () => {
  let ws: Workspace;
  /** The state after `up` with layout v1, and the leaves' IDs in it. */
  let v1State: StateResource[];
  let v1Ids: Record<string, string | undefined>;

  beforeAll(async () => {
    requireEngineBinaries(["pulumi", "pulumi-language-nodejs", "pulumi-resource-pulumi-nodejs"]);
    ws = await makeWorkspace("fixture-aliases", ["@pulumi/pulumi", "@types/node", "typescript"]);
    await ws.pulumi(["stack", "init", STACK, "--non-interactive"]);
    await ws.pulumi(["config", "set", "--stack", STACK, "layout", "v1"]);
    await ws.pulumi(["up", "--yes", "--skip-preview", "--non-interactive", "--stack", STACK]);
    v1State = await stateResources(ws);
    v1Ids = Object.fromEntries(LEAVES.map((n) => [n, v1State.find((r) => r.urn === v1.leaf(n))?.id]));
  }, STEP);

  afterAll(() => tearDown(ws, STACK), STEP);

  it(
    "v1: Topology -> SequencerTier -> two leaves, each leaf with an ID",
    () => {
      expect(v1State.map((r) => ({ urn: r.urn, parent: r.parent })).sort(byUrn)).toEqual(
        [
          { urn: stackUrn, parent: undefined },
          { urn: providerUrn, parent: undefined },
          { urn: topologyUrn, parent: stackUrn },
          { urn: v1.tier, parent: topologyUrn },
          ...LEAVES.map((n) => ({ urn: v1.leaf(n), parent: v1.tier })),
        ].sort(byUrn),
      );
      for (const n of LEAVES) expect(v1Ids[n]).toMatch(new RegExp(`^${n}-[0-9a-f-]{36}$`));
    },
    STEP,
  );

  it(
    "control: v2 without the alias plans the tier and both leaves as create + delete",
    async () => {
      await ws.pulumi(["config", "set", "--stack", STACK, "layout", "v2"]);
      await ws.pulumi(["config", "set", "--stack", STACK, "alias", "false"]);
      try {
        const { summary, steps } = await previewSteps(ws);
        expect(summary).toEqual({ same: 2, create: 4, delete: 3 });
        expect(steps).toEqual(
          [
            { op: "same", urn: stackUrn, oldUrn: stackUrn },
            { op: "same", urn: topologyUrn, oldUrn: topologyUrn },
            { op: "create", urn: v2.domain },
            { op: "create", urn: v2.tier },
            ...LEAVES.map((n) => ({ op: "create", urn: v2.leaf(n) })),
            { op: "delete", urn: v1.tier, oldUrn: v1.tier },
            ...LEAVES.map((n) => ({ op: "delete", urn: v1.leaf(n), oldUrn: v1.leaf(n), oldId: v1Ids[n] })),
          ].sort((a, b) => (a.urn + a.op).localeCompare(b.urn + b.op)),
        );
      } finally {
        await ws.pulumi(["config", "rm", "--stack", STACK, "alias"]);
      }
    },
    STEP,
  );

  it(
    "v2 with the alias on the tier only: the Domain is the one create; tier and leaves are 'same', matched to their v1 state",
    async () => {
      const { summary, steps } = await previewSteps(ws);
      // Not "no changes": the new Domain component is a real create (so --expect-no-changes fails).
      expect(summary).toEqual({ same: 5, create: 1 });
      expect(steps).toEqual(
        [
          { op: "same", urn: stackUrn, oldUrn: stackUrn },
          { op: "same", urn: topologyUrn, oldUrn: topologyUrn },
          { op: "create", urn: v2.domain },
          { op: "same", urn: v2.tier, oldUrn: v1.tier },
          ...LEAVES.map((n) => ({ op: "same", urn: v2.leaf(n), oldUrn: v1.leaf(n), oldId: v1Ids[n] })),
        ].sort((a, b) => (a.urn + a.op).localeCompare(b.urn + b.op)),
      );
    },
    STEP,
  );

  it(
    "v2 up: the leaves have URNs through the Domain, the same IDs, and no v1 URN is left",
    async () => {
      await ws.pulumi(["up", "--yes", "--skip-preview", "--non-interactive", "--stack", STACK]);
      const state = await stateResources(ws);
      expect(state.map((r) => ({ urn: r.urn, parent: r.parent })).sort(byUrn)).toEqual(
        [
          { urn: stackUrn, parent: undefined },
          { urn: providerUrn, parent: undefined },
          { urn: topologyUrn, parent: stackUrn },
          { urn: v2.domain, parent: topologyUrn },
          { urn: v2.tier, parent: v2.domain },
          ...LEAVES.map((n) => ({ urn: v2.leaf(n), parent: v2.tier })),
        ].sort(byUrn),
      );
      for (const n of LEAVES) {
        const id = state.find((r) => r.urn === v2.leaf(n))?.id;
        expect(id).toMatch(new RegExp(`^${n}-[0-9a-f-]{36}$`));
        expect(id).toBe(v1Ids[n]);
      }
      const out = JSON.parse((await ws.pulumi(["stack", "output", "--json", "--stack", STACK])).stdout) as Record<string, Record<string, string>>;
      expect(out.leafIds).toEqual(v1Ids);
      expect(out.leafUrns).toEqual(Object.fromEntries(LEAVES.map((n) => [n, v2.leaf(n)])));
    },
    STEP,
  );

  it(
    "after the move, v2 previews with no changes",
    async () => {
      await ws.pulumi(["preview", "--expect-no-changes", "--non-interactive", "--stack", STACK]);
    },
    STEP,
  );
});
