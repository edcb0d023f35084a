// The sequencer tier: active/active replicas on one shared database.
import * as pulumi from "@pulumi/pulumi";
import { sequencerConfig } from "./canton/node-config";
import { cantonWorkload, NodeTrust } from "./canton/workload";
import type { Database } from "./database";
import type { Plan } from "./plan/types";
import type { Platform } from "./platform/types";

export interface SequencerTierArgs {
    plan: Plan;
    trust: NodeTrust;
    database: Database;
    platform: Platform;
}

export interface SequencerEndpoint {
    name: string;
    publicUrl: string;
    adminApi: string;
}

export class SequencerTier extends pulumi.ComponentResource {
    static readonly TYPE = "canton-ha:domain:SequencerTier";

    readonly endpoints: SequencerEndpoint[];
    /** Rendered HOCON per sequencer (no secrets in it). */
    readonly configs: Record<string, string>;
    readonly workloads: pulumi.Resource[];

    constructor(name: string, args: SequencerTierArgs, opts?: pulumi.ComponentResourceOptions) {
        super(SequencerTier.TYPE, name, {}, opts);
        const { plan } = args;
        const connection = args.database.connection(plan.sequencers[0].db);
        this.configs = {};
        this.workloads = [];
        for (const s of plan.sequencers) {
            const config = sequencerConfig(plan, s.index);
            this.configs[s.name] = config;
            const w = args.platform.deploy(
                cantonWorkload({ plan, host: s.host, config, listeners: [s.publicApi, s.adminApi], healthPort: s.adminApi.port, trust: args.trust, db: connection }),
                // Active/active: every replica may start as soon as the database is ready.
                { parent: this, dependsOn: args.database.workload ? [args.database.workload] : [] },
            );
            if (w) this.workloads.push(w);
        }
        this.endpoints = plan.sequencers.map((s) => ({ name: s.name, publicUrl: s.url, adminApi: `${s.host.fqdn}:${s.adminApi.port}` }));
        this.registerOutputs({ endpoints: this.endpoints });
    }
}
