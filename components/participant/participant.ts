// A Canton participant on its own: JWT auth, its replica set, its bootstrap (join the domain,
// parties, users) and, in load-balancer mode, a proxy to the active replica. It needs of the
// domain only a `DomainConnection`, so an organisation can join someone else's domain.
import * as pulumi from "@pulumi/pulumi";
import { ParticipantAuth } from "../auth/participant-auth";
import { Bootstrap, BOOTSTRAP_TIMEOUT_SECONDS, participantIdsOf, partyIdsOf } from "../bootstrap/bootstrap";
import { trustFiles } from "../bootstrap/layout";
import { participantRemoteConfig, participantRemoteFlows } from "../bootstrap/remote-config";
import { participantScript } from "../bootstrap/steps";
import type { NodeTrust } from "../canton/workload";
import { ADMIN_USER } from "../config";
import type { Database } from "../database";
import { adminTrustFiles, DomainConnection } from "../domain/domain";
import type { TrustDomainPki } from "../pki/pki";
import type { ParticipantSet } from "../plan/types";
import { Platform, publicFile, WorkloadFile } from "../platform/types";
import { badArg, checked } from "../validate";
import { ParticipantReplicaSet } from "./replica-set";

export interface CantonParticipantArgs {
    participant: ParticipantSet;
    stack: string;
    /** The participant's own PKI (its trust domain is `participant.trustDomain`). */
    pki: TrustDomainPki;
    database: Database;
    /** The domain it joins: this stack's (`CantonDomain.connection`) or another organisation's. */
    domain: DomainConnection;
    platform: Platform;
    bootstrapTimeoutSeconds?: number;
}

/** Checks the arguments before the component is registered (nothing is half-created). */
/** The domain's admin client credentials for the admit step (the job has the domain's chain already). */
function domainAdminFiles(domain: DomainConnection, participant: string): WorkloadFile[] {
    if (!domain.adminFiles)
        throw new Error(
            `participant '${participant}' joins a closed domain of this stack and admits itself on its domain manager, ` +
                "but its domain connection carries no admin credentials: pass the CantonDomain's `connection`",
        );
    return domain.adminFiles.filter((f) => f.path !== trustFiles("domain").caChain);
}

function checkedArgs(args: CantonParticipantArgs): pulumi.Inputs {
    const inputs = checked(args, ["participant", "stack", "pki", "database", "domain", "platform"], "CantonParticipant");
    if (args.participant.domain.sequencerUrls.length === 0) {
        badArg("participant.domain.sequencerUrls", "a participant needs at least one sequencer URL to join its domain");
    }
    return inputs;
}

export class CantonParticipant extends pulumi.ComponentResource {
    static readonly TYPE = "canton-ha:participant:Participant";

    readonly auth: ParticipantAuth;
    readonly replicas: ParticipantReplicaSet;
    readonly bootstrap: Bootstrap;
    /** The proxy (or other exposure) in front of the replicas, if the platform made one. */
    readonly front: pulumi.Resource[];
    /** The participant id, as the bootstrap reported it. */
    readonly participantId: pulumi.Output<string | undefined>;
    /** Party hint -> party id, as the bootstrap reported them. */
    readonly partyIds: pulumi.Output<Record<string, string>>;

    constructor(name: string, args: CantonParticipantArgs, opts?: pulumi.ComponentResourceOptions) {
        super(CantonParticipant.TYPE, name, checkedArgs(args), opts);
        const p = args.participant;
        // These children were direct children of the topology before this component existed.
        const child = { parent: this, aliases: opts?.parent ? [{ parent: opts.parent }] : [] };
        const trust: NodeTrust = { trustDomain: p.trustDomain, pki: args.pki, domainCaChainPem: args.domain.caChainPem };

        // Its JWKS is uploaded into every replica; its tokens are stack outputs.
        this.auth = new ParticipantAuth(`${p.name}-auth`, { participant: p, pki: args.pki }, child);
        let bootstrap: Bootstrap | undefined;
        this.replicas = new ParticipantReplicaSet(
            p.name,
            {
                participant: p,
                stack: args.stack,
                trust,
                database: args.database,
                platform: args.platform,
                dependsOn: args.domain.started,
                extraFiles: this.auth.files,
                // Replica 1 joins the domain (after the domain bootstrap); the standbys start after that.
                afterPrimary: (primary) => {
                    const timeoutSeconds = args.bootstrapTimeoutSeconds ?? BOOTSTRAP_TIMEOUT_SECONDS;
                    bootstrap = new Bootstrap(
                        `bootstrap-${p.name}`,
                        {
                            stack: args.stack,
                            image: p.image,
                            script: participantScript(p),
                            remoteConfig: participantRemoteConfig(p, args.stack, timeoutSeconds, `bootstrap job 'participant-${p.name}'`),
                            trustFiles: [
                                ...adminTrustFiles(p.trustDomain.id, args.pki, p.trustDomain.adminClient),
                                // The domain's chain: the connect step trusts the sequencers with it.
                                publicFile(trustFiles("domain").caChain, args.domain.caChainPem),
                                // A closed domain of this stack: the admin client that admits this participant.
                                ...(p.domain.admission ? domainAdminFiles(args.domain, p.name) : []),
                            ],
                            platform: args.platform,
                            timeoutSeconds,
                            adminToken: this.auth.tokens.apply((t) => t[ADMIN_USER]),
                            dependsOn: [...args.domain.ready, ...(primary ? [primary.resource] : [])],
                            connectsTo: participantRemoteFlows(p),
                        },
                        child,
                    );
                    return [bootstrap];
                },
            },
            child,
        );
        this.bootstrap = bootstrap!;
        // Load-balancer mode: a proxy that routes to the active replica (whether a proxy or a
        // Service does that is the platform's choice).
        this.front = args.platform.expose(
            {
                group: p.name,
                route: "active",
                backends: [...(this.replicas.primary ? [this.replicas.primary] : []), ...this.replicas.standbys],
                proxy: p.proxy,
                front: p.activeFront,
                pki: args.pki,
            },
            { ...child, dependsOn: [...(this.replicas.primary ? [this.replicas.primary.resource] : []), ...this.replicas.standbys.map((s) => s.resource)] },
        ).resources;
        this.participantId = this.bootstrap.reports.apply((r) => participantIdsOf(r)[p.name]);
        this.partyIds = this.bootstrap.reports.apply((r) => partyIdsOf(r)[p.name] ?? {});
        this.registerOutputs({ participantId: this.participantId, partyIds: this.partyIds });
    }
}
