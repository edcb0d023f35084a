// A participant: active/passive replicas with one node name on one shared Postgres.
import * as pulumi from "@pulumi/pulumi";
import { participantConfig } from "./canton/node-config";
import { cantonWorkload, NodeTrust } from "./canton/workload";
import type { Database } from "./database";
import type { ParticipantReplica, ParticipantSet, Plan } from "./plan/types";
import type { Platform, WorkloadFile } from "./platform/types";

export interface ParticipantReplicaSetArgs {
    plan: Plan;
    participant: ParticipantSet;
    trust: NodeTrust;
    database: Database;
    platform: Platform;
    /** Start after these (the domain must be up before participants connect). */
    dependsOn: pulumi.Resource[];
    /** Files every replica needs besides certs and config, e.g. a JWKS. */
    extraFiles?: WorkloadFile[];
}

export interface ParticipantReplicaEndpoint {
    replica: string;
    ledgerApi: string;
    adminApi: string;
    /** Plain-HTTP is-active check: 200 on the active replica only. */
    healthUrl: string;
}

export class ParticipantReplicaSet extends pulumi.ComponentResource {
    static readonly TYPE = "canton-ha:participant:ParticipantReplicaSet";

    readonly configs: Record<string, string> = {};
    readonly endpoints: ParticipantReplicaEndpoint[];
    /** Replica 1: started first and connected to the domain by bootstrap. */
    readonly primary: pulumi.Resource | undefined;
    readonly standbys: pulumi.Resource[] = [];
    private readonly args: ParticipantReplicaSetArgs;

    constructor(name: string, args: ParticipantReplicaSetArgs, opts?: pulumi.ComponentResourceOptions) {
        super(ParticipantReplicaSet.TYPE, name, {}, opts);
        this.args = args;
        const p = args.participant;
        this.primary = this.deployReplica(p.replicas[0], [...args.dependsOn, ...(args.database.workload ? [args.database.workload] : [])]);
        this.endpoints = p.replicas.map((r) => ({
            replica: r.host.id,
            ledgerApi: `${r.host.fqdn}:${r.ledgerApi.port}`,
            adminApi: `${r.host.fqdn}:${r.adminApi.port}`,
            healthUrl: `http://${r.host.fqdn}:${r.health.port}/health`,
        }));
    }

    /** Starts replicas 2..n after `after` (the seed starts participant1b once participant1 has connected). */
    startStandbys(after: pulumi.Resource[]): void {
        for (const r of this.args.participant.replicas.slice(1)) {
            const w = this.deployReplica(r, [...(this.primary ? [this.primary] : []), ...after]);
            if (w) this.standbys.push(w);
        }
        this.registerOutputs({ endpoints: this.endpoints });
    }

    private deployReplica(r: ParticipantReplica, dependsOn: pulumi.Resource[]): pulumi.Resource | undefined {
        const { plan, participant: p } = this.args;
        const config = participantConfig(plan, p.name, r.index);
        this.configs[r.host.id] = config;
        return this.args.platform.deploy(
            cantonWorkload({
                plan, host: r.host, config, listeners: [r.ledgerApi, r.adminApi, r.health], healthPort: r.adminApi.port,
                trust: this.args.trust, db: this.args.database.connection(p.db), extraFiles: this.args.extraFiles,
            }),
            { parent: this, dependsOn },
        );
    }
}
