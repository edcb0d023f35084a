// Pure planning: config in, plan out. No Pulumi resources are created here. The platform's
// naming and port policy (plan/naming.ts) decides names, ports and extra SANs; everything
// else is the topology of the walkthrough, the same on every platform.
import { CantonHaConfig, ConfigError, ConfigProblem, PROJECT } from "../config";
import { authPlan } from "./auth";
import { serverMaxConnections, usersOfServers } from "./connections";
import { kubernetesNamespace, NamingPolicy, namingFor } from "./naming";
import type {
    CertificatePlan,
    DatabaseRef,
    DatabaseServer,
    DomainConnectionPlan,
    DomainPlan,
    Host,
    KubernetesPlan,
    Listener,
    MediatorPairPlan,
    ParticipantReplica,
    ParticipantSet,
    Plan,
    ProxyPlan,
    SequencerNode,
    TrustDomain,
} from "./types";
import { endpoint } from "./endpoint";

/** The id of the domain's trust domain (its PKI), as opposed to the domain alias. */
export const DOMAIN_TRUST = "domain";
/** Where every Canton API listens (components/canton/node-config.ts): all interfaces. */
export const LISTEN_ADDRESS = "0.0.0.0";
/** The certificate ids every trust domain issues besides server certificates. */
const ADMIN_CLIENT_CERT = "admin-api";
const PROXY_CLIENT_CERT = "proxy-client";
const dbClientCertId = (user: string) => `db-${user}`;

/** Postgres identifiers (and the client-cert CN that must equal the user) avoid '-'. */
function dbIdentifier(name: string): string {
    return name.replace(/-/g, "_");
}

/** `<registry>/<image>:<version>`, or `<image>:<version>` when the image path is already full. */
export function cantonImageRef(c: Pick<CantonHaConfig["canton"], "registry" | "image" | "version">): string {
    return `${c.registry ? `${c.registry}/` : ""}${c.image}:${c.version}`;
}

const listener = (name: string, port: number): Listener => ({ name, port });
/** Canton's plain-text gRPC health service: for probes inside the platform, never published. */
const grpcHealth = (port: number): Listener => ({ name: "grpc-health", port, internal: true });

function range(n: number): number[] {
    return Array.from({ length: n }, (_, i) => i + 1);
}

/** Builds a trust domain and the certificates it issues, as hosts and clients are planned. */
class TrustDomainBuilder {
    readonly trustDomain: TrustDomain;

    constructor(
        id: string,
        dnsDomain: string,
        config: CantonHaConfig,
        private readonly naming: NamingPolicy,
    ) {
        const adminClient = client(ADMIN_CLIENT_CERT, ADMIN_CLIENT_CERT);
        this.trustDomain = {
            id,
            dnsDomain,
            organization: config.pki.organization,
            leafValidityHours: config.pki.leafValidityHours,
            earlyRenewalHours: config.pki.earlyRenewalHours,
            certificates: [adminClient],
            adminClient,
        };
    }

    /** A host with its server certificate (`extraIps`, `extraNames`: how it is dialled beyond the policy's names). */
    host(id: string, label: string, extraIps: string[] = [], extraNames: string[] = []): Host {
        const names = this.naming.host(id, label, this.trustDomain.dnsDomain);
        const extra = this.naming.extraSans(names);
        const serverCert: CertificatePlan = {
            id: names.id,
            usage: "server",
            commonName: names.fqdn,
            dnsNames: [...names.dnsNames, ...extraNames, ...extra.dnsNames],
            ipAddresses: [...extra.ipAddresses, ...extraIps],
        };
        this.trustDomain.certificates.push(serverCert);
        return { ...names, serverCert };
    }

    client(id: string, commonName: string): CertificatePlan {
        const c = client(id, commonName);
        this.trustDomain.certificates.push(c);
        return c;
    }

    add(cert: CertificatePlan): void {
        this.trustDomain.certificates.push(cert);
    }
}

function client(id: string, commonName: string): CertificatePlan {
    return { id, usage: "client", commonName, dnsNames: [], ipAddresses: [] };
}

/**
 * A database server with one database and owner per name, and a client certificate per owner.
 * An external (managed) server has the operator's host and port, no server certificate of
 * ours, and client certificates only when it asks for them.
 */
function databaseServer(td: TrustDomainBuilder, id: string, port: number, names: string[], config: CantonHaConfig): DatabaseServer {
    const ext = config.postgres.external;
    const server: DatabaseServer = {
        id,
        trustDomain: td.trustDomain,
        host: ext ? { id, fqdn: ext.host, dnsNames: [ext.host] } : td.host(id, "db"),
        port: ext ? ext.port : port,
        databases: [],
        maxConnections: 0, // set once the nodes that use it are planned
        image: config.postgres.image,
        retainData: config.postgres.retainData,
        sharedMemoryMb: config.postgres.sharedMemoryMb,
        volume: { sizeGi: config.kubernetes.databaseVolumeGi, storageClass: config.kubernetes.storageClass },
        external: ext ? { caChainFile: ext.caChainFile } : undefined,
    };
    for (const name of names) {
        const user = dbIdentifier(name);
        const clientCert = !ext || ext.clientCertificates ? td.client(dbClientCertId(user), user) : undefined;
        server.databases.push({ server, database: user, user, clientCert, poolSize: config.postgres.maxConnections });
    }
    return server;
}

/**
 * The names clients dial the sequencers by in client-side mode (the host of each sequencer URL).
 * Every sequencer certificate carries all of them. Canton's client opens ONE gRPC channel over
 * all endpoints of a sequencer connection (`GrpcSequencerChannelBuilder`, main-2.x 5190f9e6a).
 * The enterprise builder behind it (`MultiHostNameResolver`, in the 2.x scaladoc) is closed
 * in 2.9. Its open 3.3 version checks each endpoint against that endpoint's own host
 * (`ATTR_AUTHORITY_OVERRIDE`), but it names the first endpoint as the channel's authority.
 * Whether 2.9 sets the override cannot be read. If it does not, endpoints 2..N are checked
 * against endpoint 1's name. Carrying every name costs nothing and passes either way
 * (docs/canton-compatibility.md).
 *
 * The names go up to `total-node-count`, the most sequencers the domain can ever have, not
 * just today's: adding a sequencer then changes no existing certificate. A new certificate
 * restarts its node, and the sequencers would all restart at once.
 */
function sequencerClientNames(naming: NamingPolicy, totalNodeCount: number, dnsDomain: string): string[] {
    return range(totalNodeCount).map((i) => naming.host(`sequencer${i}`, `sequencer${i}`, dnsDomain).fqdn);
}

/** The domain: PKI, one database server, sequencers, mediators, domain manager, proxy. */
export function planDomain(config: CantonHaConfig, naming: NamingPolicy): { domain: DomainPlan; databaseServer: DatabaseServer } {
    const dom = config.domain;
    const behindProxy = config.haMode === "loadbalancer";
    const image = cantonImageRef(config.canton);
    const td = new TrustDomainBuilder(DOMAIN_TRUST, dom.dnsDomain, config, naming);
    const ports = naming.ports;

    const peerNames = behindProxy ? [] : sequencerClientNames(naming, Math.max(dom.totalNodeCount, dom.sequencers), dom.dnsDomain);
    const nodes: SequencerNode[] = range(dom.sequencers).map((i) => {
        const id = `sequencer${i}`;
        const own = naming.host(id, id, dom.dnsDomain).fqdn;
        const peers = peerNames.filter((n) => n !== own);
        const host = td.host(id, id, [], peers);
        const publicPort = ports.sequencerPublic(i, behindProxy);
        return {
            index: i,
            name: id,
            host,
            publicApi: listener("public-api", publicPort),
            adminApi: listener("admin-api", publicPort + 1),
            grpcHealth: grpcHealth(ports.sequencerGrpcHealth(i, behindProxy)),
            url: endpoint(host, { port: publicPort }, "https"),
        };
    });
    const mediatorHosts = range(dom.mediators).map((i) => ({
        index: i,
        host: td.host(`mediator${i}`, `mediator${i}`),
        adminApi: listener("admin-api", ports.mediatorAdmin(i)),
        grpcHealth: grpcHealth(ports.mediatorGrpcHealth(i)),
    }));
    const dmHost = td.host("domain-manager", "domain-manager");
    const db = databaseServer(td, `${dom.name}-db`, ports.postgres(), ["sequencer", "mediator", "domain"], config);
    const dbRef = (name: string): DatabaseRef => db.databases.find((d) => d.database === name)!;

    const mediators: MediatorPairPlan = { name: "mediator", replicas: mediatorHosts, db: dbRef("mediator"), replication: config.canton.replication, image };
    const sequencerProxy: ProxyPlan | undefined = behindProxy
        ? {
              fronts: "sequencer",
              role: "sequencer",
              trustDomain: td.trustDomain,
              host: td.host("sequencer-proxy", "sequencer"),
              listeners: [listener("public-api", ports.sequencerFront())],
              backends: nodes.map((s) => ({ host: s.host, ports: { "public-api": s.publicApi.port } })),
              loadBalancer: config.loadBalancer,
          }
        : undefined;
    const domain: DomainPlan = {
        alias: dom.name,
        haMode: config.haMode,
        trustDomain: td.trustDomain,
        sequencers: { nodes, db: dbRef("sequencer"), totalNodeCount: dom.totalNodeCount, allowTotalNodeCountChange: dom.allowTotalNodeCountChange, image },
        mediators,
        domainManager: {
            name: dom.name,
            host: dmHost,
            adminApi: listener("admin-api", ports.domainManagerAdmin()),
            grpcHealth: grpcHealth(ports.domainManagerGrpcHealth()),
            db: dbRef("domain"),
            protocolVersion: config.canton.protocolVersion,
            image,
            topologyOpen: dom.open,
        },
        sequencerProxy,
        sequencerClientUrls: sequencerProxy ? [endpoint(sequencerProxy.host, sequencerProxy.listeners[0], "https")] : nodes.map((s) => s.url),
        open: dom.open,
        admit: dom.admit,
    };
    return { domain, databaseServer: db };
}

/**
 * What a participant of this stack needs to join its domain: the alias, the sequencer URLs
 * clients use and, for a closed domain, the domain manager that admits it.
 */
export function connectionOf(domain: DomainPlan): DomainConnectionPlan {
    const { host, adminApi } = domain.domainManager;
    return {
        alias: domain.alias,
        sequencerUrls: domain.sequencerClientUrls,
        haMode: domain.haMode,
        ...(domain.open ? {} : { admission: { host, adminApi, trustDomain: domain.trustDomain } }),
    };
}

/**
 * The participants of a config, each with its own PKI and database server, joining `domain`:
 * this stack's domain, or another organisation's (only its alias and sequencer URLs are needed).
 */
export function planParticipants(
    config: CantonHaConfig,
    naming: NamingPolicy,
    domain: DomainConnectionPlan,
): { participants: ParticipantSet[]; databaseServers: DatabaseServer[] } {
    const behindProxy = config.haMode === "loadbalancer";
    const ports = naming.ports;
    const databaseServers: DatabaseServer[] = [];
    const participants = config.participants.map((p, i): ParticipantSet => {
        const k = i + 1;
        const dnsDomain = p.dnsDomain ?? `${p.name}.canton.local`;
        const td = new TrustDomainBuilder(p.name, dnsDomain, config, naming);
        const proxied = behindProxy && p.replicas > 1;
        // Without a proxy, a platform may route to the active replica itself (a Kubernetes
        // Service): clients dial that name, so every replica's certificate carries it.
        const front = proxied ? undefined : naming.activeFront?.(p.name);
        const replicas = range(p.replicas).map((r): ParticipantReplica => {
            const ledger = ports.participantLedger(k, r, proxied);
            return {
                index: r,
                // A participant's admin workflows (the ping service among them) call its own
                // Ledger API at the configured listen address, 0.0.0.0, verifying the server
                // certificate against it (Canton 2.9 AdminWorkflowServices.scala): without this
                // SAN `health.ping` fails. Digital Asset's participant chart (`ipSans: "0.0.0.0"`)
                // and the walkthrough's make-certs.sh add it too. Binding to the replica's own
                // name instead would break loopback health probes and `kubectl port-forward`,
                // and pod IPs change, so the SAN is the portable choice.
                host: td.host(`${p.name}-${r}`, `${p.name}-${r}`, [LISTEN_ADDRESS], front?.dnsNames ?? []),
                ledgerApi: listener("ledger-api", ledger),
                adminApi: listener("admin-api", ledger + 1),
                health: listener("health", ports.participantHealth(k, r)),
                grpcHealth: grpcHealth(ports.participantGrpcHealth(k, r)),
            };
        });
        const db = databaseServer(td, `${p.name}-db`, ports.postgres(k), [p.name], config);
        databaseServers.push(db);
        const frontPort = ports.participantFront(k);
        const proxy: ProxyPlan | undefined = proxied
            ? {
                  fronts: p.name,
                  role: "participant",
                  trustDomain: td.trustDomain,
                  host: td.host(`${p.name}-proxy`, p.name),
                  clientCert: td.client(PROXY_CLIENT_CERT, `${p.name}-proxy`),
                  listeners: [listener("ledger-api", frontPort), listener("admin-api", frontPort + 1)],
                  backends: replicas.map((r) => ({ host: r.host, ports: { "ledger-api": r.ledgerApi.port, "admin-api": r.adminApi.port }, healthPort: r.health.port })),
                  loadBalancer: config.loadBalancer,
              }
            : undefined;
        const auth = authPlan(config, p, dnsDomain);
        auth.publishedKeys.forEach((key) => td.add(key.certificate));
        const users = p.users.map((u) => ({ id: u.id, primaryParty: u.primaryParty, actAs: u.actAs, readAs: u.readAs }));
        const parties = [...new Set(users.flatMap((u) => [...(u.primaryParty ? [u.primaryParty] : []), ...u.actAs, ...u.readAs]))];
        return {
            index: k,
            name: p.name,
            trustDomain: td.trustDomain,
            dnsDomain,
            users,
            parties,
            db: db.databases[0],
            replication: config.canton.replication,
            replicas,
            proxy,
            activeFront: front && { ...front, listeners: [listener("ledger-api", frontPort), listener("admin-api", frontPort + 1)] },
            auth,
            domain,
            image: cantonImageRef(config.canton),
        };
    });
    return { participants, databaseServers };
}

export function buildPlan(config: CantonHaConfig, stack: string, naming: NamingPolicy = namingFor(config, stack)): Plan {
    const limits = naming.check(config);
    if (limits.length > 0) throw new ConfigError(limits);
    const { domain, databaseServer } = planDomain(config, naming);
    const { participants, databaseServers } = planParticipants(config, naming, connectionOf(domain));
    const plan: Plan = {
        project: PROJECT,
        stack,
        platform: naming.platform,
        domain,
        participants,
        trustDomains: [domain.trustDomain, ...participants.map((p) => p.trustDomain)],
        databaseServers: [databaseServer, ...databaseServers],
        publishing: naming.publishing,
        imagePull:
            config.canton.registryUsername === undefined || config.canton.registry === undefined
                ? undefined
                : { address: config.canton.registry, username: config.canton.registryUsername, passwordKey: "cantonRegistryPassword" },
        pki: config.pki.source === "files" ? { source: "files", directory: config.pki.directory! } : { source: "generated" },
        databasePasswords: config.postgres.passwords,
        protectState: config.protect,
        kubernetes: config.platform === "kubernetes" ? kubernetesPlan(config, stack) : undefined,
        ports: [],
    };
    const users = usersOfServers(plan);
    for (const server of plan.databaseServers) {
        server.maxConnections = config.postgres.serverMaxConnections ?? serverMaxConnections(users.get(server.id) ?? [], config.postgres.maxConnections);
    }
    checkUniqueNames(plan);
    plan.ports = collectPorts(plan);
    checkPortCollisions(plan);
    return plan;
}

/** The Kubernetes platform's settings, with the namespace and cluster resolved. */
function kubernetesPlan(config: CantonHaConfig, stack: string): KubernetesPlan {
    const { namespace: _ns, ...k } = config.kubernetes;
    return { ...k, namespace: kubernetesNamespace(config, stack) };
}

/** Every host of the plan, servers and proxies. */
export function allHosts(plan: Pick<Plan, "domain" | "participants" | "databaseServers">): Host[] {
    const d = plan.domain;
    return [
        // An external database is the operator's host, not one of ours.
        ...plan.databaseServers.flatMap((s) => (s.host.serverCert ? [s.host as Host] : [])),
        ...d.sequencers.nodes.map((s) => s.host),
        ...d.mediators.replicas.map((r) => r.host),
        d.domainManager.host,
        ...(d.sequencerProxy ? [d.sequencerProxy.host] : []),
        ...plan.participants.flatMap((p) => [...p.replicas.map((r) => r.host), ...(p.proxy ? [p.proxy.host] : [])]),
    ];
}

function collectPorts(plan: Plan): Plan["ports"] {
    const out: Plan["ports"] = [];
    const add = (owner: string, l: Listener) => out.push({ owner, listener: l.name, port: l.port });
    const d = plan.domain;
    // An external server's port is the provider's, not a listener of this stack (all may share one).
    for (const db of plan.databaseServers.filter((s) => !s.external)) add(db.id, listener("postgres", db.port));
    for (const s of d.sequencers.nodes) [s.publicApi, s.adminApi, s.grpcHealth].forEach((l) => add(s.host.id, l));
    for (const m of d.mediators.replicas) [m.adminApi, m.grpcHealth].forEach((l) => add(m.host.id, l));
    [d.domainManager.adminApi, d.domainManager.grpcHealth].forEach((l) => add(d.domainManager.host.id, l));
    for (const p of plan.participants) {
        for (const r of p.replicas) [r.ledgerApi, r.adminApi, r.health, r.grpcHealth].forEach((l) => add(r.host.id, l));
        p.proxy?.listeners.forEach((l) => add(p.proxy!.host.id, l));
    }
    d.sequencerProxy?.listeners.forEach((l) => add(d.sequencerProxy!.host.id, l));
    return out;
}

/** Which config key to blame for a node: the one that made the node exist. */
function keyFor(plan: Plan, owner: string): string {
    const p = plan.participants.findIndex((x) => owner === `${x.name}-db` || owner === `${x.name}-proxy` || owner.startsWith(`${x.name}-`));
    if (p >= 0) return `${PROJECT}:participants[${p}]`;
    if (owner.startsWith("sequencer")) return `${PROJECT}:domain.sequencers`;
    if (owner.startsWith("mediator")) return `${PROJECT}:domain.mediators`;
    return `${PROJECT}:domain`;
}

/**
 * Names that become resource names, container names, DNS names or certificate ids must be
 * unique in their namespace. Two configs that each pass validation can still collide (a
 * participant named like the domain's trust domain, a participant `sequencer` whose proxy
 * would be the sequencer proxy): that is a ConfigError naming the key, not a duplicate URN.
 */
function checkUniqueNames(plan: Plan): void {
    const owners: { namespace: string; name: string; key: string }[] = [];
    const add = (namespace: string, key: string, ...names: string[]) => names.forEach((name) => owners.push({ namespace, name, key }));
    const domainKey = `${PROJECT}:domain`;
    const d = plan.domain;
    add("trust domain", domainKey, d.trustDomain.id);
    add("workload", domainKey, ...d.sequencers.nodes.map((s) => s.host.id), ...d.mediators.replicas.map((r) => r.host.id), d.domainManager.host.id, "bootstrap-domain");
    if (d.sequencerProxy) add("workload", domainKey, d.sequencerProxy.host.id);
    for (const db of plan.databaseServers.filter((s) => s.trustDomain === d.trustDomain)) add("workload", domainKey, db.host.id);
    plan.participants.forEach((p, i) => {
        const key = `${PROJECT}:participants[${i}].name`;
        add("trust domain", key, p.trustDomain.id);
        add(
            "workload",
            key,
            ...p.replicas.map((r) => r.host.id),
            p.db.server.id,
            `bootstrap-participant-${p.name}`,
            ...(p.proxy ? [p.proxy.host.id] : []),
            ...(p.activeFront ? [p.activeFront.id] : []),
        );
    });
    for (const h of allHosts(plan)) add("DNS name", keyFor(plan, h.id), h.fqdn);
    const first = new Map<string, string>();
    const problems: ConfigProblem[] = [];
    for (const o of owners) {
        const id = `${o.namespace}\u0000${o.name}`;
        const earlier = first.get(id);
        if (earlier === undefined) first.set(id, o.key);
        else
            problems.push({
                key: o.key,
                message: `makes the ${o.namespace} '${o.name}', which ${earlier === o.key ? "it already makes" : `${earlier} already makes`}; pick another name`,
            });
    }
    if (problems.length > 0) throw new ConfigError(problems);
}

function checkPortCollisions(plan: Plan): void {
    const byPort = new Map<number, Plan["ports"][number]>();
    const problems: ConfigProblem[] = [];
    for (const entry of plan.ports) {
        const first = byPort.get(entry.port);
        if (first) {
            problems.push({
                key: keyFor(plan, entry.owner),
                message:
                    `port ${entry.port} of ${entry.owner} ${entry.listener} collides with ${first.owner} ${first.listener}; ` +
                    "reduce the number of nodes (see README, Ports) so each listener keeps its own port",
            });
        } else byPort.set(entry.port, entry);
    }
    if (problems.length > 0) throw new ConfigError(problems);
}
