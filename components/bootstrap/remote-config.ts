// Remote-console configs: `canton.remote-*` sections that let a console (the bootstrap
// runner, or an operator) reach nodes over their admin APIs with the admin mTLS client
// certificate, and derive sequencer connections from the sequencers' public APIs.
import { env, HoconObject, renderHocon } from "../canton/hocon";
import { DOMAIN_TRUST } from "../plan/build";
import type { Host, Listener, Plan } from "../plan/types";
import { ADMIN_TOKEN_ENV, trustFiles } from "./layout";
import { names } from "./steps";

/** Which nodes a console config names. */
export interface RemoteScope {
    domain: boolean;
    /** Participant names whose replicas to include. */
    participants: string[];
}

export const allNodes = (plan: Plan): RemoteScope => ({ domain: true, participants: plan.participants.map((p) => p.name) });

/** A client of an mTLS API: verify the server with the trust domain's chain, present the admin cert. */
function mtlsClient(host: Host, l: Listener, trustDomain: string): HoconObject {
    const t = trustFiles(trustDomain);
    return {
        address: host.fqdn,
        port: l.port,
        tls: {
            "trust-collection-file": t.caChain,
            "client-cert": { "cert-chain-file": t.adminClientChain, "private-key-file": t.adminClientKey },
        },
    };
}

/**
 * Where clients reach the sequencer public API: the node itself in client-side mode, the
 * proxy in load-balancer mode. Canton derives the mediator's and domain manager's sequencer
 * connection from this at bootstrap, so in load-balancer mode they connect through the proxy.
 * TLS without client certificates: the sequencer public API has no mTLS.
 */
function publicApi(plan: Plan, index: number): HoconObject {
    const s = plan.sequencers.find((x) => x.index === index)!;
    const proxy = plan.sequencerProxy;
    const [address, port] = proxy ? [proxy.host.fqdn, proxy.listeners.find((l) => l.name === "public-api")!.port] : [s.host.fqdn, s.publicApi.port];
    return { address, port, "transport-security": true, "custom-trust-certificates": { "pem-file": trustFiles(DOMAIN_TRUST).caChain } };
}

export function remoteConfig(plan: Plan, scope: RemoteScope, timeoutSeconds: number, what: string): string {
    const canton: HoconObject = {
        // Console waits (`wait_for_*`, `retry_until_true`) end after this instead of hanging.
        parameters: { timeouts: { console: { bounded: `${timeoutSeconds}s`, unbounded: `${timeoutSeconds}s` } } },
    };
    if (scope.domain) {
        canton["remote-sequencers"] = Object.fromEntries(plan.sequencers.map((s) => [
            names.sequencer(plan, s.index),
            { "public-api": publicApi(plan, s.index), "admin-api": mtlsClient(s.host, s.adminApi, DOMAIN_TRUST) },
        ]));
        canton["remote-mediators"] = Object.fromEntries(plan.mediators.replicas.map((r) => [
            names.mediatorReplica(plan, r.index),
            { "admin-api": mtlsClient(r.host, r.adminApi, DOMAIN_TRUST) },
        ]));
        const d = plan.domainManager;
        canton["remote-domain-managers"] = { [names.domainManager()]: { "admin-api": mtlsClient(d.host, d.adminApi, DOMAIN_TRUST) } };
    }
    const participants = plan.participants.filter((p) => scope.participants.includes(p.name));
    if (participants.length > 0) {
        // User management (`ledger_api.users.*`) is a "testing" console command group in Canton
        // 2.9 (LedgerApiAdministration.scala, FeatureFlag.Testing): this console process enables
        // it for itself; the nodes are not affected. The walkthrough's consoles do the same.
        canton.features = { "enable-testing-commands": true };
        canton["remote-participants"] = Object.fromEntries(participants.flatMap((p) => p.replicas.map((r) => [
            names.participantReplica(p, r.index),
            {
                "admin-api": mtlsClient(r.host, r.adminApi, p.trustDomain),
                "ledger-api": mtlsClient(r.host, r.ledgerApi, p.trustDomain),
                // The participant_admin token for the Ledger API, from the job's environment: the
                // rendered file holds no secret, and a renewed token needs no new file.
                token: env(ADMIN_TOKEN_ENV, true),
            },
        ])));
    }
    return renderHocon(
        { canton },
        `Remote console for ${what}\nRendered by canton-ha for stack '${plan.stack}'. Do not edit: \`pulumi up\` rewrites it.`,
    );
}

/** The trust domains whose credentials a console with this scope needs. */
export function trustDomainsOf(plan: Plan, scope: RemoteScope): string[] {
    const ids = scope.domain ? [DOMAIN_TRUST] : [];
    for (const p of plan.participants) if (scope.participants.includes(p.name)) ids.push(p.trustDomain);
    return ids;
}
