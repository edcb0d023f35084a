// Exposure through the project's own proxy tier (HAProxy or NGINX): what the Docker and
// `none` platforms do for a group that has a proxy in the plan. Without one, replicas are
// reached directly by their names (client-side HA) and nothing is created.
import type * as pulumi from "@pulumi/pulumi";
import { LoadBalancer } from "../lb/load-balancer";
import type { Exposure, ExposeRequest, Platform } from "./types";

export function exposeThroughProxy(platform: Platform, req: ExposeRequest, opts: pulumi.ComponentResourceOptions): Exposure {
    if (!req.proxy) return { resources: [] };
    const lb = new LoadBalancer(
        `${req.proxy.fronts}-proxy`,
        {
            proxy: req.proxy,
            pki: req.pki,
            platform,
            dependsOn: (opts.dependsOn ?? []) as pulumi.Resource[],
        },
        { parent: opts.parent, aliases: opts.aliases },
    );
    return { resources: lb.workload ? [lb.workload.resource] : [] };
}
