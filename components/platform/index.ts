import type * as pulumi from "@pulumi/pulumi";
import type { Plan } from "../plan/types";
import { DockerPlatform } from "./docker";
import { NonePlatform } from "./none";
import { secretConfig } from "../secret-config";
import type { Platform } from "./types";

export function createPlatform(plan: Plan, parent: pulumi.Resource): Platform {
    switch (plan.config.platform) {
        case "docker":
            return new DockerPlatform(
                {
                    namePrefix: `${plan.project}-${plan.stack}`,
                    bindAddress: plan.config.network.bindAddress,
                    publishPorts: plan.config.network.publishPorts,
                    registryAuth: plan.config.canton.registryUsername === undefined ? undefined : {
                        address: plan.config.canton.registry!,
                        username: plan.config.canton.registryUsername,
                        password: secretConfig("cantonRegistryPassword"),
                    },
                },
                parent,
            );
        case "none":
            return new NonePlatform();
        case "kubernetes":
            // Rejected by config validation already; kept exhaustive for the compiler.
            throw new Error("platform 'kubernetes' is not yet supported");
    }
}
