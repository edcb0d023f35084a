// Stack outputs (and component outputs) are stored in the state and printed by
// `pulumi stack output`: keys, passwords and tokens among them must be secrets.
import { stackPolicy } from "../lib/policy";
import { isSecretOutputKey, secretMaterialIn, showPath, stringsIn } from "../lib/secrets";

export const noPlaintextSecretsInOutputs = stackPolicy({
    name: "no-plaintext-secrets-in-outputs",
    description: "Stack and component outputs that hold private keys, tokens or passwords (by content or by name) are Pulumi secrets.",
    enforcementLevel: "mandatory",
    validate(model, _cfg, report) {
        // The stack and components; providers (`pulumi:providers:*`) hold their own config, not outputs.
        for (const res of model.resources.filter((r) => !r.hasProvider && !r.type.startsWith("pulumi:providers:"))) {
            if (!res.secretsKnown) continue;
            for (const [value, path] of stringsIn(res.props)) {
                if (value.length === 0 || value === "true" || value === "false" || res.isSecret(path)) continue;
                const named = path.some((seg) => typeof seg === "string" && isSecretOutputKey(seg));
                const material = secretMaterialIn(value);
                if (material || named) {
                    const what = material ?? "a value named like a secret";
                    report(
                        res,
                        `the output ${showPath(path)} holds ${what} in plain text`,
                        "wrap it in pulumi.secret() before exporting it (or stop exporting it)",
                        res.type === "pulumi:pulumi:Stack" ? `stack output ${showPath(path)}` : undefined,
                    );
                }
            }
        }
    },
});
