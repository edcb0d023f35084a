// A participant: active/passive replicas with one node name on one shared Postgres.
import * as pulumi from "@pulumi/pulumi";
import { participantConfig } from "../canton/node-config";
import { cantonWorkload, NodeTrust } from "../canton/workload";
import type { Database } from "../database";
import type { ParticipantSet } from "../plan/types";
import type { Platform, WorkloadFile, WorkloadHandle } from "../platform/types";
import { deployReplicas } from "../replicas";
import { endpoint } from "../plan/endpoint";

export interface ParticipantReplicaSetArgs {
    participant: ParticipantSet;
    stack: string;
    trust: NodeTrust;
    database: Database;
    platform: Platform;
    /** Replica 1 starts after these (the domain must be up before participants connect). */
    dependsOn: pulumi.Resource[];
    /** Files every replica needs besides certs and config, e.g. a JWKS. */
    extraFiles?: WorkloadFile[];
    /** Creates what the standbys wait for (the participant bootstrap), once replica 1 exists. */
    afterPrimary?: (primary: WorkloadHandle | undefined) => pulumi.Resource[];
}

interface ParticipantReplicaEndpoint {
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
    readonly primary: WorkloadHandle | undefined;
    readonly standbys: WorkloadHandle[];

    constructor(name: string, args: ParticipantReplicaSetArgs, opts?: pulumi.ComponentResourceOptions) {
        super(ParticipantReplicaSet.TYPE, name, {}, opts);
        const p = args.participant;
        const connection = args.database.connection(p.db);
        const deployed = deployReplicas(this, {
            group: p.name,
            component: "participant",
            replicas: p.replicas,
            platform: args.platform,
            dependsOn: [...args.dependsOn, ...args.database.ready],
            afterPrimary: args.afterPrimary,
            workload: (r) => {
                const config = participantConfig(p, r, args.stack);
                this.configs[r.host.id] = config;
                return cantonWorkload({
                    group: p.name,
                    component: "participant",
                    sequencerUrls: p.domain.sequencerUrls,
                    replica: r.index,
                    image: p.image,
                    host: r.host,
                    config,
                    listeners: [r.ledgerApi, r.adminApi, r.health, r.grpcHealth],
                    adminApi: r.adminApi,
                    grpcHealth: r.grpcHealth,
                    ledgerApi: r.ledgerApi,
                    role: "active-passive",
                    trust: args.trust,
                    db: connection,
                    extraFiles: args.extraFiles,
                });
            },
        });
        this.primary = deployed.primary;
        this.standbys = deployed.standbys;
        this.endpoints = p.replicas.map((r) => ({
            replica: r.host.id,
            ledgerApi: endpoint(r.host, r.ledgerApi),
            adminApi: endpoint(r.host, r.adminApi),
            healthUrl: endpoint(r.host, r.health, "http", "/health"),
        }));
        this.registerOutputs({ endpoints: this.endpoints });
    }
}
