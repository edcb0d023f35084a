// The whole HA topology: PKI, databases, domain nodes and participants, wired in the
// order of the walkthrough. Everything below is a child of this component.
import * as pulumi from "@pulumi/pulumi";
import { Bootstrap } from "./bootstrap/bootstrap";
import { domainScript, participantScript } from "./bootstrap/steps";
import { ParticipantAuth } from "./auth/participant-auth";
import { ADMIN_USER } from "./config";
import type { NodeTrust } from "./canton/workload";
import { Database } from "./database";
import { DomainManager } from "./domain-manager";
import { LoadBalancer } from "./lb/load-balancer";
import { MediatorPair } from "./mediator-pair";
import { ParticipantReplicaSet } from "./participant-replica-set";
import { CertificateAuthority } from "./pki/certificate-authority";
import { DOMAIN_TRUST } from "./plan/build";
import type { Plan } from "./plan/types";
import { createPlatform } from "./platform";
import type { Platform } from "./platform/types";
import { SequencerTier } from "./sequencer-tier";

export interface TopologyArgs {
    plan: Plan;
    /** Defaults to the platform the config names; tests pass a recording one. */
    platform?: Platform;
}

export class CantonHaTopology extends pulumi.ComponentResource {
    static readonly TYPE = "canton-ha:index:Topology";

    readonly platform: Platform;
    readonly cas = new Map<string, CertificateAuthority>();
    readonly databases = new Map<string, Database>();
    readonly sequencers: SequencerTier;
    readonly mediators: MediatorPair;
    readonly domainManager: DomainManager;
    readonly participants = new Map<string, ParticipantReplicaSet>();
    /** Load-balancer mode: `sequencer` and every replicated participant's proxy, by what they front. */
    readonly loadBalancers = new Map<string, LoadBalancer>();
    /** Ledger API JWT auth per participant: JWKS and tokens. */
    readonly auth = new Map<string, ParticipantAuth>();
    readonly domainBootstrap: Bootstrap;
    readonly participantBootstraps = new Map<string, Bootstrap>();
    /** Participant name -> participant id, as the bootstrap runs reported them. */
    readonly participantIds: pulumi.Output<Record<string, string>>;
    /** Participant name -> party hint -> party id, as the bootstrap runs reported them. */
    readonly partyIds: pulumi.Output<Record<string, Record<string, string>>>;

    constructor(name: string, args: TopologyArgs, opts?: pulumi.ComponentResourceOptions) {
        super(CantonHaTopology.TYPE, name, {}, opts);
        const { plan } = args;
        const { config } = plan;
        this.platform = args.platform ?? createPlatform(plan, this);

        for (const td of plan.trustDomains) {
            const ca = new CertificateAuthority(`${td.id}-ca`, {
                trustDomain: td.id,
                organization: config.pki.organization,
                leafValidityHours: config.pki.leafValidityHours,
                earlyRenewalHours: config.pki.earlyRenewalHours,
            }, { parent: this });
            td.certificates.forEach((c) => ca.issue(c));
            this.cas.set(td.id, ca);
        }
        const domainCa = this.ca(DOMAIN_TRUST);
        const trustOf = (id: string): NodeTrust => ({ ca: this.ca(id), domainCa, adminClient: this.ca(id).get("admin-api") });

        for (const server of plan.databaseServers) {
            this.databases.set(server.id, new Database(server.id, {
                server, image: config.postgres.image, ca: this.ca(server.trustDomain), platform: this.platform, retainData: config.postgres.retainData,
                sharedMemoryMb: config.postgres.sharedMemoryMb,
            }, { parent: this }));
        }
        const db = (id: string) => this.databases.get(id)!;
        const domainTrust = trustOf(DOMAIN_TRUST);

        // 1. Domain: sequencers (active/active), mediator 1, domain manager: the walkthrough's order.
        this.sequencers = new SequencerTier("sequencers", { plan, trust: domainTrust, database: db(plan.sequencers[0].db.server), platform: this.platform }, { parent: this });
        this.mediators = new MediatorPair("mediators", {
            plan, trust: domainTrust, database: db(plan.mediators.db.server), platform: this.platform, dependsOn: this.sequencers.workloads,
        }, { parent: this });
        this.domainManager = new DomainManager("domain-manager", {
            plan, trust: domainTrust, database: db(plan.domainManager.db.server), platform: this.platform,
            dependsOn: [...this.sequencers.workloads, ...present(this.mediators.primary)],
        }, { parent: this });

        // 2. Domain bootstrap, once every domain node it touches is healthy (containers wait for
        //    their health checks); the standby mediator starts only after it succeeded. In
        //    load-balancer mode the sequencer proxy comes first: bootstrap connects through it.
        if (plan.sequencerProxy) {
            this.loadBalancers.set("sequencer", new LoadBalancer("sequencer-proxy", {
                proxy: plan.sequencerProxy, role: "sequencer", loadBalancer: config.loadBalancer, ca: domainCa, platform: this.platform,
                dependsOn: this.sequencers.workloads,
            }, { parent: this }));
        }
        const sequencerFront: pulumi.Resource[] = present(this.loadBalancers.get("sequencer")?.workload);
        this.domainBootstrap = new Bootstrap("bootstrap-domain", {
            plan, script: domainScript(plan), scope: { domain: true, participants: [] }, ca: (id) => this.ca(id), platform: this.platform,
            dependsOn: [...this.sequencers.workloads, ...present(this.mediators.primary), ...present(this.domainManager.workload), ...sequencerFront],
        }, { parent: this });
        const domainReady: pulumi.Resource[] = [...present(this.domainManager.workload)];
        this.mediators.startStandbys([this.domainBootstrap]);

        // 3. Participants: replica 1 after the domain, the standbys after replica 1 has connected.
        for (const p of plan.participants) {
            // Its JWKS is uploaded into every replica; its tokens are stack outputs.
            const auth = new ParticipantAuth(`${p.name}-auth`, { plan, participant: p, ca: this.ca(p.trustDomain) }, { parent: this });
            this.auth.set(p.name, auth);
            const set = new ParticipantReplicaSet(p.name, {
                plan, participant: p, trust: trustOf(p.trustDomain), database: db(p.db.server), platform: this.platform, dependsOn: domainReady,
                extraFiles: auth.files,
            }, { parent: this });
            // Replica 1 joins the domain (after the domain bootstrap); the standbys start after that.
            const bootstrap = new Bootstrap(`bootstrap-${p.name}`, {
                plan, script: participantScript(plan, p.name), scope: { domain: false, participants: [p.name] }, ca: (id) => this.ca(id), platform: this.platform,
                adminToken: auth.tokens.apply((t) => t[ADMIN_USER]),
                dependsOn: [this.domainBootstrap, ...sequencerFront, ...present(set.primary)],
            }, { parent: this });
            this.participantBootstraps.set(p.name, bootstrap);
            const connected: pulumi.Resource[] = [bootstrap];
            set.startStandbys(connected);
            this.participants.set(p.name, set);
            if (p.proxy) {
                // Load-balancer mode, more than one replica: a proxy that routes to the active one.
                this.loadBalancers.set(p.name, new LoadBalancer(`${p.name}-proxy`, {
                    proxy: p.proxy, role: "participant", loadBalancer: config.loadBalancer, ca: this.ca(p.trustDomain), platform: this.platform,
                    dependsOn: [...present(set.primary), ...set.standbys],
                }, { parent: this }));
            }
        }
        this.participantIds = pulumi
            .all([...this.participantBootstraps.values()].map((b) => b.participantIds))
            .apply((ids) => Object.assign({}, ...ids) as Record<string, string>);
        this.partyIds = pulumi
            .all([...this.participantBootstraps.values()].map((b) => b.partyIds))
            .apply((ids) => Object.assign({}, ...ids) as Record<string, Record<string, string>>);
        this.registerOutputs({});
    }

    ca(trustDomain: string): CertificateAuthority {
        const ca = this.cas.get(trustDomain);
        if (!ca) throw new pulumi.ResourceError(`no CA for trust domain '${trustDomain}'`, this);
        return ca;
    }
}

function present<T>(x: T | undefined): T[] {
    return x === undefined ? [] : [x];
}
