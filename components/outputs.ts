// Stack outputs: every endpoint, the public CA chains, and the admin client credentials.
import * as pulumi from "@pulumi/pulumi";
import type { ParticipantAuth } from "./auth/participant-auth";
import { endpoint } from "./plan/endpoint";
import type { Host, Listener, Plan } from "./plan/types";
import type { CantonHaTopology } from "./topology";

/** `host:port` as seen from the machine the platform publishes on (Docker: host ports). */
function published(plan: Plan, port: number): string | undefined {
    const addr = plan.publishing.bindAddress;
    if (addr === undefined) return undefined;
    return `${addr === "0.0.0.0" ? "localhost" : addr}:${port}`;
}

function endpoints(plan: Plan) {
    const ep = (host: Pick<Host, "fqdn">, l: Pick<Listener, "port">, scheme?: "https" | "http", path?: string) => ({
        inNetwork: endpoint(host, l, scheme, path),
        port: l.port,
        published: published(plan, l.port),
    });
    const d = plan.domain;
    return {
        haMode: d.haMode,
        sequencerClientUrls: d.sequencerClientUrls,
        sequencers: d.sequencers.nodes.map((s) => ({ name: s.name, publicApi: ep(s.host, s.publicApi, "https"), adminApi: ep(s.host, s.adminApi) })),
        mediators: d.mediators.replicas.map((r) => ({ replica: r.host.id, adminApi: ep(r.host, r.adminApi) })),
        domainManager: { adminApi: ep(d.domainManager.host, d.domainManager.adminApi) },
        participants: Object.fromEntries(
            plan.participants.map((p) => [
                p.name,
                {
                    // The one address that reaches the active replica: its proxy, or the platform's own routing (a Kubernetes Service).
                    ...(p.proxy
                        ? { front: { ledgerApi: ep(p.proxy.host, p.proxy.listeners[0]) } }
                        : p.activeFront
                          ? { front: { ledgerApi: ep(p.activeFront, p.activeFront.listeners[0]) } }
                          : {}),
                    // Client-side HA: ledger API clients try these in order and skip a passive replica.
                    replicas: p.replicas.map((r) => ({
                        replica: r.host.id,
                        ledgerApi: ep(r.host, r.ledgerApi),
                        adminApi: ep(r.host, r.adminApi),
                        health: ep(r.host, r.health, "http", "/health"),
                    })),
                },
            ]),
        ),
        databases: plan.databaseServers.map((s) => ({ id: s.id, external: s.external !== undefined, postgres: ep(s.host, { port: s.port }) })),
    };
}

export function stackOutputs(plan: Plan, topology: CantonHaTopology) {
    const byTrust = <T>(f: (id: string) => T) => Object.fromEntries(plan.trustDomains.map((td) => [td.id, f(td.id)]));
    return {
        endpoints: endpoints(plan),
        /** Intermediate + root per trust domain: public, hand them to clients. */
        caChains: byTrust((id) => topology.pki(id).chainPem),
        rootCertificates: byTrust((id) => topology.pki(id).rootCertPem),
        /** The operator's mTLS client credentials for admin and ledger APIs. The keys are secret. */
        adminClients: Object.fromEntries(
            plan.trustDomains.map((td) => {
                const c = topology.pki(td.id).certificate(td.adminClient);
                return [td.id, { certChainPem: c.chainPem, privateKeyPem: pulumi.secret(c.privateKeyPem) }];
            }),
        ),
        /** Ledger API tokens, participant -> user -> JWT. Secret; `pulumi up` renews them near expiry. */
        tokens: pulumi.secret(pulumi.all(byParticipant(plan, topology, (a) => a.tokens))),
        /** When each token expires (ISO 8601). Public: for monitoring the renewal. */
        tokenExpiries: byParticipant(plan, topology, (a) => a.tokenExpiries),
        /** The JWKS each participant verifies tokens with (current and previous key). Public. */
        jwks: byParticipant(plan, topology, (a) => a.jwks.apply((text) => (typeof text === "string" ? (JSON.parse(text) as object) : text))),
        /** Participant name -> participant id (`PAR::<name>::<fingerprint>`), reported by the bootstrap runs. */
        participantIds: topology.participantIds,
        /** Participant name -> party hint -> party id (`<hint>::<namespace>`), reported by the bootstrap runs. */
        partyIds: topology.partyIds,
        /** Host id -> its rendered Canton config (HOCON; no secrets: the database password is `${CANTON_DB_PASSWORD}`). */
        configs: renderedConfigs(topology),
    };
}

/** Every node's rendered HOCON: what the `none` platform hands over for deployment by other means. */
function renderedConfigs(topology: CantonHaTopology): Record<string, string> {
    const d = topology.domain;
    return {
        ...d.sequencers.configs,
        ...d.mediators.configs,
        [d.domainManager.hostId]: d.domainManager.config,
        ...Object.assign({}, ...[...topology.participants.values()].map((p) => p.replicas.configs)),
    };
}

function byParticipant<T>(plan: Plan, topology: CantonHaTopology, f: (auth: ParticipantAuth) => T): Record<string, T> {
    return Object.fromEntries(plan.participants.map((p) => [p.name, f(topology.participants.get(p.name)!.auth)]));
}
