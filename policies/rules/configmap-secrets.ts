// Kubernetes ConfigMaps are stored and shown in the clear: no key, password or token in one.
import { T } from "../lib/model";
import { isText } from "../lib/props";
import { resourcePolicy } from "../lib/policy";
import { isSecretDataKey, secretMaterialIn } from "../lib/secrets";

/** A `password = ...` line with a literal, not a `${...}` substitution (HOCON, properties, YAML). */
const LITERAL_PASSWORD_LINE = /^\s*"?[A-Za-z0-9_.-]*pass(word|wd)?"?\s*[=:]\s*(?!\$\{|\s*$)\S/im;

export const noSecretsInConfigMaps = resourcePolicy({
    name: "no-secrets-in-configmaps",
    description: "Kubernetes ConfigMaps hold no private key, JWT, private JWK or literal password, and no entry named like a secret; those go in Secrets.",
    enforcementLevel: "mandatory",
    types: [T.configMap],
    validate(res, _cfg, report) {
        for (const field of ["data", "binaryData"]) {
            const data = res.props[field];
            if (!data || typeof data !== "object") continue;
            for (const [key, value] of Object.entries(data as Record<string, unknown>)) {
                const text = isText(value) ? (field === "binaryData" ? Buffer.from(value, "base64").toString("latin1") : value) : undefined;
                const material = text === undefined ? undefined : secretMaterialIn(text);
                if (material) report(`${field}.${key} holds ${material}`, "move it to a Secret and mount that (items with mode 0400)");
                else if (isSecretDataKey(key))
                    report(`${field}.${key} is named like a secret (key, password, token)`, "put it in a Secret, or rename the entry if it holds no secret");
                else if (text !== undefined && LITERAL_PASSWORD_LINE.test(text))
                    report(`${field}.${key} has a password written into it`, "reference the password (HOCON ${ENV_VAR}) and pass it from a Secret through secretKeyRef");
            }
        }
    },
});
