// The domain manager: one logical node per domain, holding the domain's topology.
import * as pulumi from "@pulumi/pulumi";
import { domainManagerConfig } from "../canton/node-config";
import { cantonWorkload, NodeTrust } from "../canton/workload";
import type { Database } from "../database";
import type { DomainManagerNode } from "../plan/types";
import type { Platform, WorkloadHandle } from "../platform/types";
import { endpoint } from "../plan/endpoint";

export interface DomainManagerArgs {
    node: DomainManagerNode;
    stack: string;
    trust: NodeTrust;
    database: Database;
    platform: Platform;
    /** The sequencers it connects to once the domain bootstrap has set it up. */
    sequencerUrls: string[];
    /** The walkthrough starts the domain manager after sequencers and mediator. */
    dependsOn: pulumi.Resource[];
}

export class DomainManager extends pulumi.ComponentResource {
    static readonly TYPE = "canton-ha:domain:DomainManager";

    readonly config: string;
    /** The host id its config is rendered for. */
    readonly hostId: string;
    readonly adminApi: string;
    readonly workload: WorkloadHandle | undefined;

    constructor(name: string, args: DomainManagerArgs, opts?: pulumi.ComponentResourceOptions) {
        super(DomainManager.TYPE, name, {}, opts);
        const d = args.node;
        this.config = domainManagerConfig(d, args.stack);
        this.hostId = d.host.id;
        this.adminApi = endpoint(d.host, d.adminApi);
        this.workload = args.platform.deploy(
            cantonWorkload({
                group: d.name,
                component: "domain-manager",
                sequencerUrls: args.sequencerUrls,
                replica: 1,
                image: d.image,
                host: d.host,
                config: this.config,
                listeners: [d.adminApi, d.grpcHealth],
                adminApi: d.adminApi,
                grpcHealth: d.grpcHealth,
                role: "active-passive",
                trust: args.trust,
                db: args.database.connection(d.db),
            }),
            { parent: this, dependsOn: args.dependsOn },
        );
        this.registerOutputs({ adminApi: this.adminApi });
    }
}
