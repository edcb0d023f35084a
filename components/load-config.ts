import * as pulumi from "@pulumi/pulumi";
import { ConfigError, parseConfig } from "./config";
import { buildPlan } from "./plan/build";
import type { Plan } from "./plan/types";
import { isStackConfigSecret, secretKeyProblems, secretKeysOf } from "./secret-config";

/**
 * Reads and validates the `canton-ha:*` stack config and plans the topology. A bad value
 * stops the run here, before any resource exists, so nothing is ever half-created.
 */
export function loadPlan(): Plan {
    try {
        const raw = pulumi.runtime.allConfig();
        const config = parseConfig(raw);
        const secretProblems = secretKeyProblems(secretKeysOf(config), raw, isStackConfigSecret);
        if (secretProblems.length > 0) throw new ConfigError(secretProblems);
        return buildPlan(config, pulumi.getStack());
    } catch (e) {
        // RunError prints the message alone, without a stack trace: the message is the fix.
        if (e instanceof ConfigError) throw new pulumi.RunError(e.message);
        throw e;
    }
}
