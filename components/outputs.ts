// Stack outputs: every endpoint, the public CA chains, and the admin client credentials.
import * as pulumi from "@pulumi/pulumi";
import type { ParticipantAuth } from "./auth/participant-auth";
import type { Plan } from "./plan/types";
import type { CantonHaTopology } from "./topology";

/** `host:port` as seen from the machine running Docker (ports are published there). */
function published(plan: Plan, port: number): string | undefined {
    if (plan.config.platform !== "docker" || !plan.config.network.publishPorts) return undefined;
    const addr = plan.config.network.bindAddress === "0.0.0.0" ? "localhost" : plan.config.network.bindAddress;
    return `${addr}:${port}`;
}

export function endpoints(plan: Plan) {
    const ep = (inNetwork: string, port: number) => ({ inNetwork, port, published: published(plan, port) });
    return {
        haMode: plan.config.haMode,
        sequencerClientUrls: plan.sequencerClientUrls,
        sequencers: plan.sequencers.map((s) => ({
            name: s.name,
            publicApi: ep(s.url, s.publicApi.port),
            adminApi: ep(`${s.host.fqdn}:${s.adminApi.port}`, s.adminApi.port),
        })),
        mediators: plan.mediators.replicas.map((r) => ({ replica: r.host.id, adminApi: ep(`${r.host.fqdn}:${r.adminApi.port}`, r.adminApi.port) })),
        domainManager: { adminApi: ep(`${plan.domainManager.host.fqdn}:${plan.domainManager.adminApi.port}`, plan.domainManager.adminApi.port) },
        participants: Object.fromEntries(
            plan.participants.map((p) => [
                p.name,
                {
                    // Client-side HA: ledger API clients try these in order and skip a passive replica.
                    replicas: p.replicas.map((r) => ({
                        replica: r.host.id,
                        ledgerApi: ep(`${r.host.fqdn}:${r.ledgerApi.port}`, r.ledgerApi.port),
                        adminApi: ep(`${r.host.fqdn}:${r.adminApi.port}`, r.adminApi.port),
                        health: ep(`http://${r.host.fqdn}:${r.health.port}/health`, r.health.port),
                    })),
                },
            ]),
        ),
        databases: plan.databaseServers.map((d) => ({ id: d.id, postgres: ep(`${d.host.fqdn}:${d.port}`, d.port) })),
    };
}

export function stackOutputs(plan: Plan, topology: CantonHaTopology) {
    const byTrust = <T>(f: (id: string) => T) => Object.fromEntries(plan.trustDomains.map((td) => [td.id, f(td.id)]));
    return {
        endpoints: endpoints(plan),
        /** Intermediate + root per trust domain: public, hand them to clients. */
        caChains: byTrust((id) => topology.ca(id).chainPem),
        rootCertificates: byTrust((id) => topology.ca(id).rootCertPem),
        /** The operator's mTLS client credentials for admin and ledger APIs. The keys are secret. */
        adminClients: byTrust((id) => {
            const c = topology.ca(id).get("admin-api");
            return { certChainPem: c.chainPem, privateKeyPem: pulumi.secret(c.privateKeyPem) };
        }),
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
    };
}

function byParticipant<T>(plan: Plan, topology: CantonHaTopology, f: (auth: ParticipantAuth) => T): Record<string, T> {
    return Object.fromEntries(plan.participants.map((p) => [p.name, f(topology.auth.get(p.name)!)]));
}
