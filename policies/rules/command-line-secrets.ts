// No key, token or password on a command line: `ps`, `docker inspect`, `kubectl get pod -o yaml`
// and every log of a failed start show it.
import { isPodCarrier, podTemplateOf, T } from "../lib/model";
import { isText } from "../lib/props";
import { resourcePolicy } from "../lib/policy";
import { literalSecretIn } from "../lib/secrets";

export const noSecretsOnCommandLines = resourcePolicy({
    name: "no-secrets-on-command-lines",
    description: "Container commands, entrypoints and args (Docker and Kubernetes) carry no private key, JWT or literal password.",
    enforcementLevel: "mandatory",
    validate(res, _cfg, report) {
        const lines: [string, string[]][] = [];
        if (res.type === T.container) lines.push([`the container's entrypoint and command`, [...(res.props.entrypoints ?? []), ...(res.props.command ?? [])].filter(isText)]);
        else if (isPodCarrier(res.type)) {
            const tpl = podTemplateOf(res);
            for (const c of [...(tpl?.spec.initContainers ?? []), ...(tpl?.spec.containers ?? [])] as any[]) {
                lines.push([`container '${String(c?.name)}' command and args`, [...(c?.command ?? []), ...(c?.args ?? [])].filter(isText)]);
            }
        }
        for (const [what, args] of lines) {
            const found = literalSecretIn(args.join(" "));
            if (found)
                report(
                    `${what} contain${what.endsWith("s") ? "" : "s"} ${found}`,
                    "pass the value in a file (Docker upload, Kubernetes Secret volume) or a secret env var, and refer to it from the command",
                );
        }
    },
});
