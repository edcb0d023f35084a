// The mediator: active/passive replicas of one logical node on a shared database.
import * as pulumi from "@pulumi/pulumi";
import { mediatorConfig } from "../canton/node-config";
import { cantonWorkload, NodeTrust } from "../canton/workload";
import type { Database } from "../database";
import type { MediatorPairPlan } from "../plan/types";
import type { Platform, WorkloadHandle } from "../platform/types";
import { deployReplicas } from "../replicas";
import { endpoint } from "../plan/endpoint";

export interface MediatorPairArgs {
    mediators: MediatorPairPlan;
    stack: string;
    trust: NodeTrust;
    database: Database;
    platform: Platform;
    /** The sequencers the mediator connects to once the domain bootstrap has set it up. */
    sequencerUrls: string[];
    /** Replica 1 starts after these (the walkthrough starts mediators after the sequencers). */
    dependsOn: pulumi.Resource[];
    /**
     * Creates what the standby waits for, once replica 1 exists: the domain bootstrap. The
     * walkthrough starts the second mediator only after it. Then whichever replica holds the
     * shared database's lock is active, as for participants (2.9 manual, "High Availability
     * Usage": shared storage and `replication.enabled`); there is no lease over the sequencer.
     */
    afterPrimary?: (primary: WorkloadHandle | undefined) => pulumi.Resource[];
}

export class MediatorPair extends pulumi.ComponentResource {
    static readonly TYPE = "canton-ha:domain:MediatorPair";

    readonly configs: Record<string, string> = {};
    readonly endpoints: { replica: string; adminApi: string }[];
    /** Replica 1, started with the domain; bootstrap initialises it. */
    readonly primary: WorkloadHandle | undefined;
    readonly standbys: WorkloadHandle[];

    constructor(name: string, args: MediatorPairArgs, opts?: pulumi.ComponentResourceOptions) {
        super(MediatorPair.TYPE, name, {}, opts);
        const m = args.mediators;
        const connection = args.database.connection(m.db);
        const deployed = deployReplicas(this, {
            group: m.name,
            component: "mediator",
            replicas: m.replicas,
            platform: args.platform,
            dependsOn: args.dependsOn,
            afterPrimary: args.afterPrimary,
            workload: (r) => {
                const config = mediatorConfig(m, r, args.stack);
                this.configs[r.host.id] = config;
                return cantonWorkload({
                    group: m.name,
                    component: "mediator",
                    sequencerUrls: args.sequencerUrls,
                    replica: r.index,
                    image: m.image,
                    host: r.host,
                    config,
                    listeners: [r.adminApi, r.grpcHealth],
                    adminApi: r.adminApi,
                    grpcHealth: r.grpcHealth,
                    role: "active-passive",
                    trust: args.trust,
                    db: connection,
                });
            },
        });
        this.primary = deployed.primary;
        this.standbys = deployed.standbys;
        this.endpoints = m.replicas.map((r) => ({ replica: r.host.id, adminApi: endpoint(r.host, r.adminApi) }));
        this.registerOutputs({ endpoints: this.endpoints });
    }
}
