// How a Canton node becomes a workload: its config, certificates and DB credentials as files.
import type * as pulumi from "@pulumi/pulumi";
import type { DatabaseConnection } from "../database";
import type { CertificateAuthority } from "../pki/certificate-authority";
import type { IssuedCertificate } from "../pki/issued-certificate";
import type { Host, Listener, Plan } from "../plan/types";
import { tcpCheck, WorkloadSpec } from "../platform/types";
import { CONFIG_FILE, daemonArgs, DB_PASSWORD_ENV, files } from "./layout";

/** Certificates every node of a trust domain carries. */
export interface NodeTrust {
    ca: CertificateAuthority;
    /** The domain CA, which participants need to verify sequencers. */
    domainCa: CertificateAuthority;
    /** The trust domain's admin client cert; Canton uses it to call its own admin API. */
    adminClient: IssuedCertificate;
}

export interface CantonNodeSpec {
    plan: Plan;
    host: Host;
    config: string;
    listeners: Listener[];
    /** The listener the container health check probes (the admin API: up, not necessarily active). */
    healthPort: number;
    trust: NodeTrust;
    db: DatabaseConnection;
    extraFiles?: WorkloadSpec["files"];
}

export function cantonWorkload(spec: CantonNodeSpec): WorkloadSpec {
    const server = spec.trust.ca.get(spec.host.id);
    const env: Record<string, pulumi.Input<string>> = { [DB_PASSWORD_ENV]: spec.db.password };
    return {
        host: spec.host,
        image: spec.plan.cantonImage,
        command: daemonArgs(),
        env,
        files: [
            { path: CONFIG_FILE, content: spec.config },
            { path: files.serverChain, content: server.chainPem },
            { path: files.serverKey, content: server.privateKeyPem },
            { path: files.caChain, content: spec.trust.ca.chainPem },
            { path: files.domainCaChain, content: spec.trust.domainCa.chainPem },
            { path: files.adminClientChain, content: spec.trust.adminClient.chainPem },
            { path: files.adminClientKey, content: spec.trust.adminClient.privateKeyPem },
            { path: files.dbClientCert, content: spec.db.clientCertPem },
            { path: files.dbClientKeyDer, content: spec.db.clientKeyDerBase64, base64: true },
            ...(spec.extraFiles ?? []),
        ],
        listeners: spec.listeners,
        healthCheck: tcpCheck(spec.healthPort),
    };
}
