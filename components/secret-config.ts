// Secrets that come from stack config (`pulumi config set --secret ...`). They are checked
// when the plan is loaded, before any resource exists: a missing key, or one stored in
// plain text in Pulumi.<stack>.yaml, is a ConfigError that names the key and the command.
import * as pulumi from "@pulumi/pulumi";
import { CantonHaConfig, ConfigProblem, PROJECT } from "./config";

/** A secret stack config key the config asks for, and why. */
interface SecretKey {
    /** Without the project prefix, e.g. `cantonRegistryPassword`. */
    key: string;
    why: string;
}

/** The secret keys a config needs. */
export function secretKeysOf(config: CantonHaConfig): SecretKey[] {
    const keys: SecretKey[] = [];
    if (config.canton.registryUsername !== undefined) {
        keys.push({ key: "cantonRegistryPassword", why: `the password of canton.registryUsername '${config.canton.registryUsername}' at ${config.canton.registry}` });
    }
    return keys;
}

/** Problems with the secret keys in a raw config map (`pulumi.runtime.allConfig()`). */
export function secretKeyProblems(keys: SecretKey[], raw: Record<string, string>, isSecret: (fullKey: string) => boolean): ConfigProblem[] {
    return keys.flatMap(({ key, why }): ConfigProblem[] => {
        const full = `${PROJECT}:${key}`;
        if (raw[full] === undefined || raw[full] === "") {
            return [{ key: full, message: `is required (${why}); set it with \`pulumi config set --secret ${full} <value>\`` }];
        }
        if (!isSecret(full)) {
            return [{ key: full, message: `is stored in plain text in the stack file; set it again with \`pulumi config set --secret ${full} <value>\` so it is encrypted` }];
        }
        return [];
    });
}

/**
 * Whether the engine handed the key over as a secret. The SDK knows (the language host passes
 * the secret keys along), but marks `isConfigSecret` internal, so it is not in the typings.
 */
export function isStackConfigSecret(fullKey: string): boolean {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const runtimeConfig = require("@pulumi/pulumi/runtime/config") as { isConfigSecret?: (k: string) => boolean };
    if (typeof runtimeConfig.isConfigSecret !== "function") {
        throw new Error("this @pulumi/pulumi has no runtime isConfigSecret; canton-ha cannot tell secret config from plain text");
    }
    return runtimeConfig.isConfigSecret(fullKey);
}

/** The value of a secret key (already validated by `loadPlan`), as a secret output. */
export function secretConfig(key: string): pulumi.Output<string> {
    return new pulumi.Config(PROJECT).requireSecret(key);
}
