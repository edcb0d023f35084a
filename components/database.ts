// A Postgres server for one trust domain: TLS only, client certs required, one
// random password per database user.
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { CertificateAuthority } from "./pki/certificate-authority";
import type { DatabaseRef, DatabaseServer } from "./plan/types";
import type { Platform } from "./platform/types";
import * as pg from "./postgres/render";

export interface DatabaseArgs {
    server: DatabaseServer;
    image: string;
    ca: CertificateAuthority;
    platform: Platform;
    retainData: boolean;
    /** `/dev/shm` size; Canton's Postgres needs more than Docker's 64 MB default. */
    sharedMemoryMb: number;
}

/** What a Canton node needs to reach its database. */
export interface DatabaseConnection {
    ref: DatabaseRef;
    password: pulumi.Output<string>;
    clientCertPem: pulumi.Output<string>;
    clientKeyDerBase64: pulumi.Output<string>;
}

export class Database extends pulumi.ComponentResource {
    static readonly TYPE = "canton-ha:data:Database";

    readonly server: DatabaseServer;
    readonly workload: pulumi.Resource | undefined;
    private readonly passwords = new Map<string, pulumi.Output<string>>();
    private readonly ca: CertificateAuthority;

    constructor(name: string, args: DatabaseArgs, opts?: pulumi.ComponentResourceOptions) {
        super(Database.TYPE, name, {}, opts);
        this.server = args.server;
        this.ca = args.ca;
        const password = (id: string) =>
            pulumi.secret(
                // Letters and digits only: the value passes through shell, HOCON and JDBC unquoted.
                new random.RandomPassword(`${name}-${id}`, { length: 32, special: false }, { parent: this }).result,
            );
        for (const d of args.server.databases) this.passwords.set(d.user, password(d.user));
        const superuser = password("postgres");

        const serverCert = args.ca.get(args.server.host.id);
        const env: Record<string, pulumi.Input<string>> = { ...pg.postgresEnv(args.server), POSTGRES_PASSWORD: superuser };
        for (const d of args.server.databases) env[pg.passwordEnv(d.user)] = this.passwords.get(d.user)!;

        this.workload = args.platform.deploy(
            {
                host: args.server.host,
                image: args.image,
                entrypoint: pg.postgresEntrypoint(args.server),
                env,
                files: [
                    { path: pg.pgFiles.serverChain, content: serverCert.chainPem },
                    { path: pg.pgFiles.serverKey, content: serverCert.privateKeyPem },
                    { path: pg.pgFiles.caChain, content: args.ca.chainPem },
                    { path: pg.PG_HBA_FILE, content: pg.renderPgHba(args.server) },
                    { path: pg.PG_INIT_SCRIPT, content: pg.renderInitScript(args.server) },
                ],
                listeners: [{ name: "postgres", port: args.server.port }],
                healthCheck: pg.postgresHealthCheck(args.server),
                volumes: [{ name: `${args.server.id}-data`, mountPath: "/var/lib/postgresql/data", retainOnDelete: args.retainData }],
                sharedMemoryMb: args.sharedMemoryMb,
            },
            { parent: this },
        );
        this.registerOutputs({ host: args.server.host.fqdn, port: args.server.port });
    }

    connection(ref: DatabaseRef): DatabaseConnection {
        const password = this.passwords.get(ref.user);
        if (!password) throw new pulumi.ResourceError(`database server '${this.server.id}' has no user '${ref.user}'`, this);
        const cert = this.ca.get(`db-${ref.user}`);
        return { ref, password, clientCertPem: cert.certPem, clientKeyDerBase64: cert.privateKeyDerBase64 };
    }
}
