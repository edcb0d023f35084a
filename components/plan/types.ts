// The plan: every node, host name, port, database and certificate of the topology, computed
// from config by pure code. It is closed: renderers, components and outputs read the plan's
// nodes and nothing else, and nodes carry references to their certificates and databases
// (not string ids to look up again). See docs/decisions/naming-and-ports.md.
import type { KubernetesConfig, LoadBalancerConfig } from "../config";

/** A certificate the trust domain's CA issues. `signing`: keyUsage digitalSignature only (JWT keys). */
export type CertificateUsage = "server" | "client" | "signing";

export interface CertificatePlan {
    /** Unique within its trust domain, e.g. `sequencer1`, `admin-api`, `db-client-sequencer`. */
    id: string;
    usage: CertificateUsage;
    commonName: string;
    dnsNames: string[];
    ipAddresses: string[];
}

/** One PKI: a root and an intermediate CA, and everything they issue. */
export interface TrustDomain {
    /** `domain`, or the participant's name. */
    id: string;
    dnsDomain: string;
    organization: string;
    leafValidityHours: number;
    earlyRenewalHours: number;
    certificates: CertificatePlan[];
    /** The operator's and the nodes' own mTLS client certificate for admin and ledger APIs. */
    adminClient: CertificatePlan;
}

/** A network identity: the workload/service id and the DNS names it answers to. */
export interface Host {
    /** Unique within the stack; a DNS label (container name suffix, Kubernetes Service name). */
    id: string;
    /** The fully-qualified name clients use, e.g. `sequencer1.domain.canton.local`. */
    fqdn: string;
    /** Every name the host answers to; all of them are in its certificate's SANs. */
    dnsNames: string[];
    /** Its server certificate, issued by its trust domain. */
    serverCert: CertificatePlan;
}

export interface Listener {
    /** `public-api`, `admin-api`, `ledger-api`, `health`, `postgres`, ... */
    name: string;
    port: number;
    /** Reached only inside the platform's network (probes), never published outside it. */
    internal?: boolean;
}

/** A Postgres database and the user that owns it (its client cert CN is the user name). */
export interface DatabaseRef {
    server: DatabaseServer;
    database: string;
    user: string;
    /** Client certificate with CN = user (pg_hba `clientcert=verify-full`); none for an external server without client certificates. */
    clientCert?: CertificatePlan;
    /** The node's pool: `storage.parameters.max-connections`. */
    poolSize: number;
}

export interface DatabaseServer {
    id: string;
    trustDomain: TrustDomain;
    /** Its name and, for a server on the platform, the certificate its trust domain issues it. */
    host: Pick<Host, "id" | "fqdn" | "dnsNames"> & { serverCert?: CertificatePlan };
    port: number;
    databases: DatabaseRef[];
    /** Postgres `max_connections`: derived from the nodes that use it (plan/connections.ts), or from config. */
    maxConnections: number;
    image: string;
    /** Keep the data (and the passwords that open it) when the stack is destroyed. */
    retainData: boolean;
    sharedMemoryMb: number;
    /** Size and storage class of its data volume, where the platform sizes volumes (Kubernetes). */
    volume: { sizeGi: number; storageClass?: string };
    /** A managed server: no workload; its certificate is the provider's, verified against this chain. */
    external?: { caChainFile: string };
}

export interface SequencerNode {
    index: number;
    /** Canton node name. Each HA sequencer is its own node on the shared database. */
    name: string;
    host: Host;
    publicApi: Listener;
    adminApi: Listener;
    /** Canton's gRPC health service (`monitoring.grpc-health-server`), plain text. */
    grpcHealth: Listener;
    /** `https://<fqdn>:<public port>`, the URL a client uses to reach this sequencer directly. */
    url: string;
}

/** The active/active sequencers of a domain, on one shared database. */
export interface SequencerTierPlan {
    nodes: SequencerNode[];
    db: DatabaseRef;
    /** `high-availability.total-node-count`; recorded and guarded (guards/recorded-setting.ts). */
    totalNodeCount: number;
    allowTotalNodeCountChange: boolean;
    image: string;
}

/** A replica of an active/passive node (mediator, participant). */
export interface Replica {
    index: number;
    host: Host;
    adminApi: Listener;
    /** Canton's gRPC health service: `liveness` always SERVING, `""` NOT_SERVING while passive. */
    grpcHealth: Listener;
}

/** How an active/passive node's replicas take over: Canton's `replication.connection-pool` (config `canton.replication`). */
export interface ReplicationPlan {
    passiveCheckPeriodMs: number;
    healthCheckPeriodMs: number;
    /** Rendered only when set: not every 2.x knows the key. */
    healthCheckTimeoutMs?: number;
    connectionTimeoutMs: number;
    activeTimeoutMs: number;
    keepAlive: { idleSeconds: number; intervalSeconds: number; count: number };
}

export interface MediatorPairPlan {
    /** The logical Canton node name, shared by all replicas (they share one identity and DB). */
    name: string;
    replicas: Replica[];
    db: DatabaseRef;
    replication: ReplicationPlan;
    image: string;
}

export interface DomainManagerNode {
    /** The Canton node name, which is also the domain alias. */
    name: string;
    host: Host;
    adminApi: Listener;
    grpcHealth: Listener;
    db: DatabaseRef;
    protocolVersion: number;
    image: string;
    /**
     * `topology.open` of the domain manager (2.9 `TopologyConfig`, DomainConfig.scala): true
     * lets anyone who reaches a sequencer join; false admits only participants whose state
     * the domain manager has registered (`participants.set_state`).
     */
    topologyOpen: boolean;
}

export type HaMode = "clientside" | "loadbalancer";

/** A domain: its PKI, sequencers, mediators, domain manager and (load-balancer mode) proxy. */
export interface DomainPlan {
    /** The domain alias participants connect with (the domain manager's node name). */
    alias: string;
    haMode: HaMode;
    trustDomain: TrustDomain;
    sequencers: SequencerTierPlan;
    mediators: MediatorPairPlan;
    domainManager: DomainManagerNode;
    /** The sequencer proxy, in load-balancer mode. */
    sequencerProxy?: ProxyPlan;
    /** What every sequencer client (mediators, domain manager, participants) connects to. */
    sequencerClientUrls: string[];
    /** Anyone who reaches a sequencer may join (`domain.open`); false is the default. */
    open: boolean;
    /** Participant ids of other organisations the domain job admits (`domain.admit`). */
    admit: string[];
}

/**
 * The domain manager's admin API, for a participant of the stack that runs the closed domain:
 * its bootstrap job admits its own participant there before connecting (a participant id
 * exists only once the participant has initialised, after the domain job ran).
 */
export interface DomainAdmission {
    host: Host;
    adminApi: Listener;
    trustDomain: TrustDomain;
}

/** What a participant needs of the domain it joins: enough to join someone else's domain too. */
export interface DomainConnectionPlan {
    alias: string;
    /** Every sequencer endpoint (client-side HA), or the one proxy URL. */
    sequencerUrls: string[];
    haMode: HaMode;
    /** Set when this stack runs the domain and it is closed (see DomainAdmission). */
    admission?: DomainAdmission;
}

export interface ParticipantReplica extends Replica {
    ledgerApi: Listener;
    health: Listener;
}

/** A Ledger API user; parties are named by hint and hosted on the user's participant. */
export interface LedgerUserPlan {
    id: string;
    primaryParty?: string;
    actAs: string[];
    readAs: string[];
}

export interface ParticipantSet {
    /** Index in the config list, 1-based; it fixes the participant's port block. */
    index: number;
    /** The Canton node name: the same on every replica. */
    name: string;
    trustDomain: TrustDomain;
    dnsDomain: string;
    /** Ledger API users the bootstrap creates, with their rights, by party hint. */
    users: LedgerUserPlan[];
    /** Party hints the bootstrap allocates on this participant (`parties.enable`), in config order. */
    parties: string[];
    db: DatabaseRef;
    replication: ReplicationPlan;
    replicas: ParticipantReplica[];
    /** Set when a participant proxy fronts the replicas (load-balancer mode, replicas > 1). */
    proxy?: ProxyPlan;
    /**
     * Without a proxy, where the platform routes to the active replica itself (Kubernetes: a
     * Service whose readiness is "the replica's Ledger API accepts"); its names are in every replica's
     * certificate. Its listeners map to the replicas' listeners of the same name.
     */
    activeFront?: HostNames & { listeners: Listener[] };
    /** Ledger API JWT auth: signing keys, JWKS, tokens. */
    auth: ParticipantAuthPlan;
    /** The domain it joins. */
    domain: DomainConnectionPlan;
    image: string;
}

/** One generation of a participant's JWT signing key; its certificate is in the trust domain. */
export interface JwtSigningKeyPlan {
    generation: number;
    certificate: CertificatePlan;
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

export type ProxyRole = "sequencer" | "participant";

export interface ProxyBackendPlan {
    host: Host;
    /** Port per listener name. */
    ports: Record<string, number>;
    /** Plain-HTTP `/health` (is-active) port; participant replicas only. */
    healthPort?: number;
}

export interface ProxyPlan {
    /** `sequencer` or the participant name. */
    fronts: string;
    /** `sequencer`: round-robin over active/active backends; `participant`: the active replica only. */
    role: ProxyRole;
    trustDomain: TrustDomain;
    host: Host;
    /** Participant proxies present this client certificate to the replicas. */
    clientCert?: CertificatePlan;
    listeners: Listener[];
    backends: ProxyBackendPlan[];
    loadBalancer: LoadBalancerConfig;
}

/** `kubernetes.*` of the config, with the namespace resolved. */
export type KubernetesPlan = Omit<KubernetesConfig, "namespace"> & { namespace: string };

/** A host's names before its certificate is planned (plan/naming.ts). */
export interface HostNames {
    id: string;
    fqdn: string;
    dnsNames: string[];
}

/** Where the platform publishes listeners outside its network (Docker: host ports). */
export interface Publishing {
    /** Host address published ports bind to, or undefined when nothing is published. */
    bindAddress?: string;
}

/** Credentials for pulling from one registry; the password is a secret stack config key. */
export interface RegistryLogin {
    address: string;
    username: string;
    /** The secret config key holding the password, e.g. `cantonRegistryPassword`. */
    passwordKey: string;
}

export interface Plan {
    project: string;
    stack: string;
    /** The platform the naming and port policy came from. */
    platform: string;
    domain: DomainPlan;
    participants: ParticipantSet[];
    trustDomains: TrustDomain[];
    databaseServers: DatabaseServer[];
    publishing: Publishing;
    /** Registry login for the Canton image's pulls, when the stack has credentials. */
    imagePull?: RegistryLogin;
    /** Where certificates and keys come from: made by canton-ha, or the operator's files. */
    pki: { source: "generated" } | { source: "files"; directory: string };
    /** Where database passwords come from: random, or the secret config key `dbPasswords`. */
    databasePasswords: "generated" | "config";
    /** Protect what cannot be recreated without loss (CA keys, signing keys, passwords, retained volumes). */
    protectState: boolean;
    /** The Kubernetes platform's settings (platform `kubernetes` only). */
    kubernetes?: KubernetesPlan;
    /** Every listener in the stack with its owner, for collision checks and docs. */
    ports: { owner: string; listener: string; port: number }[];
}
