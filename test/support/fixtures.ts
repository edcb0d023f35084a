// Stack configs the unit tests plan against, in the raw form Pulumi hands over.
import * as nodeConfig from "../../components/canton/node-config";
import { parseConfig } from "../../components/config";
import { buildPlan } from "../../components/plan/build";
import type { Plan } from "../../components/plan/types";
import * as yaml from "js-yaml";
import { readFileSync } from "node:fs";
import { join } from "node:path";

/** Raw entries as Pulumi hands them over, with `canton.registry` set unless the test sets `canton` itself as text. */
export function raw(entries: Record<string, unknown>): Record<string, string> {
  const canton = entries.canton;
  const withRegistry = typeof canton === "string" ? entries : { ...entries, canton: { registry: TEST_REGISTRY, ...(canton as object | undefined) } };
  return rawExactly(withRegistry);
}

/** Raw entries exactly as given. */
export function rawExactly(entries: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(Object.entries(entries).map(([k, v]) => [`canton-ha:${k}`, typeof v === "string" ? v : JSON.stringify(v)]));
}

/**
 * A registry name for tests (`.test` is reserved, RFC 2606): checked-in stacks leave
 * `canton.registry` to the operator, who names Digital Asset's registry or a mirror.
 */
export const TEST_REGISTRY = "mirror.canton-ha.test";

/** The config of a checked-in stack file, e.g. `Pulumi.dev.yaml`, exactly as written, as raw entries. */
export function stackFileRaw(stack: string): Record<string, string> {
  const doc = yaml.load(readFileSync(join(__dirname, "..", "..", `Pulumi.${stack}.yaml`), "utf8")) as { config: Record<string, unknown> };
  return Object.fromEntries(Object.entries(doc.config).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]));
}

/** A checked-in stack's config as an operator runs it: with `canton.registry` set. */
export function stackFileConfig(stack: string): Record<string, string> {
  const entries = stackFileRaw(stack);
  const canton = JSON.parse(entries["canton-ha:canton"] ?? "{}");
  return { ...entries, "canton-ha:canton": JSON.stringify({ registry: TEST_REGISTRY, ...canton }) };
}

export function devPlan(): Plan {
  return buildPlan(parseConfig(stackFileConfig("dev")), "dev");
}

/** A bigger topology: 3 sequencers, a participant with 3 replicas, proxies in front. */
export const BIG = {
  haMode: "loadbalancer",
  domain: { sequencers: 3 },
  participants: [
    { name: "bank", replicas: 3, users: ["alice", "bob"] },
    { name: "exchange", replicas: 1, users: [] },
    { name: "custodian", dnsDomain: "custody.example.org", replicas: 2, users: ["carol"] },
  ],
};

export function bigPlan(haMode: "clientside" | "loadbalancer" = "loadbalancer"): Plan {
  return buildPlan(parseConfig(raw({ ...BIG, haMode })), "big");
}

/** Plan lookups for tests (the plan itself holds references, not lookup tables). */
export const sequencerOf = (plan: Plan, index: number) => plan.domain.sequencers.nodes.find((s) => s.index === index)!;
export const mediatorOf = (plan: Plan, index: number) => plan.domain.mediators.replicas.find((r) => r.index === index)!;
export const participantOf = (plan: Plan, name: string) => {
  const p = plan.participants.find((x) => x.name === name);
  if (!p) throw new Error(`plan has no participant '${name}'`);
  return p;
};
export const replicaOf = (plan: Plan, name: string, index: number) => participantOf(plan, name).replicas.find((r) => r.index === index)!;

/** The rendered HOCON of each node, as the components render them. */
export const render = {
  sequencer: (plan: Plan, i: number) => nodeConfig.sequencerConfig(plan.domain.sequencers, sequencerOf(plan, i), plan.stack),
  mediator: (plan: Plan, i: number) => nodeConfig.mediatorConfig(plan.domain.mediators, mediatorOf(plan, i), plan.stack),
  domainManager: (plan: Plan) => nodeConfig.domainManagerConfig(plan.domain.domainManager, plan.stack),
  participant: (plan: Plan, name: string, i: number) => nodeConfig.participantConfig(participantOf(plan, name), replicaOf(plan, name, i), plan.stack),
};
