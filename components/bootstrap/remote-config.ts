// Remote-console configs: `canton.remote-*` sections that let a console (the bootstrap
// runner, or an operator) reach nodes over their admin APIs with the admin mTLS client
// certificate, and derive sequencer connections from the sequencers' public APIs.
import { env, HoconObject, renderHocon } from "../canton/hocon";
import { renderedBy } from "../canton/header";
import type { DomainPlan, Host, Listener, ParticipantSet, TrustDomain } from "../plan/types";
import type { Flow } from "../platform/types";
import { ADMIN_TOKEN_ENV, trustFiles } from "./layout";
import { names } from "./steps";

/** A client of an mTLS API: verify the server with the trust domain's chain, present the admin cert. */
function mtlsClient(host: Host, l: Listener, trustDomain: TrustDomain): HoconObject {
    const t = trustFiles(trustDomain.id);
    return {
        address: host.fqdn,
        port: l.port,
        tls: {
            "trust-collection-file": t.caChain,
            "client-cert": { "cert-chain-file": t.adminClientChain, "private-key-file": t.adminClientKey },
        },
    };
}

/** Console waits (`wait_for_*`, `retry_until_true`) end after this instead of hanging. */
function timeouts(timeoutSeconds: number): HoconObject {
    return { timeouts: { console: { bounded: `${timeoutSeconds}s`, unbounded: `${timeoutSeconds}s` } } };
}

/**
 * The domain's nodes. Where clients reach the sequencer public API: the node itself in
 * client-side mode, the proxy in load-balancer mode. Canton derives the mediator's and domain
 * manager's sequencer connection from this at bootstrap, so in load-balancer mode they connect
 * through the proxy. TLS without client certificates: the sequencer public API has no mTLS.
 */
export function domainRemoteConfig(domain: DomainPlan, stack: string, timeoutSeconds: number, what: string): string {
    const td = domain.trustDomain;
    const proxy = domain.sequencerProxy;
    const publicApi = (host: Host, port: number): HoconObject => ({
        address: proxy ? proxy.host.fqdn : host.fqdn,
        port: proxy ? proxy.listeners[0].port : port,
        "transport-security": true,
        "custom-trust-certificates": { "pem-file": trustFiles(td.id).caChain },
    });
    const d = domain.domainManager;
    const canton: HoconObject = {
        parameters: timeouts(timeoutSeconds),
        "remote-sequencers": Object.fromEntries(
            domain.sequencers.nodes.map((s) => [names.sequencer(s), { "public-api": publicApi(s.host, s.publicApi.port), "admin-api": mtlsClient(s.host, s.adminApi, td) }]),
        ),
        "remote-mediators": Object.fromEntries(domain.mediators.replicas.map((r) => [names.mediatorReplica(r), { "admin-api": mtlsClient(r.host, r.adminApi, td) }])),
        "remote-domain-managers": { [names.domainManager()]: { "admin-api": mtlsClient(d.host, d.adminApi, td) } },
    };
    return renderHocon({ canton }, renderedBy(stack, `Remote console for ${what}`));
}

/** One participant's replicas: admin API and Ledger API, with its participant_admin token. */
export function participantRemoteConfig(p: ParticipantSet, stack: string, timeoutSeconds: number, what: string): string {
    const a = p.domain.admission;
    const canton: HoconObject = {
        parameters: timeouts(timeoutSeconds),
        // User management (`ledger_api.users.*`) is a "testing" console command group in Canton
        // 2.9 (LedgerApiAdministration.scala, FeatureFlag.Testing): this console process enables
        // it for itself; the nodes are not affected. The walkthrough's consoles do the same.
        features: { "enable-testing-commands": true },
        "remote-participants": Object.fromEntries(
            p.replicas.map((r) => [
                names.participantReplica(p, r),
                {
                    "admin-api": mtlsClient(r.host, r.adminApi, p.trustDomain),
                    "ledger-api": mtlsClient(r.host, r.ledgerApi, p.trustDomain),
                    // The participant_admin token for the Ledger API, from the job's environment: the
                    // rendered file holds no secret, and a renewed token needs no new file.
                    token: env(ADMIN_TOKEN_ENV, true),
                },
            ]),
        ),
        // A closed domain of this stack: the job admits its own participant on the domain manager.
        ...(a ? { "remote-domain-managers": { [names.domainManager()]: { "admin-api": mtlsClient(a.host, a.adminApi, a.trustDomain) } } } : {}),
    };
    return renderHocon({ canton }, renderedBy(stack, `Remote console for ${what}`));
}

/** Every API `domainRemoteConfig` names, as flows: what the domain job may dial. */
export function domainRemoteFlows(domain: DomainPlan): Flow[] {
    const proxy = domain.sequencerProxy;
    const flow = (host: Pick<Host, "fqdn">, l: Pick<Listener, "port">): Flow => ({ host: host.fqdn, port: l.port });
    return [
        ...(proxy ? [flow(proxy.host, proxy.listeners[0])] : domain.sequencers.nodes.map((s) => flow(s.host, s.publicApi))),
        ...domain.sequencers.nodes.map((s) => flow(s.host, s.adminApi)),
        ...domain.mediators.replicas.map((r) => flow(r.host, r.adminApi)),
        flow(domain.domainManager.host, domain.domainManager.adminApi),
    ];
}

/** Every API `participantRemoteConfig` names, as flows. */
export function participantRemoteFlows(p: ParticipantSet): Flow[] {
    const a = p.domain.admission;
    return [
        ...p.replicas.flatMap((r) => [r.adminApi, r.ledgerApi].map((l) => ({ host: r.host.fqdn, port: l.port }))),
        ...(a ? [{ host: a.host.fqdn, port: a.adminApi.port }] : []),
    ];
}
