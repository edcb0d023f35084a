// The databases Canton nodes use. Components depend on the `Database` interface; this file
// has the implementation that runs Postgres on the platform (TLS only, client certificates
// required, one random password per database user). An external/managed database (the
// bring-your-own work) implements the same interface without a workload.
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { TrustDomainPki } from "./pki/pki";
import type { DatabaseRef, DatabaseServer } from "./plan/types";
import { Platform, publicFile, secretFile } from "./platform/types";
import * as pg from "./postgres/render";

/** What a Canton node needs to reach its database. */
export interface DatabaseConnection {
    ref: DatabaseRef;
    password: pulumi.Output<string>;
    /** The client certificate (CN = user) and its PKCS#8 DER key, where the server asks for one. */
    clientCertPem?: pulumi.Output<string>;
    clientKeyDerBase64?: pulumi.Output<string>;
    /** The chain that verifies a managed server's certificate (ours verify with the trust domain's chain). */
    serverCaChainPem?: pulumi.Output<string>;
}

export interface Database {
    readonly server: DatabaseServer;
    /** What a node must wait for before it connects (the Postgres workload), if anything. */
    readonly ready: pulumi.Resource[];
    connection(ref: DatabaseRef): DatabaseConnection;
}

export interface PlatformDatabaseArgs {
    server: DatabaseServer;
    /** The server's trust domain: its server certificate, and the client certificates of its users. */
    pki: TrustDomainPki;
    platform: Platform;
    /** `protect` the passwords and a retained volume. */
    protect: boolean;
    /**
     * Passwords brought by the operator, per user (`postgres` is the superuser), secret.
     * Without them, one random password per user is made (@pulumi/random).
     */
    passwords?: Record<string, pulumi.Input<string>>;
}

export class PlatformDatabase extends pulumi.ComponentResource implements Database {
    static readonly TYPE = "canton-ha:data:Database";

    readonly server: DatabaseServer;
    readonly ready: pulumi.Resource[];
    private readonly passwords = new Map<string, pulumi.Output<string>>();
    private readonly pki: TrustDomainPki;

    constructor(name: string, args: PlatformDatabaseArgs, opts?: pulumi.ComponentResourceOptions) {
        super(PlatformDatabase.TYPE, name, {}, opts);
        const { server } = args;
        this.server = server;
        this.pki = args.pki;
        const given = args.passwords;
        const password = (id: string) => {
            if (given) {
                const pw = given[id];
                if (pw === undefined) throw new pulumi.ResourceError(`database server '${server.id}' has no password for '${id}'`, this);
                return pulumi.secret(pw);
            }
            return pulumi.secret(
                // Letters and digits only: the value passes through shell, HOCON and JDBC unquoted.
                new random.RandomPassword(`${name}-${id}`, { length: 32, special: false }, { parent: this, protect: args.protect }).result,
            );
        };
        for (const d of server.databases) this.passwords.set(d.user, password(d.user));
        const superuser = password("postgres");

        if (!server.host.serverCert) throw new pulumi.ResourceError(`database server '${server.id}' is external: use ExternalDatabase`, this);
        const cert = args.pki.certificate(server.host.serverCert);
        const env: Record<string, { value: pulumi.Input<string>; sensitive: boolean }> = {
            ...Object.fromEntries(Object.entries(pg.postgresEnv(server)).map(([k, v]) => [k, { value: v, sensitive: false }])),
            POSTGRES_PASSWORD: { value: superuser, sensitive: true },
        };
        for (const d of server.databases) env[pg.passwordEnv(d.user)] = { value: this.passwords.get(d.user)!, sensitive: true };

        const workload = args.platform.deploy(
            {
                group: server.id,
                component: "database",
                runtime: "postgres",
                replica: 1,
                host: server.host,
                image: server.image,
                entrypoint: pg.postgresEntrypoint(server, { nonRoot: args.platform.nonRoot }),
                env,
                files: [
                    publicFile(pg.pgFiles.serverChain, cert.chainPem),
                    secretFile(pg.pgFiles.serverKey, cert.privateKeyPem),
                    publicFile(pg.pgFiles.caChain, args.pki.chainPem),
                    publicFile(pg.PG_HBA_FILE, pg.renderPgHba(server)),
                    publicFile(pg.PG_INIT_SCRIPT, pg.renderInitScript(server)),
                    publicFile(pg.PG_PASSWORD_SYNC_SCRIPT, pg.renderPasswordSync(server)),
                ],
                listeners: [{ name: "postgres", port: server.port }],
                connectsTo: [],
                // The socket and lock files; the data is on its volume.
                writablePaths: ["/var/run/postgresql", "/tmp"],
                // A TCP accept means the real server is up: the image's init-time server listens on the socket only.
                probes: { startup: { kind: "tcp", port: server.port }, readiness: { kind: "tcp", port: server.port } },
                deployedWhen: "serving",
                volumes: [
                    {
                        name: `${server.id}-data`,
                        mountPath: "/var/lib/postgresql/data",
                        sizeGi: server.volume.sizeGi,
                        storageClass: server.volume.storageClass,
                        retainOnDelete: server.retainData,
                        protect: server.retainData && args.protect,
                    },
                ],
                sharedMemoryMb: server.sharedMemoryMb,
            },
            { parent: this },
        );
        this.ready = workload ? [workload.resource] : [];
        this.registerOutputs({ host: server.host.fqdn, port: server.port });
    }

    connection(ref: DatabaseRef): DatabaseConnection {
        const password = this.passwords.get(ref.user);
        if (!password || ref.server !== this.server) throw new pulumi.ResourceError(`database server '${this.server.id}' has no user '${ref.user}'`, this);
        return { ref, password, ...clientCredentials(this.pki, ref) };
    }
}

function clientCredentials(pki: TrustDomainPki, ref: DatabaseRef): Pick<DatabaseConnection, "clientCertPem" | "clientKeyDerBase64"> {
    if (!ref.clientCert) return {};
    const cert = pki.certificate(ref.clientCert);
    return { clientCertPem: cert.certPem, clientKeyDerBase64: cert.privateKeyDerBase64 };
}

export interface ExternalDatabaseArgs {
    server: DatabaseServer;
    /** The server's users' client certificates, where it asks for them. */
    pki: TrustDomainPki;
    /** The PEM chain that issued the managed server's certificate (`postgres.external.caChainFile`). */
    serverCaChainPem: pulumi.Input<string>;
    /** Every database user's password, from the DBA (secret). */
    passwords: Record<string, pulumi.Input<string>>;
}

/**
 * A managed or otherwise external Postgres: no workload, nothing to wait for. The DBA creates
 * the planned databases and users (docs/external-postgres.md); nodes connect with verify-full.
 */
export class ExternalDatabase extends pulumi.ComponentResource implements Database {
    static readonly TYPE = "canton-ha:data:ExternalDatabase";

    readonly server: DatabaseServer;
    readonly ready: pulumi.Resource[] = [];
    private readonly args: ExternalDatabaseArgs;

    constructor(name: string, args: ExternalDatabaseArgs, opts?: pulumi.ComponentResourceOptions) {
        super(ExternalDatabase.TYPE, name, {}, opts);
        this.server = args.server;
        this.args = args;
        this.registerOutputs({ host: args.server.host.fqdn, port: args.server.port });
    }

    connection(ref: DatabaseRef): DatabaseConnection {
        const password = this.args.passwords[ref.user];
        if (password === undefined || ref.server !== this.server) throw new pulumi.ResourceError(`external database '${this.server.id}' has no password for '${ref.user}'`, this);
        return { ref, password: pulumi.secret(password), serverCaChainPem: pulumi.output(this.args.serverCaChainPem), ...clientCredentials(this.args.pki, ref) };
    }
}
