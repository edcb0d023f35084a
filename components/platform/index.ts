import type * as pulumi from "@pulumi/pulumi";
import type { Plan } from "../plan/types";
import { secretConfig } from "../secret-config";
import { DockerPlatform } from "./docker";
import { KubernetesPlatform } from "./kubernetes/platform";
import { NonePlatform } from "./none";
import type { Platform } from "./types";

export function createPlatform(plan: Plan, parent: pulumi.Resource): Platform {
    const login = plan.imagePull;
    switch (plan.platform) {
        case "docker":
            return new DockerPlatform(
                {
                    namePrefix: `${plan.project}-${plan.stack}`,
                    publishOn: plan.publishing.bindAddress,
                    // The password is read here, as a secret; `loadPlan` checked it is set and encrypted.
                    registryAuth: login && { address: login.address, username: login.username, password: secretConfig(login.passwordKey) },
                },
                parent,
            );
        case "kubernetes":
            if (!plan.kubernetes) throw new Error("platform kubernetes without kubernetes settings in the plan");
            return new KubernetesPlatform(
                {
                    settings: plan.kubernetes,
                    instance: `${plan.project}-${plan.stack}`,
                    retainNamespace: plan.databaseServers.some((s) => s.retainData && !s.external),
                    registryAuth: login && { address: login.address, username: login.username, password: secretConfig(login.passwordKey) },
                },
                parent,
            );
        case "none":
            return new NonePlatform();
        default:
            throw new Error(`platform '${plan.platform}' is not implemented`);
    }
}
