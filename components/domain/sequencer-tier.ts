// The sequencer tier: active/active replicas on one shared database.
import * as pulumi from "@pulumi/pulumi";
import { sequencerConfig } from "../canton/node-config";
import { cantonWorkload, NodeTrust } from "../canton/workload";
import type { Database } from "../database";
import { RecordedSetting } from "../guards/recorded-setting";
import type { SequencerTierPlan } from "../plan/types";
import type { Platform, WorkloadHandle } from "../platform/types";
import { endpoint } from "../plan/endpoint";

export interface SequencerTierArgs {
    tier: SequencerTierPlan;
    stack: string;
    trust: NodeTrust;
    database: Database;
    platform: Platform;
}

interface SequencerEndpoint {
    name: string;
    publicUrl: string;
    adminApi: string;
}

export class SequencerTier extends pulumi.ComponentResource {
    static readonly TYPE = "canton-ha:domain:SequencerTier";

    readonly endpoints: SequencerEndpoint[];
    /** Rendered HOCON per sequencer (no secrets in it). */
    readonly configs: Record<string, string> = {};
    readonly workloads: WorkloadHandle[] = [];
    /** The recorded `total-node-count`: a changed value fails `pulumi up` (guards/recorded-setting.ts). */
    readonly totalNodeCount: RecordedSetting;

    constructor(name: string, args: SequencerTierArgs, opts?: pulumi.ComponentResourceOptions) {
        super(SequencerTier.TYPE, name, {}, opts);
        const { tier } = args;
        const connection = args.database.connection(tier.db);
        // Canton assigns writer slots out of total-node-count on the shared database; the 2.9
        // manual (HA, "Sequencer") says it "should not be changed once a set of sequencer nodes
        // has been deployed". The sequencers depend on this record, so a refused change stops
        // `pulumi up` before any of them is touched.
        this.totalNodeCount = new RecordedSetting(
            "total-node-count",
            {
                key: "canton-ha:domain.totalNodeCount",
                value: String(tier.totalNodeCount),
                overrideKey: "canton-ha:domain.allowTotalNodeCountChange",
                why: "Canton must not see sequencer.high-availability.total-node-count change once sequencers have been deployed (Canton 2.9 manual, High Availability).",
                allowChange: tier.allowTotalNodeCountChange,
            },
            { parent: this },
        );
        for (const s of tier.nodes) {
            const config = sequencerConfig(tier, s, args.stack);
            this.configs[s.name] = config;
            const w = args.platform.deploy(
                cantonWorkload({
                    group: "sequencer",
                    component: "sequencer",
                    replica: 1,
                    image: tier.image,
                    host: s.host,
                    config,
                    listeners: [s.publicApi, s.adminApi, s.grpcHealth],
                    adminApi: s.adminApi,
                    grpcHealth: s.grpcHealth,
                    role: "active-active",
                    trust: args.trust,
                    db: connection,
                }),
                // Active/active: every replica may start as soon as the database is ready.
                { parent: this, dependsOn: [this.totalNodeCount, ...args.database.ready] },
            );
            if (w) this.workloads.push(w);
        }
        if (tier.nodes.length > 1) {
            // Active/active: all but one may serve through a drain; clients fail over to the others.
            args.platform.disruptionBudget({ group: "sequencer", component: "sequencer", minAvailable: tier.nodes.length - 1 }, { parent: this });
        }
        this.endpoints = tier.nodes.map((s) => ({ name: s.name, publicUrl: s.url, adminApi: endpoint(s.host, s.adminApi) }));
        this.registerOutputs({ endpoints: this.endpoints });
    }
}
