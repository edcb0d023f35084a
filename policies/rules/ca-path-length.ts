// Path length constraints of generated CAs, read from the @pulumi/tls inputs (`maxPathLength`).
// An intermediate that may sign only leaves carries pathlen:0. For `pki.source: files` the
// CA certificates are the operator's; canton-ha's own validation checks the chain.
import { T } from "../lib/model";
import { integer, resourcePolicy } from "../lib/policy";

export const intermediatePathLength = resourcePolicy<{ maxIntermediatePathLength: number }>({
    name: "ca-path-length",
    description:
        "Intermediate CAs (LocallySignedCert with isCaCertificate) carry a path length constraint (maxPathLength, at most maxIntermediatePathLength, default 0: leaves only).",
    enforcementLevel: "mandatory",
    types: [T.locallySigned],
    config: { maxIntermediatePathLength: integer("Largest maxPathLength of an intermediate CA.", 0) },
    validate(res, cfg, report) {
        if (res.props.isCaCertificate !== true) return;
        const len = res.props.maxPathLength;
        if (typeof len !== "number" || len < 0) {
            report(
                "the intermediate CA has no path length constraint (maxPathLength is not set), so a certificate it issues could itself act as a CA",
                `set maxPathLength: ${cfg.maxIntermediatePathLength}`,
            );
        } else if (len > cfg.maxIntermediatePathLength) {
            report(`the intermediate CA allows ${len} further CA levels below it (maxPathLength ${len})`, `set maxPathLength: ${cfg.maxIntermediatePathLength}`);
        }
    },
});

export const rootPathLength = resourcePolicy<{ maxRootPathLength: number }>({
    name: "root-ca-path-length",
    description: "Advisory: self-signed root CAs carry a path length constraint as well (maxPathLength 1 for a root with one intermediate tier).",
    enforcementLevel: "advisory",
    types: [T.selfSigned],
    config: { maxRootPathLength: integer("Largest maxPathLength of a root CA.", 1) },
    validate(res, cfg, report) {
        if (res.props.isCaCertificate !== true) return;
        const len = res.props.maxPathLength;
        if (typeof len !== "number" || len < 0) {
            report(
                "the root CA has no path length constraint in its inputs (maxPathLength is not set), so any number of intermediate tiers may chain to it",
                `set maxPathLength: ${cfg.maxRootPathLength} on the root's SelfSignedCert (components/pki/certificate-authority.ts)`,
            );
        } else if (len > cfg.maxRootPathLength) {
            report(`the root CA allows ${len} intermediate tiers`, `set maxPathLength: ${cfg.maxRootPathLength}`);
        }
    },
});
