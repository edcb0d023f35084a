// A domain that is open lets anyone who reaches a sequencer join it: the sequencer public API
// has TLS but no client authentication, so `topology.open` is the domain's admission control.
// Canton 2.9's default is open (`TopologyConfig(open = true)`, DomainConfig.scala; the
// onboarding check is `domainTrustsParticipant || config.open` in
// DomainTopologyManagerRequestService). canton-ha renders `open = false` unless
// `domain.open: true` is chosen.
//
// Advisory: an open domain is a legitimate, explicit and documented choice (a public test
// network), not a misconfiguration the program produces by accident; teams that forbid it set
// this policy's enforcementLevel to "mandatory".
import { nodesOf } from "../lib/ha";
import { stackPolicy } from "../lib/policy";

export const cantonOpenDomain = stackPolicy({
    name: "canton-open-domain",
    description: "Each domain manager closes its domain (topology.open = false; Canton's default is open), so only participants it admitted can join.",
    enforcementLevel: "advisory",
    validate(model, _cfg, report) {
        for (const dm of nodesOf(model, "domain-manager")) {
            const open = (dm.config.topology ?? {}).open;
            if (open === false) continue;
            report(
                dm.file.carrier,
                `domain manager '${dm.nodeName}' ${open === true ? "sets topology.open = true" : "does not set topology.open, and Canton's default is true"}: anyone who reaches a sequencer can join the domain`,
                "close it: pulumi config set --path 'canton-ha:domain.open' false (the default), and admit other organisations' participants with canton-ha:domain.admit",
                dm.where,
            );
        }
    },
});
