// The domain manager: one logical node per domain, holding the domain's topology.
import * as pulumi from "@pulumi/pulumi";
import { domainManagerConfig } from "./canton/node-config";
import { cantonWorkload, NodeTrust } from "./canton/workload";
import type { Database } from "./database";
import type { Plan } from "./plan/types";
import type { Platform } from "./platform/types";

export interface DomainManagerArgs {
    plan: Plan;
    trust: NodeTrust;
    database: Database;
    platform: Platform;
    /** The walkthrough starts the domain manager after sequencers and mediator. */
    dependsOn: pulumi.Resource[];
}

export class DomainManager extends pulumi.ComponentResource {
    static readonly TYPE = "canton-ha:domain:DomainManager";

    readonly config: string;
    readonly adminApi: string;
    readonly workload: pulumi.Resource | undefined;

    constructor(name: string, args: DomainManagerArgs, opts?: pulumi.ComponentResourceOptions) {
        super(DomainManager.TYPE, name, {}, opts);
        const { plan } = args;
        const d = plan.domainManager;
        this.config = domainManagerConfig(plan);
        this.adminApi = `${d.host.fqdn}:${d.adminApi.port}`;
        this.workload = args.platform.deploy(
            cantonWorkload({
                plan, host: d.host, config: this.config, listeners: [d.adminApi], healthPort: d.adminApi.port,
                trust: args.trust, db: args.database.connection(d.db),
            }),
            { parent: this, dependsOn: args.dependsOn },
        );
        this.registerOutputs({ adminApi: this.adminApi });
    }
}
