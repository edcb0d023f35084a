// Engine test fixture: the component move of components/domain/domain.ts in miniature.
//
//   layout v1:  Topology "canton" -> SequencerTier "sequencers" -> Leaf "sequencer1", "sequencer2"
//   layout v2:  Topology "canton" -> Domain "domain" -> SequencerTier "sequencers" -> the same leaves
//
// In v2 the moved child (the tier) gets `aliases: [{ parent: <the topology> }]`, built as
// CantonDomain builds its `child` options; the leaves get no alias of their own, so their
// old URNs must be derived from their parent's alias. Config `alias: false` drops the
// alias (the negative control). Only @pulumi/pulumi and a dynamic provider are used.
import * as pulumi from "@pulumi/pulumi";

const cfg = new pulumi.Config();
const layout = cfg.require("layout");
if (layout !== "v1" && layout !== "v2") throw new pulumi.RunError(`layout must be v1 or v2, got ${JSON.stringify(layout)}`);
const withAlias = cfg.getBoolean("alias") ?? true;

// Module-level and independent of config: the serialized provider (an input of every leaf)
// is the same text in every layout, so only URNs differ between v1 and v2.
const leafProvider: pulumi.dynamic.ResourceProvider = {
  async create(inputs: { node: string }): Promise<pulumi.dynamic.CreateResult> {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const crypto = require("crypto") as typeof import("crypto");
    // A fresh ID per create: a leaf that was replaced or recreated has a different ID.
    return { id: `${inputs.node}-${crypto.randomUUID()}`, outs: { node: inputs.node, createdAt: new Date().toISOString() } };
  },
};

class Leaf extends pulumi.dynamic.Resource {
  declare public readonly node: pulumi.Output<string>;
  declare public readonly createdAt: pulumi.Output<string>;
  constructor(
    readonly name: string,
    opts?: pulumi.CustomResourceOptions,
  ) {
    super(leafProvider, name, { node: name, createdAt: undefined }, opts);
  }
}

class SequencerTier extends pulumi.ComponentResource {
  readonly leaves: Leaf[];
  constructor(name: string, opts?: pulumi.ComponentResourceOptions) {
    super("canton-ha:domain:SequencerTier", name, {}, opts);
    this.leaves = ["sequencer1", "sequencer2"].map((n) => new Leaf(n, { parent: this }));
    this.registerOutputs({});
  }
}

class Domain extends pulumi.ComponentResource {
  readonly sequencers: SequencerTier;
  constructor(name: string, opts?: pulumi.ComponentResourceOptions) {
    super("canton-ha:domain:Domain", name, {}, opts);
    // As components/domain/domain.ts: the moved child keeps its old parent as an alias.
    const child = { parent: this, aliases: withAlias && opts?.parent ? [{ parent: opts.parent }] : [] };
    this.sequencers = new SequencerTier("sequencers", child);
    this.registerOutputs({});
  }
}

class Topology extends pulumi.ComponentResource {
  readonly sequencers: SequencerTier;
  constructor(name: string) {
    super("canton-ha:index:Topology", name, {}, {});
    this.sequencers = layout === "v1" ? new SequencerTier("sequencers", { parent: this }) : new Domain("domain", { parent: this }).sequencers;
    this.registerOutputs({});
  }
}

const topology = new Topology("canton");

export const leafIds = pulumi.all(Object.fromEntries(topology.sequencers.leaves.map((l) => [l.name, l.id])));
export const leafUrns = pulumi.all(Object.fromEntries(topology.sequencers.leaves.map((l) => [l.name, l.urn])));
