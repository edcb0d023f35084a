// How a Canton node becomes a workload: its config, certificates and DB credentials as
// files, its probes, and what "deployed" means for it.
import type * as pulumi from "@pulumi/pulumi";
import type { DatabaseConnection } from "../database";
import type { TrustDomainPki } from "../pki/pki";
import type { Host, Listener, TrustDomain } from "../plan/types";
import { Flow, Probes, publicFile, secretFile, WorkloadComponent, WorkloadFile, WorkloadSpec } from "../platform/types";
import { CONFIG_FILE, daemonArgs, DB_PASSWORD_ENV, files } from "./layout";

/** The PKI a node carries: its own trust domain's, and the domain's chain to verify sequencers. */
export interface NodeTrust {
    trustDomain: TrustDomain;
    pki: TrustDomainPki;
    /** Intermediate + root of the domain: participants verify the sequencers with it. */
    domainCaChainPem: pulumi.Input<string>;
}

/** Active/active nodes serve as soon as they run; active/passive replicas may stay passive. */
type NodeRole = "active-active" | "active-passive";

interface CantonNodeSpec {
    group: string;
    component: WorkloadComponent;
    replica: number;
    image: string;
    host: Host;
    config: string;
    listeners: Listener[];
    adminApi: Listener;
    grpcHealth: Listener;
    /**
     * A participant's Ledger API: Canton opens it only on the active replica, once its Ledger
     * API server has started, so "it accepts connections" is what readiness means for it.
     */
    ledgerApi?: Listener;
    role: NodeRole;
    trust: NodeTrust;
    db: DatabaseConnection;
    /** The sequencers it connects to (every node but a sequencer). */
    sequencerUrls?: string[];
    extraFiles?: WorkloadFile[];
}

/** `https://host:port` as a flow. */
function urlFlow(url: string): Flow {
    const u = new URL(url);
    return { host: u.hostname, port: Number(u.port || (u.protocol === "https:" ? 443 : 80)) };
}

/**
 * Probes from Canton's own health services, as Digital Asset's charts use them, plus a
 * startup probe for the slow JVM start:
 * - startup: the admin API accepts TCP (the node process is up; it runs on every replica);
 * - liveness: gRPC `liveness`, which stays SERVING on a passive replica, so a standby is never killed;
 * - readiness, participant: its Ledger API accepts TCP. Canton starts the Ledger API server only
 *   on the active replica and stops it when the replica turns passive (`ParticipantNodeCommon`:
 *   `startLedgerApiServer = sync.isActive()`; `StartableStoppableLedgerApiServer`, main-2.x at
 *   2.9). `/health` (is-active) turns 200 seconds earlier, while the port still refuses, and a
 *   probe cannot AND the two; the Ledger API is what the participant's Service routes to.
 *   The admin API needs no readiness of its own: it is served by the same (active) pod.
 * - readiness, other nodes: the node's overall gRPC status (NOT_SERVING while passive).
 * Kubernetes gRPC probes speak plain text, so they cannot check the TLS Ledger API itself.
 */
function cantonProbes(spec: Pick<CantonNodeSpec, "adminApi" | "grpcHealth" | "ledgerApi">): Probes {
    return {
        startup: { kind: "tcp", port: spec.adminApi.port },
        liveness: { kind: "grpc", port: spec.grpcHealth.port, service: "liveness" },
        readiness: spec.ledgerApi ? { kind: "tcp", port: spec.ledgerApi.port } : { kind: "grpc", port: spec.grpcHealth.port, service: "" },
    };
}

export function cantonWorkload(spec: CantonNodeSpec): WorkloadSpec {
    const server = spec.trust.pki.certificate(spec.host.serverCert);
    const admin = spec.trust.pki.certificate(spec.trust.trustDomain.adminClient);
    return {
        group: spec.group,
        component: spec.component,
        runtime: "canton",
        replica: spec.replica,
        host: spec.host,
        image: spec.image,
        command: daemonArgs(),
        env: { [DB_PASSWORD_ENV]: { value: spec.db.password, sensitive: true } },
        files: [
            publicFile(CONFIG_FILE, spec.config),
            publicFile(files.serverChain, server.chainPem),
            secretFile(files.serverKey, server.privateKeyPem),
            publicFile(files.caChain, spec.trust.pki.chainPem),
            publicFile(files.domainCaChain, spec.trust.domainCaChainPem),
            publicFile(files.adminClientChain, admin.chainPem),
            secretFile(files.adminClientKey, admin.privateKeyPem),
            ...(spec.db.clientCertPem && spec.db.clientKeyDerBase64
                ? [publicFile(files.dbClientCert, spec.db.clientCertPem), secretFile(files.dbClientKeyDer, spec.db.clientKeyDerBase64, true)]
                : []),
            ...(spec.db.serverCaChainPem ? [publicFile(files.dbServerCaChain, spec.db.serverCaChainPem)] : []),
            ...(spec.extraFiles ?? []),
        ],
        listeners: spec.listeners,
        connectsTo: [{ host: spec.db.ref.server.host.fqdn, port: spec.db.ref.server.port }, ...(spec.sequencerUrls ?? []).map(urlFlow)],
        // The JVM's temp files; `--log-profile=container` logs to stdout only.
        writablePaths: ["/tmp"],
        probes: cantonProbes(spec),
        // A passive replica runs but never serves: `pulumi up` waits for it to start only.
        deployedWhen: spec.role === "active-active" ? "serving" : "started",
    };
}
