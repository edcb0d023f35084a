// Kubernetes: env vars that carry secrets come from Secrets (`valueFrom.secretKeyRef`), never as
// literal values in the manifest and never from a ConfigMap.
import { isPodCarrier, podTemplateOf, T } from "../lib/model";
import { isText } from "../lib/props";
import { resourcePolicy } from "../lib/policy";
import { isSecretName, secretMaterialIn } from "../lib/secrets";

export const envSecretsFromSecretRefs = resourcePolicy({
    name: "k8s-env-secrets-from-secret-refs",
    description: "Kubernetes containers take passwords, tokens and keys in env only through valueFrom.secretKeyRef: no literal value, no configMapKeyRef.",
    enforcementLevel: "mandatory",
    validate(res, _cfg, report) {
        if (!isPodCarrier(res.type) && res.type !== T.pod) return;
        const tpl = podTemplateOf(res);
        if (!tpl) return;
        for (const c of [...(tpl.spec.initContainers ?? []), ...(tpl.spec.containers ?? [])] as any[]) {
            for (const e of (c?.env ?? []) as any[]) {
                const name = String(e?.name);
                const here = `container '${String(c?.name)}' env ${name}`;
                if (isText(e?.value)) {
                    const material = secretMaterialIn(e.value);
                    if (material) report(`${here} holds ${material} as a literal value`, `store it in a Secret and use valueFrom.secretKeyRef`);
                    else if (isSecretName(name) && e.value.length > 0)
                        report(`${here} is set as a literal value in the manifest`, `store it in a Secret and use valueFrom.secretKeyRef`);
                } else if (e?.valueFrom?.configMapKeyRef && isSecretName(name)) {
                    report(`${here} comes from ConfigMap '${String(e.valueFrom.configMapKeyRef.name)}'`, "move the value to a Secret and use valueFrom.secretKeyRef");
                }
            }
        }
    },
});
