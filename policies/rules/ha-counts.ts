// Enough sequencers and mediator replicas for the domain to survive the loss of one.
import { isNonHaStack, nodesOf, replicasByName, stackCarrier } from "../lib/ha";
import { integer, stackPolicy, stringList } from "../lib/policy";

export const haMinSequencers = stackPolicy<{ minSequencers: number; nonHaStacks: string[] }>({
    name: "ha-min-sequencers",
    description: "HA stacks run at least minSequencers (2) active/active sequencers.",
    enforcementLevel: "mandatory",
    config: {
        minSequencers: integer("Fewest sequencers of an HA stack.", 2, 1),
        nonHaStacks: stringList("Stacks that are not HA (no minimum applies).", []),
    },
    validate(model, cfg, report) {
        if (isNonHaStack(model, cfg.nonHaStacks)) return;
        const names = [...new Set(nodesOf(model, "sequencer").map((n) => n.nodeName))].sort();
        if (model.cantonNodes.length === 0 || names.length >= cfg.minSequencers) return;
        const first = nodesOf(model, "sequencer")[0]?.file ?? model.cantonNodes[0].file;
        report(
            stackCarrier(model, first),
            `the domain has ${names.length} sequencer${names.length === 1 ? "" : "s"} (${names.join(", ") || "none"}); losing ${names.length === 1 ? "it" : "one"} stops the domain`,
            `run at least ${cfg.minSequencers}: pulumi config set --path 'canton-ha:domain.sequencers' ${cfg.minSequencers} (or list stack '${model.stack}' in nonHaStacks of the policy pack config)`,
            `stack '${model.stack}'`,
        );
    },
});

export const haMinMediators = stackPolicy<{ minMediators: number; nonHaStacks: string[] }>({
    name: "ha-min-mediators",
    description: "HA stacks run at least minMediators (2) replicas of the mediator (active/passive).",
    enforcementLevel: "mandatory",
    config: {
        minMediators: integer("Fewest mediator replicas of an HA stack.", 2, 1),
        nonHaStacks: stringList("Stacks that are not HA (no minimum applies).", []),
    },
    validate(model, cfg, report) {
        if (isNonHaStack(model, cfg.nonHaStacks) || nodesOf(model, "sequencer").length === 0) return;
        const groups = replicasByName(model, "mediator");
        if (groups.size === 0) {
            report(
                stackCarrier(model, model.cantonNodes[0]?.file),
                "the domain has no mediator",
                "run the mediator pair: pulumi config set --path 'canton-ha:domain.mediators' 2",
                `stack '${model.stack}'`,
            );
            return;
        }
        for (const [name, replicas] of groups) {
            if (replicas.length >= cfg.minMediators) continue;
            report(
                stackCarrier(model, replicas[0].file),
                `the mediator '${name}' has ${replicas.length} replica${replicas.length === 1 ? "" : "s"} (${replicas.map((r) => r.hostId).join(", ")}); if it fails, no transaction is confirmed until it is back`,
                `run ${cfg.minMediators} replicas: pulumi config set --path 'canton-ha:domain.mediators' ${cfg.minMediators} (or list stack '${model.stack}' in nonHaStacks of the policy pack config)`,
                `mediator '${name}' (${replicas[0].where})`,
            );
        }
    },
});
