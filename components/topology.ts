// The whole HA topology of one stack: a PKI and a database server per trust domain, the
// domain, and its participants. A thin wrapper: CantonDomain and CantonParticipant are
// usable on their own (examples/), this only wires one plan's pieces together.
import * as pulumi from "@pulumi/pulumi";
import { Database, ExternalDatabase, PlatformDatabase } from "./database";
import { CantonDomain } from "./domain/domain";
import { CantonParticipant } from "./participant/participant";
import type { StackInputs } from "./load-config";
import { CertificateAuthority } from "./pki/certificate-authority";
import { FilePki } from "./pki/files";
import type { TrustDomainPki } from "./pki/pki";
import type { Plan } from "./plan/types";
import { createPlatform } from "./platform";
import type { Platform } from "./platform/types";
import { checked } from "./validate";

export interface TopologyArgs {
    plan: Plan;
    /** Defaults to the platform the plan was made for; tests pass a recording one. */
    platform?: Platform;
    /** With `pki.source: files`: the files `loadStack` read and checked, per trust domain. */
    pkiFiles?: StackInputs["pkiFiles"];
    /** With `postgres.passwords: config`: server id -> user -> password. */
    databasePasswords?: StackInputs["databasePasswords"];
    /** With `postgres.external`: the PEM chain that verifies the managed server. */
    externalDatabaseCaChain?: string;
}

export class CantonHaTopology extends pulumi.ComponentResource {
    static readonly TYPE = "canton-ha:index:Topology";

    readonly platform: Platform;
    readonly pkis = new Map<string, TrustDomainPki>();
    readonly databases = new Map<string, Database>();
    readonly domain: CantonDomain;
    readonly participants = new Map<string, CantonParticipant>();
    /** Participant name -> participant id, as the bootstrap runs reported them. */
    readonly participantIds: pulumi.Output<Record<string, string>>;
    /** Participant name -> party hint -> party id, as the bootstrap runs reported them. */
    readonly partyIds: pulumi.Output<Record<string, Record<string, string>>>;

    constructor(name: string, args: TopologyArgs, opts?: pulumi.ComponentResourceOptions) {
        super(CantonHaTopology.TYPE, name, checked(args, ["plan"], "CantonHaTopology"), opts);
        const { plan } = args;
        this.platform = args.platform ?? createPlatform(plan, this);

        for (const td of plan.trustDomains) {
            const files = args.pkiFiles?.get(td.id);
            if (plan.pki.source === "files" && !files)
                throw new pulumi.ResourceError(`pki.source is files but no files were read for trust domain '${td.id}' (use loadStack())`, this);
            // The operator's own PKI makes no resources: nothing in state to protect or lose.
            this.pkis.set(td.id, files ? new FilePki(files) : new CertificateAuthority(`${td.id}-ca`, { trustDomain: td, protect: plan.protectState }, { parent: this }));
        }
        for (const server of plan.databaseServers) {
            const pki = this.pki(server.trustDomain.id);
            const passwords = plan.databasePasswords === "config" ? this.configPasswords(args, server.id) : undefined;
            if (server.external) {
                if (args.externalDatabaseCaChain === undefined) throw new pulumi.ResourceError(`postgres.external is set but its CA chain was not read (use loadStack())`, this);
                this.databases.set(
                    server.id,
                    new ExternalDatabase(server.id, { server, pki, serverCaChainPem: args.externalDatabaseCaChain, passwords: passwords! }, { parent: this }),
                );
            } else {
                this.databases.set(server.id, new PlatformDatabase(server.id, { server, pki, platform: this.platform, protect: plan.protectState, passwords }, { parent: this }));
            }
        }
        const db = (id: string) => this.databases.get(id)!;

        this.domain = new CantonDomain(
            "domain",
            {
                domain: plan.domain,
                stack: plan.stack,
                pki: this.pki(plan.domain.trustDomain.id),
                database: db(plan.domain.sequencers.db.server.id),
                platform: this.platform,
            },
            { parent: this },
        );
        for (const p of plan.participants) {
            this.participants.set(
                p.name,
                new CantonParticipant(
                    p.name,
                    {
                        participant: p,
                        stack: plan.stack,
                        pki: this.pki(p.trustDomain.id),
                        database: db(p.db.server.id),
                        domain: this.domain.connection,
                        platform: this.platform,
                    },
                    { parent: this },
                ),
            );
        }
        const all = [...this.participants.entries()];
        this.participantIds = pulumi
            .all(all.map(([n, x]) => x.participantId.apply((id) => [n, id] as const)))
            .apply((ids) => Object.fromEntries(ids.filter(([, id]) => id !== undefined)) as Record<string, string>);
        this.partyIds = pulumi
            .all(all.map(([n, x]) => x.partyIds.apply((ids) => [n, ids] as const)))
            .apply((ids) => Object.fromEntries(ids.filter(([, m]) => Object.keys(m).length > 0)));
        this.registerOutputs({});
    }

    private configPasswords(args: TopologyArgs, server: string): Record<string, pulumi.Output<string>> {
        const passwords = args.databasePasswords?.[server];
        if (!passwords) throw new pulumi.ResourceError(`postgres.passwords is config but no passwords were read for '${server}' (use loadStack())`, this);
        return passwords;
    }

    pki(trustDomain: string): TrustDomainPki {
        const pki = this.pkis.get(trustDomain);
        if (!pki) throw new pulumi.ResourceError(`no PKI for trust domain '${trustDomain}'`, this);
        return pki;
    }
}
