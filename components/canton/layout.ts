// Where things live inside a Canton container. One layout for every platform, so the
// rendered configs are identical on Docker and Kubernetes.

export const CONFIG_FILE = "/canton/config/node.conf";
const TLS_DIR = "/canton/tls";

export const files = {
    /** Leaf + intermediate + root of the node's own server certificate. */
    serverChain: `${TLS_DIR}/server-chain.pem`,
    /** PKCS#8 PEM, as Canton's netty TLS expects. */
    serverKey: `${TLS_DIR}/server.key`,
    /** Intermediate + root of the node's own trust domain: verifies admin/ledger clients and Postgres. */
    caChain: `${TLS_DIR}/ca-chain.pem`,
    /** Intermediate + root of the domain: lets participants verify the sequencers. */
    domainCaChain: `${TLS_DIR}/domain-ca-chain.pem`,
    /** The client certificate the node uses to call its own admin API. */
    adminClientChain: `${TLS_DIR}/admin-client-chain.pem`,
    adminClientKey: `${TLS_DIR}/admin-client.key`,
    /** Postgres client certificate (CN = database user) and its key as PKCS#8 DER for pgjdbc. */
    dbClientCert: `${TLS_DIR}/db-client.crt`,
    dbClientKeyDer: `${TLS_DIR}/db-client.pk8`,
    /** A managed Postgres server's CA chain (postgres.external.caChainFile). */
    dbServerCaChain: `${TLS_DIR}/db-server-ca-chain.pem`,
} as const;

/** The database password reaches Canton through the environment, never through the config file. */
export const DB_PASSWORD_ENV = "CANTON_DB_PASSWORD";

/**
 * Arguments to the image's entry point, which is the `canton` executable (as Digital Asset's
 * images and Helm charts use it). `--log-profile=container` logs to stdout for `docker logs`.
 */
export function daemonArgs(): string[] {
    return ["daemon", "--log-profile=container", `--config=${CONFIG_FILE}`];
}
