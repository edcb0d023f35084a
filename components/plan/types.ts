// The plan: every node, host name, port, database and certificate of the topology,
// computed from config by pure code. Renderers and components only read it.
import type { CantonHaConfig } from "../config";

/** A network identity: the container/service id and the DNS names it answers to. */
export interface Host {
    /** Unique within the stack; a DNS label (container name suffix, k8s Service name). */
    id: string;
    /** The fully-qualified name clients use, e.g. `sequencer1.domain.canton.local`. */
    fqdn: string;
    /** Every name the host answers to; all of them go into its certificate's SANs. */
    dnsNames: string[];
}

export interface Listener {
    /** `public-api`, `admin-api`, `ledger-api`, `health`, `postgres`, ... */
    name: string;
    port: number;
}

/** A Postgres database and the user that owns it (its client cert CN is the user name). */
export interface DatabaseRef {
    /** Id of the {@link DatabaseServer} that holds it. */
    server: string;
    database: string;
    user: string;
}

export interface DatabaseServer {
    id: string;
    trustDomain: string;
    host: Host;
    port: number;
    databases: DatabaseRef[];
    /** Postgres `max_connections`: derived from the nodes that use it (plan/connections.ts), or from config. */
    maxConnections: number;
}

export type TrustDomainKind = "domain" | "participant";

/** One PKI: a root and an intermediate CA, and everything they issue. */
export interface TrustDomain {
    id: string;
    kind: TrustDomainKind;
    dnsDomain: string;
    certificates: CertificatePlan[];
}

/** `signing`: keyUsage digitalSignature only (the JWT signing certificates). */
export type CertificateUsage = "server" | "client" | "signing";

export interface CertificatePlan {
    /** Unique within its trust domain, e.g. `sequencer1`, `admin-api`, `db-client-sequencer`. */
    id: string;
    usage: CertificateUsage;
    commonName: string;
    dnsNames: string[];
    ipAddresses: string[];
}

export interface SequencerNode {
    index: number;
    /** Canton node name. Each HA sequencer is its own node on the shared database. */
    name: string;
    host: Host;
    publicApi: Listener;
    adminApi: Listener;
    db: DatabaseRef;
    /** `https://<fqdn>:<public port>`, the URL a client uses to reach this sequencer directly. */
    url: string;
}

/** A replica of an active/passive node (mediator, participant). */
export interface Replica {
    index: number;
    host: Host;
    adminApi: Listener;
}

export interface MediatorPair {
    /** The logical Canton node name, shared by all replicas (they share one identity and DB). */
    name: string;
    replicas: Replica[];
    db: DatabaseRef;
}

export interface DomainManagerNode {
    /** The Canton node name, which is also the domain alias. */
    name: string;
    host: Host;
    adminApi: Listener;
    db: DatabaseRef;
    protocolVersion: number;
}

export interface ParticipantReplica extends Replica {
    ledgerApi: Listener;
    health: Listener;
}

export interface ParticipantSet {
    /** Index in the config list, 1-based; it fixes the participant's port block. */
    index: number;
    /** The Canton node name: the same on every replica. */
    name: string;
    trustDomain: string;
    dnsDomain: string;
    /** Ledger API users the bootstrap creates, with their rights, by party hint. */
    users: LedgerUserPlan[];
    /** Party hints the bootstrap allocates on this participant (`parties.enable`), in config order. */
    parties: string[];
    db: DatabaseRef;
    replicas: ParticipantReplica[];
    /** Set when a participant proxy fronts the replicas (load-balancer mode, replicas > 1). */
    proxy?: ProxyPlan;
    /** Ledger API JWT auth: signing keys, JWKS, tokens. */
    auth: ParticipantAuthPlan;
}

/** A Ledger API user; parties are named by hint and hosted on the user's participant. */
export interface LedgerUserPlan {
    id: string;
    primaryParty?: string;
    actAs: string[];
    readAs: string[];
}

/** One generation of a participant's JWT signing key; its certificate is in the trust domain. */
export interface JwtSigningKeyPlan {
    generation: number;
    /** Id of the `signing` certificate in the participant's trust domain, e.g. `jwt-signing-g1`. */
    certificateId: string;
}

/** One token `pulumi up` keeps valid. */
export interface TokenPlan {
    /** `sub`: the Ledger API user id. */
    user: string;
    /** `aud`: the participant's audience, for every user including `participant_admin`. */
    audience: string;
    /** Bumping it re-mints the token at the next `pulumi up` (`participants[i].tokenReissue`). */
    reissue: number;
}

export interface ParticipantAuthPlan {
    issuer: string;
    /** `target-audience` of the participant and `aud` of all its tokens. */
    audience: string;
    /** `scope` of every token (the Daml default scope). */
    scope: string;
    /** Published in the JWKS, oldest first. The last one signs new tokens. */
    publishedKeys: JwtSigningKeyPlan[];
    signingKey: JwtSigningKeyPlan;
    tokens: TokenPlan[];
    tokenLifetimeSeconds: number;
    renewalWindowSeconds: number;
}

export interface ProxyPlan {
    /** `sequencer` or the participant name. */
    fronts: string;
    trustDomain: string;
    host: Host;
    listeners: Listener[];
    /** The backends, as host + the listener name they serve on. */
    backends: { host: Host; ports: Record<string, number>; healthPort?: number }[];
}

export interface Plan {
    project: string;
    stack: string;
    config: CantonHaConfig;
    /** `image:version` of the Canton Enterprise image. */
    cantonImage: string;
    trustDomains: TrustDomain[];
    databaseServers: DatabaseServer[];
    sequencers: SequencerNode[];
    mediators: MediatorPair;
    domainManager: DomainManagerNode;
    participants: ParticipantSet[];
    /** The sequencer proxy, in load-balancer mode. */
    sequencerProxy?: ProxyPlan;
    /** What every sequencer client (mediators, domain manager, participants) connects to. */
    sequencerClientUrls: string[];
    /** Every listener in the stack with its owner, for collision checks and docs. */
    ports: { owner: string; listener: string; port: number }[];
}
