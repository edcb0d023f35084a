// Pure renderers for the Postgres side: pg_hba, init script, server arguments.
import type { DatabaseServer } from "../plan/types";

export const PG_TLS_DIR = "/etc/canton-ha/tls";
export const PG_HBA_FILE = "/etc/canton-ha/pg_hba.conf";
export const PG_INIT_SCRIPT = "/docker-entrypoint-initdb.d/10-canton-ha.sh";
export const PG_PASSWORD_SYNC_SCRIPT = "/etc/canton-ha/sync-passwords.sh";
/** Postgres refuses a key readable by others; the entrypoint copies it here as 0600. */
const PG_KEY_COPY = "/var/lib/postgresql/server.key";

export const pgFiles = {
    serverChain: `${PG_TLS_DIR}/server-chain.pem`,
    serverKey: `${PG_TLS_DIR}/server.key`,
    caChain: `${PG_TLS_DIR}/ca-chain.pem`,
} as const;

/** The env var that carries one database user's password into the init script. */
export function passwordEnv(user: string): string {
    return `CANTON_HA_PW_${user.toUpperCase()}`;
}

/**
 * Only TLS with a verified client certificate *and* a password gets in, and each user only
 * into its own database. The superuser may connect over the local socket only. For an
 * external server this is the advice for its DBA (docs/external-postgres.md).
 */
export function renderPgHba(server: DatabaseServer): string {
    const lines = ["# Rendered by canton-ha. TYPE DATABASE USER ADDRESS METHOD", "local   all  postgres                peer", "local   all  all                     scram-sha-256"];
    for (const d of server.databases) {
        for (const net of ["0.0.0.0/0", "::/0"]) {
            // A managed server without client certificates (postgres.external) checks the password only.
            lines.push(`hostssl ${d.database} ${d.user} ${net} scram-sha-256${d.clientCert ? " clientcert=verify-full" : ""}`);
        }
    }
    // Everything else over TCP is refused explicitly, including plain-text attempts.
    lines.push("host    all  all  0.0.0.0/0  reject", "host    all  all  ::/0       reject");
    return lines.join("\n") + "\n";
}

/** An empty password would make Postgres clear the user's password: refuse it loudly instead. */
function requirePasswords(server: DatabaseServer): string {
    return server.databases.map((d) => `[ -n "\${${passwordEnv(d.user)}:-}" ] || { echo "canton-ha: ${passwordEnv(d.user)} is empty" >&2; exit 1; }`).join("\n");
}

/**
 * Runs once, on an empty data directory (the postgres image's initdb hook). Passwords come
 * from the environment through psql variables, so this text holds no secret.
 */
export function renderInitScript(server: DatabaseServer): string {
    const vars = server.databases.map((d) => `-v pw_${d.user}="$${passwordEnv(d.user)}"`).join(" \\\n  ");
    const sql = server.databases
        .flatMap((d) => [
            `CREATE ROLE "${d.user}" LOGIN PASSWORD :'pw_${d.user}';`,
            `CREATE DATABASE "${d.database}" OWNER "${d.user}";`,
            `REVOKE ALL ON DATABASE "${d.database}" FROM PUBLIC;`,
        ])
        .join("\n");
    return `#!/bin/bash
# Rendered by canton-ha: creates the Canton databases and their owners.
set -euo pipefail
${requirePasswords(server)}
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \\
  ${vars} <<'SQL'
${sql}
SQL
`;
}

/**
 * Runs at every start, once the server accepts TCP: sets each existing Canton user's password
 * to the one in the environment. A data volume kept across `pulumi destroy` (postgres.retainData)
 * is then usable by the next `pulumi up`, whose passwords are new. `\gexec` runs the
 * generated ALTER ROLE; psql quotes the password (`%L`), and a role the init script has not
 * created (yet) yields no statement. The text holds no secret.
 */
export function renderPasswordSync(server: DatabaseServer): string {
    const vars = server.databases.map((d) => `-v pw_${d.user}="$${passwordEnv(d.user)}"`).join(" \\\n  ");
    const sql = server.databases.map((d) => `SELECT format('ALTER ROLE %I PASSWORD %L', rolname, :'pw_${d.user}') FROM pg_roles WHERE rolname = '${d.user}' \\gexec`).join("\n");
    return `#!/bin/bash
# Rendered by canton-ha: re-applies the Canton users' passwords from the environment.
set -euo pipefail
${requirePasswords(server)}
psql -v ON_ERROR_STOP=1 --username postgres --dbname postgres -h "\${PGHOST:-/var/run/postgresql}" -p "$PGPORT" \\
  ${vars} <<'SQL'
${sql}
SQL
`;
}

export interface PostgresPaths {
    serverChain: string;
    serverKey: string;
    caChain: string;
    hbaFile: string;
}

/** Where the container keeps them: the key copy is the one Postgres reads. */
export const containerPaths: PostgresPaths = { serverChain: pgFiles.serverChain, serverKey: PG_KEY_COPY, caChain: pgFiles.caChain, hbaFile: PG_HBA_FILE };

/**
 * Server settings: TLS 1.3 only, client certs verified against the trust domain's CA, our
 * pg_hba, and room for every connection the Canton nodes on it may open.
 */
export function postgresSettings(server: Pick<DatabaseServer, "maxConnections">, paths: PostgresPaths = containerPaths): string[] {
    return [
        `max_connections=${server.maxConnections}`,
        "ssl=on",
        "ssl_min_protocol_version=TLSv1.3",
        `ssl_cert_file=${paths.serverChain}`,
        `ssl_key_file=${paths.serverKey}`,
        `ssl_ca_file=${paths.caChain}`,
        `hba_file=${paths.hbaFile}`,
        "password_encryption=scram-sha-256",
        "listen_addresses=*",
    ];
}

/**
 * Container entrypoint: install the key with the permissions Postgres insists on, start the
 * image's entrypoint, and once the server accepts TCP re-apply the users' passwords (see
 * {@link renderPasswordSync}). Signals go to Postgres, so `docker stop` shuts it down cleanly.
 */
export function postgresEntrypoint(server: Pick<DatabaseServer, "maxConnections">, opts: { nonRoot?: boolean } = {}): string[] {
    // As root (Docker), the key is copied so that `postgres` owns it with mode 0600. Started as
    // the image's postgres user (Kubernetes), the mounted key is root-owned, group-readable by
    // the pod's fsGroup and mode 0440, which Postgres accepts for a root-owned key; nothing is
    // copied and nothing switches users.
    const args = postgresSettings(server, opts.nonRoot ? { ...containerPaths, serverKey: pgFiles.serverKey } : containerPaths)
        .map((s) => `-c ${s}`)
        .join(" ");
    const asPostgres = opts.nonRoot ? "" : "gosu postgres ";
    return [
        "bash",
        "-c",
        [
            ...(opts.nonRoot ? [] : [`install -o postgres -g postgres -m 600 ${pgFiles.serverKey} ${PG_KEY_COPY}`]),
            `docker-entrypoint.sh postgres ${args} & pg=$!`,
            `trap 'kill -TERM $pg; wait $pg' TERM INT`,
            `until ${serverReady()}; do kill -0 $pg 2>/dev/null || exit 1; sleep 0.5; done`,
            `${asPostgres}bash ${PG_PASSWORD_SYNC_SCRIPT} || { echo 'canton-ha: re-applying the database passwords failed' >&2; kill -TERM $pg; wait $pg; exit 1; }`,
            `wait $pg`,
        ].join("; "),
    ];
}

/**
 * A shell condition, true once the real server accepts connections, that opens no session: a
 * bare TCP connect (the image's init-time server listens on the socket only; Postgres logs
 * nothing for a connection that sends no data), then the status line of `postmaster.pid`
 * (line 8, "ready" once connections are accepted, as `pg_ctl -w` reads it), so crash
 * recovery is waited out too. pg_isready over TCP was refused by the rendered pg_hba and
 * logged `FATAL: pg_hba.conf rejects connection` on every start (issue 19); any session
 * attempt during recovery logs `FATAL: the database system is starting up`.
 */
export function serverReady(pgdata = '"$PGDATA"'): string {
    return `(exec 3<>/dev/tcp/127.0.0.1/$PGPORT) 2>/dev/null && [ "$(sed -n 8p ${pgdata}/postmaster.pid 2>/dev/null | tr -d ' ')" = ready ]`;
}

/** The server listens on its plan port; PGPORT also steers the image's init-time server. */
export function postgresEnv(server: DatabaseServer): Record<string, string> {
    return { PGPORT: String(server.port), PGDATA: "/var/lib/postgresql/data/pgdata" };
}
