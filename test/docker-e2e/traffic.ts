// Traffic for the Docker e2e: calls from this machine to the ports the stack publishes on
// 127.0.0.1, with its own certificates and tokens (the program's outputs), as a user's client
// makes them. The addresses come from the `endpoints` output, never from the harness.
import * as http from "node:http";
import { LedgerApiClient, type CallResult } from "../support/grpc-client";
import type { E2eDockerStack } from "./stack";

/** `127.0.0.1:4401` -> [host, port]; the harness publishes on loopback only. */
function hostPort(published: string): { host: string; port: number } {
    const [host, port] = published.split(":");
    if (host !== "127.0.0.1") throw new Error(`endpoint ${published} is not on 127.0.0.1`);
    return { host, port: Number(port) };
}

const endpoints = (s: E2eDockerStack) => s.program.outputs.endpoints;

/**
 * The ledger API addresses a client of `participant` uses, in the order it tries them: the
 * proxy (load-balancer mode), or each replica (client-side mode: skip a passive one).
 */
export function ledgerAddresses(s: E2eDockerStack, participant: string): string[] {
    const p = endpoints(s).participants[participant];
    return p.front ? [p.front.ledgerApi.published] : p.replicas.map((r: any) => r.ledgerApi.published);
}

export function ledgerClient(s: E2eDockerStack, participant: string, user: string, address: string, token?: string): LedgerApiClient {
    const o = s.program.outputs;
    return new LedgerApiClient({
        ...hostPort(address),
        ca: o.caChains[participant],
        cert: o.adminClients[participant].certChainPem,
        key: o.adminClients[participant].privateKeyPem,
        token: token ?? o.tokens[participant][user],
        serverName: "localhost",
        minTlsVersion: "TLSv1.3",
    });
}

/**
 * A ledger API caller as a client-side or proxied client is: it tries its addresses in order
 * and takes the first answer; a failed channel is replaced (real clients reconnect).
 */
export function ledgerCaller(s: E2eDockerStack, participant: string, user: string, token?: string) {
    const addresses = ledgerAddresses(s, participant);
    const clients = addresses.map((a) => ledgerClient(s, participant, user, a, token));
    return {
        async call(deadlineMs = 2000): Promise<CallResult> {
            let last: CallResult | undefined;
            for (let i = 0; i < clients.length; i++) {
                last = await clients[i].call(deadlineMs);
                if (last.ok) return last;
                // A refused token is an answer, not a reason to try the next replica.
                if (last.code === 16 || last.code === 7) return last;
                clients[i].close();
                clients[i] = ledgerClient(s, participant, user, addresses[i], token);
            }
            return last!;
        },
        close: () => clients.forEach((c) => c.close()),
    };
}

/** The sequencer endpoints a sequencer client is given: the proxy, or every sequencer. */
export function sequencerClients(s: E2eDockerStack): LedgerApiClient[] {
    const e = endpoints(s);
    const published: string[] = s.plan.domain.sequencerProxy
        ? e.sequencerClientUrls.map((u: string) => `127.0.0.1:${new URL(u).port}`)
        : e.sequencers.map((x: any) => x.publicApi.published);
    return published.map((a) => new LedgerApiClient({ ...hostPort(a), ca: s.program.outputs.caChains.domain, serverName: "localhost" }));
}

/** The replica whose `/health` answers 200 (Canton: only the active one), or undefined. */
export async function activeReplica(s: E2eDockerStack, participant: string): Promise<string | undefined> {
    const answers = await Promise.all(
        endpoints(s).participants[participant].replicas.map(
            (r: any) =>
                new Promise<string | undefined>((resolve) => {
                    const { host, port } = hostPort(r.health.published);
                    const req = http.get({ host, port, path: "/health", timeout: 5000 }, (res) => {
                        res.resume();
                        resolve(res.statusCode === 200 ? r.replica : undefined);
                    });
                    req.on("error", () => resolve(undefined));
                    req.on("timeout", () => req.destroy());
                }),
        ),
    );
    const active = answers.filter((a): a is string => a !== undefined);
    if (active.length > 1) throw new Error(`${participant}: more than one active replica: ${active.join(", ")}`);
    return active[0];
}
