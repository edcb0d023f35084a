// Pure planning: config in, plan out. No Pulumi resources are created here.
import { CantonHaConfig, ConfigError, ConfigProblem, PROJECT } from "../config";
import * as ports from "./ports";
import { authPlan, signingCertificates } from "./auth";
import { serverMaxConnections, usersOfServers } from "./connections";
import type {
    CertificatePlan, DatabaseRef, DatabaseServer, DomainManagerNode, Host, Listener, MediatorPair,
    ParticipantSet, Plan, ProxyPlan, SequencerNode, TrustDomain,
} from "./types";

export const DOMAIN_TRUST = "domain";
/** Where every Canton API listens (components/canton/node-config.ts): all interfaces. */
export const LISTEN_ADDRESS = "0.0.0.0";

/** Postgres identifiers (and the client-cert CN that must equal the user) avoid '-'. */
export function dbIdentifier(name: string): string {
    return name.replace(/-/g, "_");
}

function host(id: string, label: string, dnsDomain: string): Host {
    const fqdn = `${label}.${dnsDomain}`;
    return { id, fqdn, dnsNames: [fqdn, id] };
}

const listener = (name: string, port: number): Listener => ({ name, port });

export function buildPlan(config: CantonHaConfig, stack: string): Plan {
    const behindProxy = config.haMode === "loadbalancer";
    const dom = config.domain;

    const domainDb: DatabaseServer = {
        id: `${dom.name}-db`,
        trustDomain: DOMAIN_TRUST,
        host: host(`${dom.name}-db`, "db", dom.dnsDomain),
        port: ports.postgresPort(),
        maxConnections: 0, // set below, once the nodes that use it are planned
        databases: ["sequencer", "mediator", "domain"].map((d) => ({ server: `${dom.name}-db`, database: d, user: d })),
    };
    const domainDbRef = (database: string): DatabaseRef => domainDb.databases.find((d) => d.database === database)!;

    const sequencers: SequencerNode[] = range(dom.sequencers).map((i) => {
        const h = host(`sequencer${i}`, `sequencer${i}`, dom.dnsDomain);
        const publicPort = ports.sequencerPublicPort(i, behindProxy);
        return {
            index: i,
            name: `sequencer${i}`,
            host: h,
            publicApi: listener("public-api", publicPort),
            adminApi: listener("admin-api", publicPort + 1),
            db: domainDbRef("sequencer"),
            url: `https://${h.fqdn}:${publicPort}`,
        };
    });

    const mediators: MediatorPair = {
        name: "mediator",
        db: domainDbRef("mediator"),
        replicas: range(dom.mediators).map((i) => ({
            index: i,
            host: host(`mediator${i}`, `mediator${i}`, dom.dnsDomain),
            adminApi: listener("admin-api", ports.mediatorAdminPort(i)),
        })),
    };

    const domainManager: DomainManagerNode = {
        name: dom.name,
        host: host("domain-manager", "domain-manager", dom.dnsDomain),
        adminApi: listener("admin-api", ports.DOMAIN_MANAGER_ADMIN_PORT),
        db: domainDbRef("domain"),
        protocolVersion: config.canton.protocolVersion,
    };

    const sequencerProxy: ProxyPlan | undefined = behindProxy
        ? {
              fronts: "sequencer",
              trustDomain: DOMAIN_TRUST,
              host: host("sequencer-proxy", "sequencer", dom.dnsDomain),
              listeners: [listener("public-api", ports.SEQUENCER_FRONT_PORT)],
              backends: sequencers.map((s) => ({ host: s.host, ports: { "public-api": s.publicApi.port } })),
          }
        : undefined;

    const participantDbs: DatabaseServer[] = [];
    const participants: ParticipantSet[] = config.participants.map((p, i) => {
        const k = i + 1;
        const dnsDomain = p.dnsDomain ?? `${p.name}.canton.local`;
        const dbId = `${p.name}-db`;
        const db: DatabaseRef = { server: dbId, database: dbIdentifier(p.name), user: dbIdentifier(p.name) };
        participantDbs.push({ id: dbId, trustDomain: p.name, host: host(dbId, "db", dnsDomain), port: ports.postgresPort(k), databases: [db], maxConnections: 0 });
        const proxied = behindProxy && p.replicas > 1;
        const replicas = range(p.replicas).map((r) => {
            const ledger = ports.participantLedgerPort(k, r, proxied);
            return {
                index: r,
                host: host(`${p.name}-${r}`, `${p.name}-${r}`, dnsDomain),
                ledgerApi: listener("ledger-api", ledger),
                adminApi: listener("admin-api", ledger + 1),
                health: listener("health", ports.participantHealthPort(k, r)),
            };
        });
        const front = ports.participantFrontPort(k);
        const proxy: ProxyPlan | undefined = proxied
            ? {
                  fronts: p.name,
                  trustDomain: p.name,
                  host: host(`${p.name}-proxy`, p.name, dnsDomain),
                  listeners: [listener("ledger-api", front), listener("admin-api", front + 1)],
                  backends: replicas.map((r) => ({
                      host: r.host,
                      ports: { "ledger-api": r.ledgerApi.port, "admin-api": r.adminApi.port },
                      healthPort: r.health.port,
                  })),
              }
            : undefined;
        const users = p.users.map((u) => ({ id: u.id, primaryParty: u.primaryParty, actAs: u.actAs, readAs: u.readAs }));
        const parties = [...new Set(users.flatMap((u) => [...(u.primaryParty ? [u.primaryParty] : []), ...u.actAs, ...u.readAs]))];
        return { index: k, name: p.name, trustDomain: p.name, dnsDomain, users, parties, db, replicas, proxy, auth: authPlan(config, p, dnsDomain) };
    });

    const ipAddresses = loopbackAndBind(config.network.bindAddress);
    const serverCert = (h: Host, extraIps: string[] = []): CertificatePlan => ({
        id: h.id, usage: "server", commonName: h.fqdn, dnsNames: [...h.dnsNames, "localhost"], ipAddresses: [...ipAddresses, ...extraIps],
    });
    const clientCert = (id: string, commonName: string): CertificatePlan => ({ id, usage: "client", commonName, dnsNames: [], ipAddresses: [] });

    const domainTrust: TrustDomain = {
        id: DOMAIN_TRUST,
        kind: "domain",
        dnsDomain: dom.dnsDomain,
        certificates: [
            ...sequencers.map((s) => serverCert(s.host)),
            ...mediators.replicas.map((m) => serverCert(m.host)),
            serverCert(domainManager.host),
            serverCert(domainDb.host),
            ...(sequencerProxy ? [serverCert(sequencerProxy.host)] : []),
            clientCert("admin-api", "admin-api"),
            ...domainDb.databases.map((d) => clientCert(`db-${d.user}`, d.user)),
        ],
    };
    const participantTrusts: TrustDomain[] = participants.map((p, i) => ({
        id: p.name,
        kind: "participant",
        dnsDomain: p.dnsDomain,
        certificates: [
            // A participant's admin workflows (the ping service among them) call its own Ledger
            // API at the configured listen address, 0.0.0.0, verifying the server certificate
            // against it: without this SAN `health.ping` fails. Digital Asset's participant
            // chart (`ipSans: "0.0.0.0"`) and the walkthrough's make-certs.sh add it too.
            // Binding to the replica's own name instead would break loopback health probes and
            // `kubectl port-forward`, and pod IPs change, so the SAN is the portable choice.
            ...p.replicas.map((r) => serverCert(r.host, [LISTEN_ADDRESS])),
            serverCert(participantDbs[i].host),
            ...(p.proxy ? [serverCert(p.proxy.host), clientCert("proxy-client", `${p.name}-proxy`)] : []),
            clientCert("admin-api", "admin-api"),
            clientCert(`db-${p.db.user}`, p.db.user),
            ...signingCertificates(p),
        ],
    }));

    const plan: Plan = {
        project: PROJECT,
        stack,
        config,
        cantonImage: cantonImageRef(config.canton),
        trustDomains: [domainTrust, ...participantTrusts],
        databaseServers: [domainDb, ...participantDbs],
        sequencers,
        mediators,
        domainManager,
        participants,
        sequencerProxy,
        sequencerClientUrls: sequencerProxy
            ? [`https://${sequencerProxy.host.fqdn}:${ports.SEQUENCER_FRONT_PORT}`]
            : sequencers.map((s) => s.url),
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

/** `<registry>/<image>:<version>`, or `<image>:<version>` when the image path is already full. */
export function cantonImageRef(c: Pick<CantonHaConfig["canton"], "registry" | "image" | "version">): string {
    return `${c.registry ? `${c.registry}/` : ""}${c.image}:${c.version}`;
}

function range(n: number): number[] {
    return Array.from({ length: n }, (_, i) => i + 1);
}

function loopbackAndBind(bindAddress: string): string[] {
    return bindAddress === "127.0.0.1" || bindAddress === "0.0.0.0" ? ["127.0.0.1"] : ["127.0.0.1", bindAddress];
}

function collectPorts(plan: Plan): Plan["ports"] {
    const out: Plan["ports"] = [];
    const add = (owner: string, l: Listener) => out.push({ owner, listener: l.name, port: l.port });
    for (const db of plan.databaseServers) add(db.id, listener("postgres", db.port));
    for (const s of plan.sequencers) [s.publicApi, s.adminApi].forEach((l) => add(s.host.id, l));
    for (const m of plan.mediators.replicas) add(m.host.id, m.adminApi);
    add(plan.domainManager.host.id, plan.domainManager.adminApi);
    for (const p of plan.participants) {
        for (const r of p.replicas) [r.ledgerApi, r.adminApi, r.health].forEach((l) => add(r.host.id, l));
        p.proxy?.listeners.forEach((l) => add(p.proxy!.host.id, l));
    }
    plan.sequencerProxy?.listeners.forEach((l) => add(plan.sequencerProxy!.host.id, l));
    return out;
}

/** Which config key to blame for a node's port: the one that made the node exist. */
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
    add("trust domain", domainKey, DOMAIN_TRUST);
    add("workload", domainKey, ...plan.sequencers.map((s) => s.host.id), ...plan.mediators.replicas.map((r) => r.host.id), plan.domainManager.host.id, "bootstrap-domain");
    if (plan.sequencerProxy) add("workload", domainKey, plan.sequencerProxy.host.id);
    for (const db of plan.databaseServers.filter((d) => d.trustDomain === DOMAIN_TRUST)) add("workload", domainKey, db.host.id);
    plan.participants.forEach((p, i) => {
        const key = `${PROJECT}:participants[${i}].name`;
        add("trust domain", key, p.trustDomain);
        add("workload", key, ...p.replicas.map((r) => r.host.id), p.db.server, `bootstrap-participant-${p.name}`, ...(p.proxy ? [p.proxy.host.id] : []));
    });
    for (const h of allHosts(plan)) add("DNS name", keyFor(plan, h.id), h.fqdn);
    const first = new Map<string, string>();
    const problems: ConfigProblem[] = [];
    for (const o of owners) {
        const id = `${o.namespace}\u0000${o.name}`;
        const earlier = first.get(id);
        if (earlier === undefined) first.set(id, o.key);
        else problems.push({ key: o.key, message: `makes the ${o.namespace} '${o.name}', which ${earlier === o.key ? "it already makes" : `${earlier} already makes`}; pick another name` });
    }
    if (problems.length > 0) throw new ConfigError(problems);
}

function allHosts(plan: Plan): Host[] {
    return [
        ...plan.databaseServers.map((d) => d.host),
        ...plan.sequencers.map((s) => s.host),
        ...plan.mediators.replicas.map((r) => r.host),
        plan.domainManager.host,
        ...(plan.sequencerProxy ? [plan.sequencerProxy.host] : []),
        ...plan.participants.flatMap((p) => [...p.replicas.map((r) => r.host), ...(p.proxy ? [p.proxy.host] : [])]),
    ];
}

function checkPortCollisions(plan: Plan): void {
    const byPort = new Map<number, Plan["ports"][number]>();
    const problems: ConfigProblem[] = [];
    for (const entry of plan.ports) {
        const first = byPort.get(entry.port);
        if (first) {
            problems.push({
                key: keyFor(plan, entry.owner),
                message: `port ${entry.port} of ${entry.owner} ${entry.listener} collides with ${first.owner} ${first.listener}; ` +
                    "reduce the number of nodes (see README, Ports) so each listener keeps its own port",
            });
        } else byPort.set(entry.port, entry);
    }
    if (problems.length > 0) throw new ConfigError(problems);
}
