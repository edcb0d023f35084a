// Traffic for the e2e: calls from this machine through the stack's NodePorts, and from a pod
// inside the cluster, with the stack's own certificates and tokens (from its outputs).
import { LedgerApiClient, type CallResult } from "../support/grpc-client";
import { kubectl, NODE_ADDRESS, nodePort, waitFor } from "./cluster";
import type { E2eStack } from "./stack";

/** The front of a participant outside the cluster: its proxy, or its group Service (client-side). */
export function participantFront(s: E2eStack, participant: string): string {
    const p = s.plan.participants.find((x) => x.name === participant)!;
    return `${p.proxy ? p.proxy.host.id : p.activeFront!.id}-external`;
}

export async function ledgerClient(s: E2eStack, outputs: Record<string, any>, participant: string, user: string): Promise<LedgerApiClient> {
    const port = await nodePort(s.namespace, participantFront(s, participant), "ledger-api");
    const admin = outputs.adminClients[participant];
    return new LedgerApiClient({
        host: NODE_ADDRESS,
        port,
        ca: outputs.caChains[participant],
        cert: admin.certChainPem,
        key: admin.privateKeyPem,
        token: outputs.tokens[participant][user],
        serverName: "localhost",
        minTlsVersion: "TLSv1.3",
    });
}

/** Clients of the sequencer public API: the proxy, or each sequencer (client-side: try them in order). */
export async function sequencerClients(s: E2eStack, outputs: Record<string, any>): Promise<LedgerApiClient[]> {
    const d = s.plan.domain;
    const fronts = d.sequencerProxy ? [d.sequencerProxy.host.id] : d.sequencers.nodes.map((n) => n.host.id);
    return Promise.all(
        fronts.map(
            async (id) =>
                new LedgerApiClient({
                    host: NODE_ADDRESS,
                    port: await nodePort(s.namespace, `${id}-external`, "public-api"),
                    ca: outputs.caChains.domain,
                    serverName: "localhost",
                }),
        ),
    );
}

/**
 * A ledger API caller for failover measurements: one channel, replaced after a failed call. A
 * connection to a deleted pod gets no reset (its network namespace is gone), so a client that
 * kept it would wait for its keepalive; real clients reconnect on failure, and so does this.
 */
export async function reconnectingCaller(s: E2eStack, outputs: Record<string, any>, participant: string, user: string) {
    let client = await ledgerClient(s, outputs, participant, user);
    return {
        async call(deadlineMs: number): Promise<CallResult> {
            const r = await client.call(deadlineMs);
            if (!r.ok) {
                client.close();
                client = await ledgerClient(s, outputs, participant, user);
            }
            return r;
        },
        close: () => client.close(),
    };
}

/** Polls `call` every `everyMs` until it succeeds; the failures on the way, and when it first succeeded. */
export async function untilOk(call: () => Promise<CallResult>, timeoutMs: number, everyMs = 20): Promise<{ ok?: CallResult; failed: number; ms: number }> {
    const start = performance.now();
    let failed = 0;
    while (performance.now() - start < timeoutMs) {
        const r = await call();
        if (r.ok) return { ok: r, failed, ms: Math.round(performance.now() - start) };
        failed++;
        await new Promise((res) => setTimeout(res, everyMs));
    }
    return { failed, ms: Math.round(performance.now() - start) };
}

/**
 * A gRPC call from inside the cluster: a pod (the stand-in image, which has node) labelled as a
 * ledger API client dials the in-cluster address with mTLS and a token, and prints the status
 * and the answering replica. Pod Security `restricted` holds for it too.
 */
export async function callFromPod(s: E2eStack, outputs: Record<string, any>, participant: string, user: string): Promise<{ status: string; replica?: string }> {
    const p = s.plan.participants.find((x) => x.name === participant)!;
    const target = p.proxy ? `${p.proxy.host.fqdn}:${p.proxy.listeners[0].port}` : `${p.activeFront!.fqdn}:${p.activeFront!.listeners[0].port}`;
    const name = `e2e-client-${participant}`;
    const admin = outputs.adminClients[participant];
    const script = [
        'const http2 = require("http2"); const e = process.env;',
        'const c = http2.connect("https://" + e.TARGET, { ca: e.CA, cert: e.CERT, key: e.KEY, servername: e.SNI, minVersion: "TLSv1.3" });',
        'c.on("error", (x) => { console.log(JSON.stringify({ status: "connect-error", error: x.message })); process.exit(2); });',
        'const r = c.request({ ":method": "POST", ":path": "/com.daml.ledger.api.v1.VersionService/GetLedgerApiVersion", "content-type": "application/grpc", te: "trailers", authorization: "Bearer " + e.TOKEN });',
        'let h = {}; let t = {}; r.on("response", (x) => (h = x)); r.on("trailers", (x) => (t = x)); r.on("data", () => {});',
        'r.on("close", () => { console.log(JSON.stringify({ status: String(t["grpc-status"] ?? h["grpc-status"]), replica: h["x-standin-replica"] ?? t["x-standin-replica"] })); c.close(); });',
        "r.end(Buffer.from([0, 0, 0, 0, 0]));",
    ].join("\n");
    await kubectl(["delete", "pod,secret", name, "-n", s.namespace, "--ignore-not-found", "--wait=true"]);
    const secret = {
        apiVersion: "v1",
        kind: "Secret",
        metadata: { name, namespace: s.namespace },
        stringData: { CA: outputs.caChains[participant], CERT: admin.certChainPem, KEY: admin.privateKeyPem, TOKEN: outputs.tokens[participant][user] },
    };
    const pod = {
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name, namespace: s.namespace, labels: { "canton-ha.io/ledger-api-client": "true" } },
        spec: {
            restartPolicy: "Never",
            automountServiceAccountToken: false,
            securityContext: { runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, seccompProfile: { type: "RuntimeDefault" } },
            containers: [
                {
                    name: "client",
                    image: s.config.canton.image + ":" + s.config.canton.version,
                    imagePullPolicy: "Never",
                    command: ["node", "-e", script],
                    env: [
                        { name: "TARGET", value: target },
                        { name: "SNI", value: target.split(":")[0] },
                    ],
                    envFrom: [{ secretRef: { name } }],
                    securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } },
                },
            ],
        },
    };
    await kubectl(["apply", "-f", "-"], JSON.stringify({ apiVersion: "v1", kind: "List", items: [secret, pod] }));
    await waitFor(`pod ${name} to finish`, async () => {
        const phase = (await kubectl(["get", "pod", name, "-n", s.namespace, "-o", "jsonpath={.status.phase}"])).trim();
        return phase === "Succeeded" || phase === "Failed" ? phase : undefined;
    });
    const log = await kubectl(["logs", name, "-n", s.namespace]);
    await kubectl(["delete", "pod,secret", name, "-n", s.namespace, "--ignore-not-found", "--wait=false"]);
    return JSON.parse(log.trim().split("\n").pop()!) as { status: string; replica?: string };
}
