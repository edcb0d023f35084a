// Stack configuration: one zod schema, defaults, and errors that name the key.
//
// Everything is validated before any resource exists, so a bad value never leaves a
// half-created stack behind. The TypeScript types are inferred from the schema, so the
// schema is the single source of truth for what users may write in Pulumi.<stack>.yaml.
import { z } from "zod";

export const PROJECT = "canton-ha";

/** An RFC 1123 DNS label: what Docker, Kubernetes and X.509 SANs all accept. */
const DNS_LABEL = /^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/;
/** A DNS name made of labels, e.g. `domain.canton.local`. */
const DNS_NAME = /^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;
/** Daml user ids: lower-case, digits and a few punctuation characters. */
const DAML_USER = /^[a-z0-9@^$.!`\-#+'~_|:]{1,128}$/;

const dnsLabel = (what: string) => z.string().regex(DNS_LABEL, `${what} must be a DNS label (a-z, 0-9 and '-', starting with a letter, at most 63 characters)`);
const dnsName = z.string().regex(DNS_NAME, "must be a lower-case DNS name such as 'domain.canton.local'");
const count = (min: number, max: number) =>
    z.number({ error: "must be a number" }).int("must be a whole number").min(min, `must be at least ${min}`).max(max, `must be at most ${max}`);

/** Canton 2.x HA sequencers: operators were told 31 is the maximum total node count. */
export const MAX_SEQUENCER_NODES = 31;
/**
 * `sequencer.high-availability.total-node-count`: Canton's default. The 2.9 manual (HA,
 * "Sequencer") says it "should not be changed once a set of sequencer nodes has been
 * deployed", so canton-ha records it and refuses a change (components/guards).
 */
export const DEFAULT_TOTAL_NODE_COUNT = 10;

/**
 * Protocol versions each Canton 2.x release line supports (Canton's `ProtocolVersion.scala`
 * on `main-2.x`: 2.9 supports 5 only, 2.10 supports 5 and 7). A domain created with a
 * version its nodes do not support never comes up, so this is checked before anything exists.
 */
export const SUPPORTED_PROTOCOL_VERSIONS: Record<string, number[]> = {
    "2.8": [3, 4, 5],
    "2.9": [5],
    "2.10": [5, 7],
};

/**
 * The Canton Enterprise image's path inside Digital Asset's own registry (Canton 2.9 manual,
 * "Docker"): it is not on Docker Hub, so `canton.registry` names the registry (or a mirror).
 */
export const CANTON_ENTERPRISE_IMAGE = "canton-enterprise";
/**
 * Replicas of one participant, whatever the platform. A platform may allow fewer: Docker's
 * host-unique port scheme leaves room for four (plan/naming.ts).
 */
export const MAX_PARTICIPANT_REPLICAS = 9;

/**
 * A party by its hint (the part before `::`): canton-ha allocates it on the user's own
 * participant (`parties.enable`), so its id is `<hint>::<participant namespace>`.
 * Canton 2.9 `Identifier.create` (topology/Identifier.scala) takes a Daml-LF party string
 * (`[A-Za-z0-9:\-_ ]`, at most 255: ledger-api value.proto, PartyIdString) without the
 * reserved `::`, and at most 185 characters (`String185`); anything else throws in
 * `Identifier.tryCreate` on every run. canton-ha also leaves out `:` and space.
 */
const PARTY_HINT = /^[A-Za-z0-9_-]{1,185}$/;
const partyHint = z.string().regex(PARTY_HINT, "party hints may use A-Z, a-z, 0-9, '_' and '-' only (1 to 185 characters)");
/**
 * A participant id as the console prints it (`participant.id.toProtoPrimitive`, the stack
 * output `participantIds`): `PAR::<identifier>::<namespace fingerprint>` (2.9 Member.scala,
 * `ParticipantId.tryFromProtoPrimitive`; identifier as in Identifier.scala, fingerprint at most 68).
 */
const PARTICIPANT_ID = /^PAR::(?:(?!::)[A-Za-z0-9:_ -]){1,185}::[A-Za-z0-9_-]{1,68}$/;
const participantId = z.string().regex(PARTICIPANT_ID, "must be a participant id such as PAR::bank::1220ab… (its stack output participantIds, or participant.id in its console)");
const userId = z.string().regex(DAML_USER, "user ids may use a-z, 0-9 and @^$.!`-#+'~_|: only");

/**
 * A Ledger API user the participant bootstrap creates. The short form `alice` means a user
 * `alice` whose primary party `alice` it may act as. Rights converge: a later `pulumi up`
 * grants what is missing and revokes what the config no longer lists.
 */
const ledgerUserSchema = z.union(
    [
        userId.transform((id) => ({ id, primaryParty: id as string | undefined, actAs: [id], readAs: [] as string[] })),
        z
            .strictObject({
                id: userId,
                /** Defaults to a party named like the user, unless the user has no party at all (`primaryParty: null` is not accepted; leave actAs empty instead). */
                primaryParty: partyHint.optional(),
                actAs: z.array(partyHint).optional(),
                readAs: z.array(partyHint).default([]),
            })
            .transform((u) => {
                const primaryParty = u.primaryParty ?? (u.actAs === undefined ? u.id : undefined);
                return { id: u.id, primaryParty, actAs: u.actAs ?? (primaryParty ? [primaryParty] : []), readAs: u.readAs };
            }),
    ],
    { error: "must be a user id such as 'alice', or { id, primaryParty, actAs, readAs }" },
);

const participantSchema = z.strictObject({
    name: dnsLabel("participant name"),
    dnsDomain: dnsName.optional(),
    replicas: count(1, MAX_PARTICIPANT_REPLICAS).default(1),
    users: z.array(ledgerUserSchema).default([]),
    // JWT signing key rotation (docs/auth.md): bumping the generation makes a new key that signs
    // from then on; the JWKS keeps publishing the previous generation until it is retired.
    jwtKeyGeneration: count(1, 1000).default(1),
    jwtKeysRetiredThrough: count(0, 999).default(0),
    // Bump a user's counter to re-mint just that token at the next `pulumi up`.
    tokenReissue: z.record(z.string(), count(0, 1_000_000)).default({}),
});

/** The admin user every participant has; it always gets a token. */
export const ADMIN_USER = "participant_admin";
/** Tokens may live at most 30 days: they are bearer credentials. */
const MAX_TOKEN_LIFETIME_HOURS = 24 * 30;

/** Proxy images per kind, used when `loadBalancer.image` is not set. */
export const DEFAULT_LB_IMAGES = { haproxy: "haproxy:2.6", nginx: "nginx:1.22" } as const;

/**
 * The proxy tier of `haMode: loadbalancer`. The defaults are the measured ones of
 * docs/load-balancer.md: fast, cheap checks of /health and the Ledger API port, so a replica
 * that steps down leaves the pool within one interval and the new active joins within one
 * `downIntervalMs`.
 */
const loadBalancerSchema = z
    .strictObject({
        kind: z.enum(["haproxy", "nginx"]).default("haproxy"),
        image: z.string().min(1, "must name an image such as 'haproxy:2.6'").optional(),
        /** Connecting to a backend; a dead container's address may never answer, so keep it short. */
        connectTimeoutMs: count(10, 60_000).default(250),
        /** Idle limit of client and server connections. Sequencer subscriptions are long-lived streams. */
        idleTimeoutSeconds: count(10, 7 * 24 * 3600).default(3600),
        /** Attempts on other backends after a failed connection (a request that reached a replica is never replayed). */
        retries: count(0, 10).default(3),
        /**
         * HAProxy: how long a call waits in the proxy while no backend is up (a replica is taking
         * over) before it is answered UNAVAILABLE. 0 answers at once.
         */
        holdWhileUnavailableMs: count(0, 10_000).default(1000),
        healthCheck: z
            .strictObject({
                /** Check interval of a backend that is up (HAProxy `inter`). */
                intervalMs: count(10, 60_000).default(100),
                /** Check interval of a backend that is down, e.g. a passive replica (HAProxy `downinter`). */
                downIntervalMs: count(10, 60_000).default(50),
                /**
                 * HAProxy `timeout check`. Lenient on purpose: with fall 1, a check that is merely
                 * slow (a CPU spike) must not take the active replica out. A replica that steps
                 * down answers 500 at once, and a dead one refuses connections at once.
                 */
                timeoutMs: count(10, 60_000).default(1000),
                /** Failed checks before a backend is taken out. */
                fall: count(1, 10).default(1),
                /** Passed checks before a backend is taken back in. */
                rise: count(1, 10).default(1),
            })
            .prefault({}),
        /** NGINX only (it has no active checks): how long a backend that failed a connection is skipped. */
        failTimeoutSeconds: count(1, 3600).default(10),
    })
    .superRefine((lb, ctx) => {
        if (lb.image !== undefined && /\s/.test(lb.image)) {
            ctx.addIssue({ code: "custom", path: ["image"], message: `'${lb.image}' must not contain spaces` });
        }
    })
    .transform((lb) => ({ ...lb, image: lb.image ?? DEFAULT_LB_IMAGES[lb.kind] }))
    .prefault({});

/** Who may reach an API from outside the cluster: nobody (port-forward only), or a Service of that type. */
const EXPOSURES = ["none", "LoadBalancer", "NodePort"] as const;
const quantity = (what: string) => z.string().regex(/^\d+(\.\d+)?(m|Ki|Mi|Gi|Ti|k|M|G|T)?$/, `${what} must be a Kubernetes quantity such as '500m', '2', '2Gi'`);
const resourcesSchema = (cpu: string, memory: string) =>
    z
        .strictObject({
            cpu: quantity("cpu").default(cpu),
            memory: quantity("memory").default(memory),
            /** A memory limit equal to the request: a JVM sized from it is never OOM-killed for using what it was given. */
            memoryLimit: quantity("memoryLimit").optional(),
        })
        .prefault({});
const uid = count(1, 2_147_483_647);

/**
 * The Kubernetes platform (components/platform/kubernetes/, docs/kubernetes.md). Image names,
 * the cluster and the namespace come from here, so a test stack points the same code at a
 * local cluster and local images.
 */
const kubernetesSchema = z
    .strictObject({
        /** The namespace everything lives in; default `canton-ha-<stack>`. */
        namespace: dnsLabel("namespace").optional(),
        /** Create the namespace (with Pod Security `restricted` enforced); false for a namespace the cluster admin made. */
        createNamespace: z.boolean().default(true),
        clusterDomain: dnsName.default("cluster.local"),
        /** The cluster: a kubeconfig file (relative to the program directory) and context; default: the provider's (KUBECONFIG, ~/.kube/config). */
        kubeconfig: z.string().min(1).optional(),
        context: z.string().min(1).optional(),
        /**
         * Render manifests into this directory instead of applying them (the provider's
         * `renderYamlToDirectory`), for GitOps. Secrets are written as plain-text YAML.
         */
        renderYamlTo: z.string().min(1).optional(),
        storageClass: dnsName.optional(),
        databaseVolumeGi: count(1, 65_536).default(10),
        /** How the ledger APIs and the sequencer public API are reached from outside the cluster. */
        exposure: z.enum(EXPOSURES).default("none"),
        /** Replicas of one HA group on different nodes: `preferred` schedules anyway on a single node, `required` does not. */
        antiAffinity: z.enum(["preferred", "required"]).default("preferred"),
        /** Existing `kubernetes.io/dockerconfigjson` Secrets in the namespace, for every pod. */
        imagePullSecrets: z.array(dnsName).default([]),
        imagePullPolicy: z.enum(["IfNotPresent", "Always", "Never"]).default("IfNotPresent"),
        /** Identical copies of each proxy (HAProxy/NGINX) behind its Service. */
        proxyReplicas: count(1, 10).default(2),
        resources: z
            .strictObject({
                canton: resourcesSchema("1", "3Gi"),
                postgres: resourcesSchema("500m", "1Gi"),
                proxy: resourcesSchema("100m", "128Mi"),
            })
            .prefault({}),
        /** The Java launcher's options for every Canton JVM (`JDK_JAVA_OPTIONS`, as Digital Asset's charts use). */
        jvmOptions: z.string().default("-XX:+ExitOnOutOfMemoryError -XX:InitialRAMPercentage=70 -XX:MaxRAMPercentage=70"),
        /** The user each image runs as (non-root); Digital Asset's charts run Canton as 65532. */
        runAsUser: z.strictObject({ canton: uid.default(65532), postgres: uid.default(999), haproxy: uid.default(99), nginx: uid.default(101) }).prefault({}),
    })
    .prefault({});

/**
 * How the replicas of a participant or mediator take over: Canton's DB-locked connection,
 * `replication.connection-pool` (DbLockedConnectionPoolConfig / DbLockedConnectionConfig;
 * keys and defaults in the Canton 2.8.11 scaladoc, the last versioned 2.x page there is, and
 * in the current 2.x one; the enterprise code is closed). Canton's defaults (15 s passive
 * check, 5 s health check) let a standby wait up to 15 s for a lock that is already free.
 * Ours are chosen in components/canton/replication.ts, where they are argued.
 */
const replicationSchema = z
    .strictObject({
        /** `connection.passive-check-period`: how often a passive replica tries for the lock. */
        passiveCheckPeriodMs: count(100, 60_000).default(1000),
        /** `connection.health-check-period`: how often the active replica checks its lock connection. */
        healthCheckPeriodMs: count(100, 60_000).default(1000),
        /**
         * `connection.health-check-timeout`, whole seconds. Not in the 2.8.11 scaladoc, so not
         * rendered unless set: a Canton without the key would refuse the config.
         */
        healthCheckTimeoutMs: count(1000, 300_000).optional(),
        /** `connection.connection-timeout`, whole seconds. */
        connectionTimeoutMs: count(1000, 300_000).default(5000),
        /** `connection-pool.active-timeout`: how long the pool waits for its first connection to turn active during a failover. */
        activeTimeoutMs: count(1000, 600_000).default(15_000),
        /** `connection.keep-alive-{idle,interval,count}`: TCP keep-alives of the lock connection. */
        keepAlive: z.strictObject({ idleSeconds: count(1, 7200).default(3), intervalSeconds: count(1, 600).default(1), count: count(1, 100).default(3) }).prefault({}),
    })
    .superRefine((r, ctx) => {
        for (const key of ["healthCheckTimeoutMs", "connectionTimeoutMs"] as const) {
            const v = r[key];
            if (v !== undefined && v % 1000 !== 0) ctx.addIssue({ code: "custom", path: [key], message: `is ${v} but Canton reads it in whole seconds; use a multiple of 1000` });
        }
    })
    .prefault({});

export const configSchema = z
    .strictObject({
        platform: z.enum(["docker", "kubernetes", "none"]).default("docker"),
        haMode: z.enum(["clientside", "loadbalancer"]).default("clientside"),
        /**
         * Protect what cannot be recreated without loss: CA and JWT signing keys, database
         * passwords and retained volumes (`pulumi destroy` then refuses until unprotected).
         */
        protect: z.boolean().default(false),
        loadBalancer: loadBalancerSchema,
        kubernetes: kubernetesSchema,
        canton: z
            .strictObject({
                /**
                 * The registry that serves the image: Digital Asset's registry (see the Canton
                 * manual, "Docker") or your mirror of it. Required where images are pulled,
                 * unless `image` is already a full reference.
                 */
                registry: z
                    .string()
                    .regex(/^[a-z0-9.-]+(:\d+)?(\/[a-z0-9._-]+)*$/, "must be a registry host such as 'registry.example.com' or 'mirror.example.com:5000/canton', without a scheme")
                    .optional(),
                image: z
                    .string()
                    .min(1)
                    .regex(/^[^\s:@]+(:\d+\/[^\s:@]+)?$/, "must be an image path without a tag (the tag is canton.version)")
                    .default(CANTON_ENTERPRISE_IMAGE),
                version: z
                    .string()
                    .regex(/^2\.\d+\.\d+([-.][0-9A-Za-z.-]+)?$/, "must be a Canton 2.x version such as 2.9.4")
                    .default("2.9.4"),
                protocolVersion: count(1, 100).default(5),
                /**
                 * Docker: log in to `registry` with this user; the password is the secret key
                 * `canton-ha:cantonRegistryPassword`. Without it, the Docker engine's own login
                 * (`docker login`) is used.
                 */
                registryUsername: z.string().min(1, "must not be empty").optional(),
                /** Takeover settings of participant and mediator replicas (see replicationSchema). */
                replication: replicationSchema,
            })
            .prefault({}),
        domain: z
            .strictObject({
                name: dnsLabel("domain name").default("domain"),
                dnsDomain: dnsName.default("domain.canton.local"),
                sequencers: count(1, MAX_SEQUENCER_NODES).default(2),
                mediators: count(1, 2).default(2),
                totalNodeCount: count(1, MAX_SEQUENCER_NODES).default(DEFAULT_TOTAL_NODE_COUNT),
                /**
                 * Accept a changed totalNodeCount on an existing stack. Only for a domain whose
                 * sequencers and sequencer database are being rebuilt (README runbook).
                 */
                allowTotalNodeCountChange: z.boolean().default(false),
                /**
                 * Let anyone who reaches a sequencer join (Canton's own default). canton-ha closes
                 * the domain: the stack's participants are admitted by their bootstrap jobs, other
                 * organisations' participants by `admit`. The policy `canton-open-domain` flags true.
                 */
                open: z.boolean().default(false),
                /** Participant ids of other organisations' participants to admit to the closed domain. */
                admit: z.array(participantId).default([]),
            })
            .prefault({}),
        participants: z
            .array(participantSchema)
            .min(1, "must list at least one participant")
            .prefault([
                { name: "participant1", replicas: 2, users: ["alice"] },
                { name: "participant2", replicas: 1, users: ["bob"] },
            ]),
        postgres: z
            .strictObject({
                image: z.string().min(1, "must name an image such as 'postgres:15'").default("postgres:15"),
                // Keep data volumes when the stack is destroyed: right for production,
                // wrong for a dev stack that is torn down and rebuilt with new passwords.
                retainData: z.boolean().default(false),
                /**
                 * `generated`: a random password per database user. `config`: every password from
                 * the secret key `canton-ha:dbPasswords` (`<server id>.<user>`, superuser `postgres`).
                 */
                passwords: z.enum(["generated", "config"]).default("generated"),
                /**
                 * A managed Postgres instead of one on the platform: no database workload is made,
                 * and every node connects to `host` with verify-full against `caChainFile`.
                 * The DBA creates the planned databases and users (docs/external-postgres.md).
                 */
                external: z
                    .strictObject({
                        host: dnsName,
                        port: count(1, 65_535).default(5432),
                        /** PEM chain that issued the server's certificate, relative to the program directory. */
                        caChainFile: z.string().min(1, "must name a PEM file"),
                        /** Also present the `db-<user>` client certificates (pg_hba `clientcert=verify-full`). */
                        clientCertificates: z.boolean().default(false),
                    })
                    .optional(),
                /** Each Canton node's pool: `storage.parameters.max-connections`. */
                maxConnections: count(4, 1000).default(16),
                /**
                 * Postgres `max_connections` of every database server. By default derived from the
                 * nodes that use the server and their pools (components/plan/connections.ts).
                 */
                serverMaxConnections: count(20, 10_000).optional(),
                /** `/dev/shm` of each Postgres container; Docker's 64 MB default is too small (Canton 2.9 manual, "Docker"). */
                sharedMemoryMb: count(64, 65_536).default(256),
            })
            .prefault({}),
        network: z
            .strictObject({
                // Host ports are published on loopback unless the operator opts in to more.
                bindAddress: z.ipv4({ error: "must be an IPv4 address such as 127.0.0.1" }).default("127.0.0.1"),
                publishPorts: z.boolean().default(true),
            })
            .prefault({}),
        auth: z
            .strictObject({
                // `iss` of every token this stack mints.
                issuer: z.string().min(1, "must not be empty").default("canton-ha"),
                tokenLifetimeHours: z
                    .number({ error: "must be a number of hours" })
                    .int("must be a whole number of hours")
                    .min(1, "must be at least 1 hour (the default is 24)")
                    .max(
                        MAX_TOKEN_LIFETIME_HOURS,
                        `must be at most ${MAX_TOKEN_LIFETIME_HOURS} hours (30 days): tokens are bearer credentials, keep them short and let \`pulumi up\` renew them`,
                    )
                    .default(24),
                // `pulumi up` re-mints a token once it is this close to expiry (or expired).
                renewalWindowHours: count(0, MAX_TOKEN_LIFETIME_HOURS).default(6),
            })
            .prefault({}),
        pki: z
            .strictObject({
                /**
                 * `generated`: canton-ha makes every CA and key with @pulumi/tls. `files`: the
                 * operator's own, read from `directory` (docs/pki-files.md); no key is made.
                 */
                source: z.enum(["generated", "files"]).default("generated"),
                /** With `source: files`: the directory, relative to the program's directory. */
                directory: z.string().min(1, "must name a directory").optional(),
                organization: z.string().min(1).default("Canton HA"),
                leafValidityHours: count(24, 24 * 825).default(24 * 365),
                // `pulumi up` replaces a leaf certificate once it is this close to expiry; with
                // `files`, a certificate that close to expiry is a warning with its date.
                earlyRenewalHours: count(0, 24 * 365).default(24 * 30),
            })
            .prefault({}),
    })
    .superRefine((cfg, ctx) => {
        const line = /^(2\.\d+)\./.exec(cfg.canton.version)?.[1] ?? "";
        const supported = SUPPORTED_PROTOCOL_VERSIONS[line];
        if (!supported) {
            ctx.addIssue({
                code: "custom",
                path: ["canton", "version"],
                message:
                    `Canton ${cfg.canton.version} is not a release line canton-ha knows (${Object.keys(SUPPORTED_PROTOCOL_VERSIONS).join(", ")}); ` +
                    "set canton-ha:canton.version to one of those",
            });
        } else if (!supported.includes(cfg.canton.protocolVersion)) {
            ctx.addIssue({
                code: "custom",
                path: ["canton", "protocolVersion"],
                message:
                    `is ${cfg.canton.protocolVersion} but canton-ha:canton.version ${cfg.canton.version} supports protocol version ${supported.join(" and ")} only; ` +
                    `set canton-ha:canton.protocolVersion to ${supported[supported.length - 1]} or pick another canton.version`,
            });
        }
        if (cfg.platform !== "none" && cfg.canton.registry === undefined && cfg.canton.image === CANTON_ENTERPRISE_IMAGE) {
            ctx.addIssue({
                code: "custom",
                path: ["canton", "registry"],
                message:
                    'is required: the Canton Enterprise image is published in Digital Asset\'s own registry (Canton 2.9 manual, "Docker"), not on Docker Hub. ' +
                    "Set it to that registry or your mirror (`pulumi config set --path canton-ha:canton.registry <host>`), or set canton.image to a full image path",
            });
        }
        if (cfg.platform !== "kubernetes" && cfg.kubernetes.renderYamlTo !== undefined) {
            ctx.addIssue({
                code: "custom",
                path: ["kubernetes", "renderYamlTo"],
                message: `is set but canton-ha:platform is '${cfg.platform}'; render mode is for the kubernetes platform (set canton-ha:platform to kubernetes, or remove it)`,
            });
        }
        if (cfg.postgres.external && cfg.postgres.passwords !== "config") {
            ctx.addIssue({
                code: "custom",
                path: ["postgres", "passwords"],
                message: "must be 'config' with postgres.external: a managed database's passwords come from the DBA, as the secret key canton-ha:dbPasswords",
            });
        }
        if (cfg.pki.source === "files" && cfg.pki.directory === undefined) {
            ctx.addIssue({
                code: "custom",
                path: ["pki", "directory"],
                message: "is required with pki.source files: the directory holding the certificates and keys (docs/pki-files.md)",
            });
        }
        if (cfg.pki.source === "generated" && cfg.pki.directory !== undefined) {
            ctx.addIssue({ code: "custom", path: ["pki", "directory"], message: "is set but pki.source is 'generated'; set pki.source to 'files' to use it, or remove it" });
        }
        if (cfg.canton.registryUsername !== undefined && cfg.canton.registry === undefined) {
            ctx.addIssue({ code: "custom", path: ["canton", "registryUsername"], message: "is set but canton.registry is not; name the registry the user logs in to" });
        }
        if (cfg.domain.sequencers > cfg.domain.totalNodeCount) {
            ctx.addIssue({
                code: "custom",
                path: ["domain", "sequencers"],
                message: `is ${cfg.domain.sequencers} but domain.totalNodeCount is ${cfg.domain.totalNodeCount}; raise totalNodeCount (at most ${MAX_SEQUENCER_NODES}) or run fewer sequencers`,
            });
        }
        if (cfg.pki.earlyRenewalHours >= cfg.pki.leafValidityHours) {
            ctx.addIssue({
                code: "custom",
                path: ["pki", "earlyRenewalHours"],
                message: `must be shorter than pki.leafValidityHours (${cfg.pki.leafValidityHours}), or every \`pulumi up\` would renew every certificate`,
            });
        }
        if (cfg.auth.renewalWindowHours >= cfg.auth.tokenLifetimeHours) {
            ctx.addIssue({
                code: "custom",
                path: ["auth", "renewalWindowHours"],
                message:
                    `is ${cfg.auth.renewalWindowHours} but auth.tokenLifetimeHours is ${cfg.auth.tokenLifetimeHours}; the renewal window must be shorter than the lifetime, ` +
                    "or every `pulumi up` would re-mint every token: lower auth.renewalWindowHours (e.g. a quarter of the lifetime) or raise auth.tokenLifetimeHours",
            });
        }
        const seen = new Map<string, number>();
        cfg.participants.forEach((p, i) => {
            const first = seen.get(p.name);
            if (first !== undefined) {
                ctx.addIssue({
                    code: "custom",
                    path: ["participants", i, "name"],
                    message: `'${p.name}' is already used by participants[${first}]; participant names must be unique`,
                });
            } else seen.set(p.name, i);
            if (p.name === cfg.domain.name) {
                ctx.addIssue({ code: "custom", path: ["participants", i, "name"], message: `'${p.name}' is also the domain name; pick a different participant name` });
            }
            const users = new Set<string>();
            p.users.forEach(({ id: u, primaryParty, actAs }, j) => {
                if (users.has(u)) ctx.addIssue({ code: "custom", path: ["participants", i, "users", j], message: `'${u}' is listed twice` });
                if (u === "participant_admin")
                    ctx.addIssue({ code: "custom", path: ["participants", i, "users", j], message: "'participant_admin' is created automatically; remove it from the list" });
                // An explicit party hint is checked by its schema, so a bad one here was derived
                // from the user id (the short form, or no primaryParty and no actAs).
                if (primaryParty !== undefined && !PARTY_HINT.test(primaryParty)) {
                    const hint = primaryParty.replace(/[^A-Za-z0-9_-]/g, "_").slice(0, 185);
                    ctx.addIssue({
                        code: "custom",
                        path: ["participants", i, "users", j],
                        message:
                            `user id '${u}' is also its party hint, and party hints may use A-Z, a-z, 0-9, '_' and '-' only (1 to 185 characters); ` +
                            `name its party: { id: "${u}", primaryParty: "${hint}" }`,
                    });
                }
                if (primaryParty !== undefined && actAs.length > 0 && !actAs.includes(primaryParty)) {
                    ctx.addIssue({
                        code: "custom",
                        path: ["participants", i, "users", j, "actAs"],
                        message: `does not include the primary party '${primaryParty}' of user '${u}'; add it, or set primaryParty to one of ${actAs.join(", ")}`,
                    });
                }
                users.add(u);
            });
            if (p.jwtKeysRetiredThrough >= p.jwtKeyGeneration) {
                ctx.addIssue({
                    code: "custom",
                    path: ["participants", i, "jwtKeysRetiredThrough"],
                    message:
                        `is ${p.jwtKeysRetiredThrough} but jwtKeyGeneration is ${p.jwtKeyGeneration}: the current signing key cannot be retired; ` +
                        `bump participants[${i}].jwtKeyGeneration first, then retire the old generation in a later \`pulumi up\``,
                });
            }
            for (const u of Object.keys(p.tokenReissue)) {
                if (u !== ADMIN_USER && !users.has(u)) {
                    ctx.addIssue({
                        code: "custom",
                        path: ["participants", i, "tokenReissue", u],
                        message:
                            `unknown user '${u}' of participant '${p.name}' (its users: ${[...users, ADMIN_USER].join(", ")}); ` +
                            `add '${u}' to participants[${i}].users or remove this entry`,
                    });
                }
            }
        });
    });

export type CantonHaConfig = z.infer<typeof configSchema>;
export type LoadBalancerConfig = CantonHaConfig["loadBalancer"];
export type KubernetesConfig = CantonHaConfig["kubernetes"];
export type ParticipantConfig = CantonHaConfig["participants"][number];

/**
 * Top-level keys that hold secrets and so are set on their own with `--secret`; they are read
 * through components/secret-config.ts, never through the schema (their values must not end up
 * in the plain config object).
 */
export const SECRET_CONFIG_KEYS = ["cantonRegistryPassword", "dbPasswords"] as const;

/** The keys users may set, i.e. `canton-ha:<key>`. */
export const CONFIG_KEYS = Object.keys(configSchema.shape ?? {}) as (keyof CantonHaConfig)[];

/** One problem with the stack config, already phrased for the operator. */
export interface ConfigProblem {
    key: string;
    message: string;
}

export class ConfigError extends Error {
    constructor(readonly problems: ConfigProblem[]) {
        super(
            `Invalid stack configuration (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n` +
                problems.map((p) => `  - ${p.key}: ${p.message}`).join("\n") +
                "\nFix with `pulumi config set --path '<key>' <value>` (or edit Pulumi.<stack>.yaml) and run again.",
        );
        this.name = "ConfigError";
    }
}

/** `canton-ha:domain.sequencers`, `canton-ha:participants[1].name`, ... */
function keyName(path: PropertyKey[]): string {
    let out = `${PROJECT}:`;
    path.forEach((seg, i) => {
        if (typeof seg === "number") out += `[${seg}]`;
        else out += i === 0 ? String(seg) : `.${String(seg)}`;
    });
    return out;
}

function describe(value: unknown): string {
    if (value === undefined) return "nothing";
    const text = JSON.stringify(value);
    return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function valueAt(root: unknown, path: PropertyKey[]): unknown {
    let cur: any = root;
    for (const seg of path) {
        if (cur === null || typeof cur !== "object") return undefined;
        cur = cur[seg as any];
    }
    return cur;
}

const TYPE_WORDS: Record<string, string> = {
    array: "a list",
    object: "an object",
    string: "text",
    number: "a number",
    int: "a whole number",
    boolean: "true or false",
};

function problemFrom(issue: z.core.$ZodIssue, input: unknown): ConfigProblem {
    if (issue.code === "unrecognized_keys") {
        return {
            key: keyName(issue.path),
            message: `unknown key${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map((k) => `'${k}'`).join(", ")}; ` + `allowed here: ${allowedKeysAt(issue.path).join(", ")}`,
        };
    }
    const got = valueAt(input, issue.path);
    let message = issue.message;
    if (issue.code === "invalid_value") message = `must be one of ${issue.values.map((v) => `'${String(v)}'`).join(", ")}`;
    if (issue.code === "invalid_type") {
        const wanted = TYPE_WORDS[issue.expected] ?? issue.expected;
        message = got === undefined ? `is required (${wanted})` : `must be ${wanted}`;
    }
    return { key: keyName(issue.path), message: issue.code === "custom" ? message : `${message}, got ${describe(got)}` };
}

/**
 * A union (e.g. a user given as text or as an object) reports one list of issues per
 * branch. The branch that accepted the input's type says what is actually wrong with it.
 */
function matchingBranch(issue: z.core.$ZodIssue): z.core.$ZodIssue[] {
    if (issue.code !== "invalid_union" || issue.errors.length === 0) return [issue];
    const typed = issue.errors.find((branch) => !branch.some((i) => i.code === "invalid_type" && i.path.length === 0));
    if (!typed) return [issue];
    return typed.map((i) => ({ ...i, path: [...issue.path, ...i.path] }) as z.core.$ZodIssue).flatMap(matchingBranch);
}

/** The keys the schema accepts at a given object path (for "unknown key" errors). */
function allowedKeysAt(path: PropertyKey[]): string[] {
    let schema: any = configSchema;
    for (const seg of path) {
        schema = unwrap(schema);
        if (typeof seg === "number") schema = unwrap(schema)?.element;
        else schema = schema?.shape?.[seg];
    }
    return Object.keys(unwrap(schema)?.shape ?? {});
}

function unwrap(schema: any): any {
    let s = schema;
    for (let i = 0; i < 10 && s; i++) {
        const def = s._zod?.def;
        if (!def) break;
        if (def.type === "pipe") s = def.in;
        else if (["default", "prefault", "optional", "nullable"].includes(def.type)) s = def.innerType;
        else break;
    }
    return s;
}

/**
 * Parses the raw `canton-ha:*` entries of a stack config (as `pulumi.runtime.allConfig()`
 * returns them: objects are JSON text) into a validated config.
 * Throws a {@link ConfigError} listing every problem at once.
 */
export function parseConfig(raw: Record<string, string>): CantonHaConfig {
    const input: Record<string, unknown> = {};
    for (const [fullKey, text] of Object.entries(raw)) {
        const [ns, key] = splitKey(fullKey);
        if (ns !== PROJECT || (SECRET_CONFIG_KEYS as readonly string[]).includes(key)) continue;
        input[key] = decodeValue(text);
    }
    return validateConfig(input);
}

/**
 * Validates a config given as a plain object (what a library user writes in code, keys
 * without the `canton-ha:` prefix). Throws a {@link ConfigError} listing every problem at once.
 */
export function validateConfig(input: Record<string, unknown>): CantonHaConfig {
    const problems: ConfigProblem[] = [];
    const known = Object.fromEntries(Object.entries(input).filter(([k]) => (CONFIG_KEYS as string[]).includes(k)));
    for (const k of Object.keys(input).filter((x) => !(CONFIG_KEYS as string[]).includes(x))) {
        problems.push({ key: `${PROJECT}:${k}`, message: `unknown key; allowed keys are ${CONFIG_KEYS.join(", ")}` });
    }
    const result = configSchema.safeParse(known);
    if (!result.success) problems.push(...result.error.issues.flatMap(matchingBranch).map((i) => problemFrom(i, known)));
    if (problems.length > 0) throw new ConfigError(problems);
    return result.data!;
}

function splitKey(fullKey: string): [string, string] {
    const i = fullKey.indexOf(":");
    return i < 0 ? ["", fullKey] : [fullKey.slice(0, i), fullKey.slice(i + 1)];
}

/** Pulumi hands over structured values as JSON text and scalars as plain text. */
function decodeValue(text: string): unknown {
    const t = text.trim();
    if (/^[[{]/.test(t) || t === "true" || t === "false" || /^-?\d+(\.\d+)?$/.test(t)) {
        try {
            return JSON.parse(t);
        } catch {
            return text;
        }
    }
    return text;
}
