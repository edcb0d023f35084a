// A Canton domain on its own: the sequencer tier, the mediator pair, the domain manager, the
// sequencer proxy in load-balancer mode, and the domain bootstrap, started in the order of the
// walkthrough. Participants (this stack's, or another organisation's) join it through
// `connection`: an alias, sequencer URLs and the domain's CA chain.
import * as pulumi from "@pulumi/pulumi";
import { Bootstrap, BOOTSTRAP_TIMEOUT_SECONDS } from "../bootstrap/bootstrap";
import { trustFiles } from "../bootstrap/layout";
import { domainRemoteConfig, domainRemoteFlows } from "../bootstrap/remote-config";
import { domainScript } from "../bootstrap/steps";
import type { NodeTrust } from "../canton/workload";
import type { Database } from "../database";
import type { TrustDomainPki } from "../pki/pki";
import type { DomainPlan } from "../plan/types";
import { Platform, publicFile, secretFile, WorkloadFile } from "../platform/types";
import { DomainManager } from "./domain-manager";
import { MediatorPair } from "./mediator-pair";
import { SequencerTier } from "./sequencer-tier";
import { checked } from "../validate";

/** What a participant needs to join a domain, as component inputs. */
export interface DomainConnection {
    alias: pulumi.Input<string>;
    sequencerUrls: pulumi.Input<string[]>;
    /** Intermediate + root of the domain's PKI: participants verify the sequencers with it. */
    caChainPem: pulumi.Input<string>;
    /** Participant replicas start after these (the walkthrough: after the domain manager); empty for a remote domain. */
    started: pulumi.Resource[];
    /** Participants connect only after these (the domain bootstrap, the sequencer proxy); empty for a remote domain. */
    ready: pulumi.Resource[];
    /**
     * The domain's admin client credentials, set on a closed domain for the participants of the
     * same stack: their bootstrap jobs admit their own participant on the domain manager
     * (docs/bootstrap.md, "Closed domain"). Never hand these to another organisation.
     */
    adminFiles?: WorkloadFile[];
}

export interface CantonDomainArgs {
    domain: DomainPlan;
    stack: string;
    /** The domain's PKI (its trust domain is `domain.trustDomain`). */
    pki: TrustDomainPki;
    /** The database server of the sequencer, mediator and domain manager databases. */
    database: Database;
    platform: Platform;
    bootstrapTimeoutSeconds?: number;
}

export class CantonDomain extends pulumi.ComponentResource {
    static readonly TYPE = "canton-ha:domain:Domain";

    readonly sequencers: SequencerTier;
    readonly mediators: MediatorPair;
    readonly domainManager: DomainManager;
    readonly bootstrap: Bootstrap;
    /** The sequencer proxy's exposure, in load-balancer mode. */
    readonly sequencerFront: pulumi.Resource[];
    readonly connection: DomainConnection;

    constructor(name: string, args: CantonDomainArgs, opts?: pulumi.ComponentResourceOptions) {
        super(CantonDomain.TYPE, name, checked(args, ["domain", "stack", "pki", "database", "platform"], "CantonDomain"), opts);
        const { domain, platform } = args;
        // These children were direct children of the topology before this component existed.
        const child = { parent: this, aliases: opts?.parent ? [{ parent: opts.parent }] : [] };
        const trust: NodeTrust = { trustDomain: domain.trustDomain, pki: args.pki, domainCaChainPem: args.pki.chainPem };

        // 1. Sequencers (active/active), mediator 1, domain manager: the walkthrough's order.
        this.sequencers = new SequencerTier("sequencers", { tier: domain.sequencers, stack: args.stack, trust, database: args.database, platform }, child);
        const sequencerWorkloads = this.sequencers.workloads.map((w) => w.resource);
        let domainManager: DomainManager | undefined;
        let bootstrap: Bootstrap | undefined;
        let front: pulumi.Resource[] = [];
        this.mediators = new MediatorPair(
            "mediators",
            {
                mediators: domain.mediators,
                stack: args.stack,
                trust,
                database: args.database,
                platform,
                sequencerUrls: domain.sequencerClientUrls,
                dependsOn: sequencerWorkloads,
                // 2. Once mediator 1 exists: the domain manager, the sequencer proxy (bootstrap connects
                //    through it), then the domain bootstrap. The standby mediator starts after it.
                afterPrimary: (mediator1) => {
                    domainManager = new DomainManager(
                        "domain-manager",
                        {
                            node: domain.domainManager,
                            stack: args.stack,
                            trust,
                            database: args.database,
                            platform,
                            sequencerUrls: domain.sequencerClientUrls,
                            dependsOn: [...sequencerWorkloads, ...(mediator1 ? [mediator1.resource] : [])],
                        },
                        child,
                    );
                    front = platform.expose(
                        { group: "sequencer", route: "all", backends: this.sequencers.workloads, proxy: domain.sequencerProxy, pki: args.pki },
                        { ...child, dependsOn: sequencerWorkloads },
                    ).resources;
                    const timeoutSeconds = args.bootstrapTimeoutSeconds ?? BOOTSTRAP_TIMEOUT_SECONDS;
                    bootstrap = new Bootstrap(
                        "bootstrap-domain",
                        {
                            stack: args.stack,
                            image: domain.domainManager.image,
                            script: domainScript(domain),
                            remoteConfig: domainRemoteConfig(domain, args.stack, timeoutSeconds, "bootstrap job 'domain'"),
                            trustFiles: adminTrustFiles(domain.trustDomain.id, args.pki, domain.trustDomain.adminClient),
                            platform,
                            timeoutSeconds,
                            dependsOn: [
                                ...sequencerWorkloads,
                                ...(mediator1 ? [mediator1.resource] : []),
                                ...(domainManager.workload ? [domainManager.workload.resource] : []),
                                ...front,
                            ],
                            connectsTo: domainRemoteFlows(domain),
                        },
                        child,
                    );
                    return [bootstrap];
                },
            },
            child,
        );
        this.domainManager = domainManager!;
        this.bootstrap = bootstrap!;
        this.sequencerFront = front;
        this.connection = {
            alias: domain.alias,
            sequencerUrls: domain.sequencerClientUrls,
            caChainPem: args.pki.chainPem,
            started: this.domainManager.workload ? [this.domainManager.workload.resource] : [],
            ready: [this.bootstrap, ...this.sequencerFront],
            ...(domain.open ? {} : { adminFiles: adminTrustFiles(domain.trustDomain.id, args.pki, domain.trustDomain.adminClient) }),
        };
        this.registerOutputs({ alias: domain.alias, sequencerUrls: domain.sequencerClientUrls });
    }
}

/** The files a console needs to reach a trust domain's admin APIs: its chain and the admin client credentials. */
export function adminTrustFiles(trustDomain: string, pki: TrustDomainPki, adminClient: Parameters<TrustDomainPki["certificate"]>[0]): WorkloadFile[] {
    const t = trustFiles(trustDomain);
    const client = pki.certificate(adminClient);
    return [publicFile(t.caChain, pki.chainPem), publicFile(t.adminClientChain, client.chainPem), secretFile(t.adminClientKey, client.privateKeyPem)];
}
