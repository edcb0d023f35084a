// The mediator: active/passive replicas of one logical node on a shared database.
import * as pulumi from "@pulumi/pulumi";
import { mediatorConfig } from "./canton/node-config";
import { cantonWorkload, NodeTrust } from "./canton/workload";
import type { Database } from "./database";
import type { Plan, Replica } from "./plan/types";
import type { Platform } from "./platform/types";

export interface MediatorPairArgs {
    plan: Plan;
    trust: NodeTrust;
    database: Database;
    platform: Platform;
    /** Start after these (the walkthrough starts mediators after the sequencers). */
    dependsOn: pulumi.Resource[];
}

export class MediatorPair extends pulumi.ComponentResource {
    static readonly TYPE = "canton-ha:domain:MediatorPair";

    readonly configs: Record<string, string> = {};
    readonly endpoints: { replica: string; adminApi: string }[];
    /** Replica 1, started with the domain; bootstrap initialises it. */
    readonly primary: pulumi.Resource | undefined;
    readonly standbys: pulumi.Resource[] = [];
    private readonly args: MediatorPairArgs;

    constructor(name: string, args: MediatorPairArgs, opts?: pulumi.ComponentResourceOptions) {
        super(MediatorPair.TYPE, name, {}, opts);
        this.args = args;
        const [first] = args.plan.mediators.replicas;
        this.primary = this.deployReplica(first, args.dependsOn);
        this.endpoints = args.plan.mediators.replicas.map((r) => ({ replica: r.host.id, adminApi: `${r.host.fqdn}:${r.adminApi.port}` }));
    }

    /**
     * Starts the remaining replicas once `after` has finished. The walkthrough starts the
     * second mediator only after the domain is bootstrapped; the two then agree who is active.
     */
    startStandbys(after: pulumi.Resource[]): void {
        for (const r of this.args.plan.mediators.replicas.slice(1)) {
            const w = this.deployReplica(r, [...(this.primary ? [this.primary] : []), ...after]);
            if (w) this.standbys.push(w);
        }
        this.registerOutputs({ endpoints: this.endpoints });
    }

    private deployReplica(r: Replica, dependsOn: pulumi.Resource[]): pulumi.Resource | undefined {
        const { plan } = this.args;
        const config = mediatorConfig(plan, r.index);
        this.configs[r.host.id] = config;
        return this.args.platform.deploy(
            cantonWorkload({
                plan, host: r.host, config, listeners: [r.adminApi], healthPort: r.adminApi.port,
                trust: this.args.trust, db: this.args.database.connection(plan.mediators.db),
            }),
            { parent: this, dependsOn },
        );
    }
}
