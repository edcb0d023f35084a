/**
 * Tests of the cluster itself (tools/cluster, issue 13), not of the stack: it is healthy,
 * the stack's images are imported, the egress drop counter can be read; and the images run
 * the way the Kubernetes platform runs them (restricted pod security, read-only root file
 * system, emptyDirs, a volume from the default StorageClass, Secrets mounted 0440 with an
 * fsGroup): Postgres 15 from the rendered pg_hba and init script with TLS, a stand-in
 * participant pair (`canton daemon`) from their rendered configs, the bootstrap runner
 * (`canton run`) from the rendered remote config and script, HAProxy and NGINX, a
 * LoadBalancer Service. Needs root (the cluster scripts) and the cluster (scripts/test.sh).
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as jose from "jose";
import { afterAll, beforeAll, expect, it } from "vitest";
import { participantIdsOf, reportsOf } from "../../components/bootstrap/bootstrap";
import { ADMIN_TOKEN_ENV, REMOTE_CONFIG_FILE, runArgs, scriptFile, trustFiles } from "../../components/bootstrap/layout";
import { participantRemoteConfig } from "../../components/bootstrap/remote-config";
import { renderScript } from "../../components/bootstrap/script";
import { participantScript } from "../../components/bootstrap/steps";
import { CONFIG_FILE, DB_PASSWORD_ENV, daemonArgs, files } from "../../components/canton/layout";
import { PG_HBA_FILE, PG_INIT_SCRIPT, passwordEnv, pgFiles, postgresSettings, renderInitScript, renderPgHba } from "../../components/postgres/render";
import { devPlan, render } from "../support/fixtures";
import { generatePki, type Pki } from "../support/pki";
import { probe, testDoubleParticipantId, type RemoteTarget } from "../standin/canton";
import { IMAGES, IMAGE_UIDS, clusterHttpGet, clusterScript, describeCluster, dropCounter, imageArchive, kubectl, kubectlJson } from "./support";

type Obj = Record<string, unknown>;
const NS = "canton-ha-cluster-test";
const fqdn = (svc: string) => `${svc}.${NS}.svc.cluster.local`;

describeCluster("the cluster: healthy, the stack's images imported, the drop counter readable", () => {
    it("status.sh: every check ok (processes, etcd, apiserver, node Ready, CoreDNS, StorageClass, images, bridge, route, drop rule)", () => {
        const r = clusterScript("status.sh");
        expect(r.status, r.stdout + r.stderr).toBe(0);
        const checks = r.stdout.split("\n").filter((l) => /^ {2}(ok|FAIL) /.test(l));
        expect(checks.length).toBeGreaterThanOrEqual(17);
        expect(checks.filter((l) => !l.startsWith("  ok "))).toEqual([]);
        expect(r.stdout).toMatch(/cluster-controller running/);
    });

    it("the egress drop counter reads as a number of packets (the end to end asserts it afterwards)", () => {
        expect(Number.isInteger(dropCounter())).toBe(true);
    });

    it("one node, Ready, untainted, with the default StorageClass of the cluster", () => {
        const nodes = kubectlJson<{ items: Obj[] }>(["get", "nodes"]).items;
        expect(nodes).toHaveLength(1);
        const status = nodes[0].status as { conditions: { type: string; status: string }[] };
        expect(status.conditions.find((c) => c.type === "Ready")?.status).toBe("True");
        expect((nodes[0].spec as Obj).taints ?? []).toEqual([]);
        const sc = kubectlJson<{ metadata: { annotations: Obj }; provisioner: string }>(["get", "storageclass", "canton-ha-local"]);
        expect(sc.metadata.annotations["storageclass.kubernetes.io/is-default-class"]).toBe("true");
    });

    it("every image of apps.tar is in the cluster's containerd with the archive's digest, and says what it is", () => {
        const archive = imageArchive("apps");
        const index = JSON.parse(execFileSync("tar", ["-xOf", archive, "index.json"], { encoding: "utf8" })) as { manifests: { digest: string; annotations: Obj }[] };
        const present = clusterScript("load-images.sh", "--list");
        expect(present.status, present.stderr).toBe(0);
        const blob = (digest: string) => JSON.parse(execFileSync("tar", ["-xOf", archive, `blobs/sha256/${digest.replace("sha256:", "")}`], { encoding: "utf8" })) as Obj;
        const configs: Record<string, { User?: string; Entrypoint?: string[]; Cmd?: string[]; Env?: string[]; Labels?: Record<string, string>; StopSignal?: string }> = {};
        for (const m of index.manifests) {
            const name = m.annotations["io.containerd.image.name"] as string;
            expect(present.stdout, `${name} in containerd`).toContain(`${name} ${m.digest}`);
            const manifest = blob(m.digest) as { config: { digest: string } };
            configs[name] = (blob(manifest.config.digest) as { config: (typeof configs)[string] }).config;
        }
        expect(Object.keys(configs).sort()).toEqual(Object.values(IMAGES).sort());
        const s = configs[IMAGES.standin];
        expect(s).toMatchObject({ User: `${IMAGE_UIDS.standin}:${IMAGE_UIDS.standin}`, Entrypoint: ["/usr/local/bin/canton"] });
        expect(s.Labels?.["canton-ha.test-double"]).toBe("true");
        expect(s.Labels?.["org.opencontainers.image.description"]).toMatch(/TEST DOUBLE, NOT Canton/);
        expect(configs[IMAGES.postgres]).toMatchObject({ Entrypoint: ["docker-entrypoint.sh"], Cmd: ["postgres"], StopSignal: "SIGINT" });
        expect(configs[IMAGES.postgres].User ?? "").toBe(""); // root, like postgres:15: its entrypoint hands over to 999
        expect(configs[IMAGES.postgres].Env).toContain("PGDATA=/var/lib/postgresql/data");
        expect(configs[IMAGES.haproxy]).toMatchObject({ User: `${IMAGE_UIDS.haproxy}:${IMAGE_UIDS.haproxy}`, Entrypoint: ["docker-entrypoint.sh"] });
        expect(configs[IMAGES.nginx]).toMatchObject({ User: `${IMAGE_UIDS.nginx}:${IMAGE_UIDS.nginx}`, Entrypoint: ["/docker-entrypoint.sh"] });
        expect(clusterScript("load-images.sh", "--check").status).toBe(0);
    });
});

// ------------------------------------------------------------------ the images, as the platform runs them
const plan = devPlan();
const participant = plan.participants[0];
const server = participant.db.server;
const dbUser = participant.db.user;

/** Pod and container security as components/platform/kubernetes/pod.ts sets it. */
const podSecurity = (uid: number) => ({
    runAsNonRoot: true,
    runAsUser: uid,
    runAsGroup: uid,
    fsGroup: uid,
    fsGroupChangePolicy: "OnRootMismatch",
    seccompProfile: { type: "RuntimeDefault" },
});
const containerSecurity = { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, privileged: false, capabilities: { drop: ["ALL"] } };
const b64 = (s: string | Buffer) => Buffer.from(s).toString("base64");
/** A key of a ConfigMap or Secret for a file path. */
const keyOf = (p: string) => p.replace(/^\//, "").replace(/[^A-Za-z0-9.-]/g, "_");

interface FileSpec {
    path: string;
    content: string | Buffer;
    secret?: boolean;
}

/** A ConfigMap and a Secret for a workload's files, and the subPath mounts, as the platform does it. */
function filesOf(name: string, list: FileSpec[]): { objects: Obj[]; volumes: Obj[]; mounts: Obj[] } {
    const pub = list.filter((f) => !f.secret);
    const sec = list.filter((f) => f.secret);
    const objects: Obj[] = [];
    const volumes: Obj[] = [];
    const mounts: Obj[] = [];
    if (pub.length) {
        objects.push({
            apiVersion: "v1",
            kind: "ConfigMap",
            metadata: { name: `${name}-files`, namespace: NS },
            binaryData: Object.fromEntries(pub.map((f) => [keyOf(f.path), b64(f.content)])),
        });
        volumes.push({ name: "files", configMap: { name: `${name}-files`, defaultMode: 0o444 } });
        mounts.push(...pub.map((f) => ({ name: "files", mountPath: f.path, subPath: keyOf(f.path), readOnly: true })));
    }
    if (sec.length) {
        objects.push({
            apiVersion: "v1",
            kind: "Secret",
            metadata: { name: `${name}-secrets`, namespace: NS },
            data: Object.fromEntries(sec.map((f) => [keyOf(f.path), b64(f.content)])),
        });
        volumes.push({ name: "secrets", secret: { secretName: `${name}-secrets`, defaultMode: 0o440 } });
        mounts.push(...sec.map((f) => ({ name: "secrets", mountPath: f.path, subPath: keyOf(f.path), readOnly: true })));
    }
    return { objects, volumes, mounts };
}

function scratch(paths: string[]): { volumes: Obj[]; mounts: Obj[] } {
    return { volumes: paths.map((_, i) => ({ name: `scratch-${i}`, emptyDir: {} })), mounts: paths.map((p, i) => ({ name: `scratch-${i}`, mountPath: p })) };
}

function pod(
    name: string,
    o: {
        image: string;
        uid: number;
        args: string[];
        files: FileSpec[];
        writable: string[];
        env?: Obj[];
        extraVolumes?: Obj[];
        extraMounts?: Obj[];
        ports?: (number | [string, number])[];
        readiness?: Obj;
        liveness?: Obj;
        restartPolicy?: string;
        labels?: Obj;
    },
): Obj[] {
    const f = filesOf(name, o.files);
    const s = scratch(o.writable);
    return [
        ...f.objects,
        {
            apiVersion: "v1",
            kind: "Pod",
            metadata: { name, namespace: NS, labels: { app: name, ...o.labels } },
            spec: {
                automountServiceAccountToken: false,
                enableServiceLinks: false,
                restartPolicy: o.restartPolicy ?? "Always",
                securityContext: podSecurity(o.uid),
                terminationGracePeriodSeconds: 5,
                containers: [
                    {
                        name: "main",
                        image: o.image,
                        imagePullPolicy: "Never",
                        args: o.args,
                        env: o.env ?? [],
                        ports: (o.ports ?? []).map((p) => (typeof p === "number" ? { containerPort: p } : { name: p[0], containerPort: p[1] })),
                        securityContext: containerSecurity,
                        readinessProbe: o.readiness,
                        livenessProbe: o.liveness,
                        volumeMounts: [...f.mounts, ...s.mounts, ...(o.extraMounts ?? [])],
                    },
                ],
                volumes: [...f.volumes, ...s.volumes, ...(o.extraVolumes ?? [])],
            },
        },
    ];
}

function service(name: string, selector: Obj, ports: number[], extra: Obj = {}): Obj {
    return {
        apiVersion: "v1",
        kind: "Service",
        metadata: { name, namespace: NS },
        spec: { selector, ports: ports.map((p) => ({ name: `p${p}`, port: p, targetPort: p })), ...extra },
    };
}

const apply = (objects: Obj[]) => kubectl(["apply", "-f", "-"], JSON.stringify({ apiVersion: "v1", kind: "List", items: objects }));
const podJson = (name: string) =>
    kubectlJson<{ status: { phase: string; podIP?: string; conditions?: { type: string; status: string }[]; containerStatuses?: { restartCount: number }[] } }>([
        "-n",
        NS,
        "get",
        "pod",
        name,
    ]);
const isReady = (name: string) => podJson(name).status.conditions?.find((c) => c.type === "Ready")?.status === "True";
const logs = (name: string) => kubectl(["-n", NS, "logs", name]);

async function until<T>(what: string, fn: () => T | undefined | Promise<T | undefined>, ms = 120_000, diag?: () => string): Promise<T> {
    const end = Date.now() + ms;
    for (;;) {
        const v = await fn();
        if (v !== undefined) return v;
        if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}${diag ? `\n${diag()}` : ""}`);
        await new Promise((r) => setTimeout(r, 500));
    }
}

describeCluster("the stack's images, run as the Kubernetes platform runs them", () => {
    let pki: Pki;
    let token: string;
    const superPassword = "pg-super-" + Math.random().toString(36).slice(2);
    const dbPassword = "pg-user-" + Math.random().toString(36).slice(2);
    const replicas = participant.replicas;
    const podName = (i: number) => `participant-${i}`;

    beforeAll(async () => {
        kubectl(["delete", "namespace", NS, "--ignore-not-found", "--wait=true", "--timeout=60s"]);
        kubectl(["create", "namespace", NS]);
        pki = await generatePki({
            name: "cluster-test",
            servers: [
                { name: "participant", dns: [...replicas.map((r) => fqdn(podName(r.index))), "participant-lb"] },
                { name: "db", dns: [fqdn("db")] },
            ],
            clients: ["admin-api", dbUser],
        });
        const { publicKey, privateKey } = await jose.generateKeyPair("RS256");
        const jwks = JSON.stringify({ keys: [{ ...(await jose.exportJWK(publicKey)), kid: "k1", alg: "RS256", use: "sig" }] });
        token = await new jose.SignJWT({ scope: "daml_ledger_api" })
            .setProtectedHeader({ alg: "RS256", kid: "k1", typ: "JWT" })
            .setSubject("participant_admin")
            .setAudience(participant.auth.audience)
            .setIssuedAt()
            .setExpirationTime("1h")
            .sign(privateKey);
        const read = (f: string) => fs.readFileSync(f);
        kubectl([
            "-n",
            NS,
            "create",
            "secret",
            "generic",
            "passwords",
            `--from-literal=super=${superPassword}`,
            `--from-literal=user=${dbPassword}`,
            `--from-literal=token=${token}`,
        ]);
        const secretEnv = (name: string, key: string) => ({ name, valueFrom: { secretKeyRef: { name: "passwords", key } } });

        // Postgres 15: TLS only, the rendered pg_hba and init script, data on a claim of the default class.
        const paths = { serverChain: pgFiles.serverChain, serverKey: pgFiles.serverKey, caChain: pgFiles.caChain, hbaFile: PG_HBA_FILE };
        const objects: Obj[] = [
            {
                apiVersion: "v1",
                kind: "PersistentVolumeClaim",
                metadata: { name: "db-data", namespace: NS },
                spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } },
            },
            ...pod("db", {
                image: IMAGES.postgres,
                uid: IMAGE_UIDS.postgres,
                args: ["postgres", ...postgresSettings(server, paths).flatMap((s) => ["-c", s])],
                files: [
                    { path: pgFiles.serverChain, content: read(pki.servers.db.chain) },
                    { path: pgFiles.serverKey, content: read(pki.servers.db.key), secret: true },
                    { path: pgFiles.caChain, content: read(pki.caChain) },
                    { path: PG_HBA_FILE, content: renderPgHba(server) },
                    { path: PG_INIT_SCRIPT, content: renderInitScript(server) },
                ],
                writable: ["/var/run/postgresql", "/tmp"],
                env: [
                    { name: "PGPORT", value: String(server.port) },
                    { name: "PGDATA", value: "/var/lib/postgresql/data/pgdata" },
                    secretEnv("POSTGRES_PASSWORD", "super"),
                    secretEnv(passwordEnv(dbUser), "user"),
                ],
                extraVolumes: [{ name: "data", persistentVolumeClaim: { claimName: "db-data" } }],
                extraMounts: [{ name: "data", mountPath: "/var/lib/postgresql/data" }],
                ports: [server.port],
                readiness: { tcpSocket: { port: server.port }, periodSeconds: 1 },
            }),
            service("db", { app: "db" }, [server.port]),
        ];
        // The participant pair: `canton daemon` from each replica's rendered config; readiness = active (gRPC health "").
        for (const r of replicas) {
            const name = podName(r.index);
            const conf = render
                .participant(plan, participant.name, r.index)
                .split(`serverName = "${server.host.fqdn}"`)
                .join(`serverName = "${fqdn("db")}"`);
            objects.push(
                ...pod(name, {
                    image: IMAGES.standin,
                    uid: IMAGE_UIDS.standin,
                    args: daemonArgs(),
                    labels: { participant: participant.name },
                    files: [
                        { path: CONFIG_FILE, content: conf },
                        { path: "/canton/auth/jwks.json", content: jwks },
                        { path: files.serverChain, content: read(pki.servers.participant.chain) },
                        { path: files.serverKey, content: read(pki.servers.participant.key), secret: true },
                        { path: files.caChain, content: read(pki.caChain) },
                        { path: files.adminClientChain, content: read(pki.clients["admin-api"].chain) },
                        { path: files.adminClientKey, content: read(pki.clients["admin-api"].key), secret: true },
                        { path: files.dbClientCert, content: read(pki.clients[dbUser].cert) },
                        { path: files.dbClientKeyDer, content: read(pki.clients[dbUser].keyPkcs8Der), secret: true },
                    ],
                    writable: ["/tmp"],
                    // TEST TIMINGS (the stand-in logs them): no 30 s Canton-like start-up, which this
                    // pod's liveness probe (no startup probe here) would not wait for.
                    env: [secretEnv(DB_PASSWORD_ENV, "user"), { name: "STANDIN_TEST_TIMINGS", value: "startup-ms=0" }],
                    ports: [["ledger", r.ledgerApi.port], r.adminApi.port, r.health.port, r.grpcHealth.port],
                    readiness: { grpc: { port: r.grpcHealth.port, service: "" }, periodSeconds: 1, failureThreshold: 1 },
                    liveness: { grpc: { port: r.grpcHealth.port, service: "liveness" }, periodSeconds: 10 },
                }),
                service(name, { app: name }, [r.ledgerApi.port, r.adminApi.port], { publishNotReadyAddresses: true }),
            );
        }
        // Clients outside the cluster: the active replica's Ledger API behind a LoadBalancer (readiness routes).
        objects.push({
            apiVersion: "v1",
            kind: "Service",
            metadata: { name: "participant-lb", namespace: NS },
            spec: {
                type: "LoadBalancer",
                selector: { participant: participant.name },
                // each replica has its own port: the Service targets the named container port
                ports: [{ name: "ledger", port: 443, targetPort: "ledger" }],
            },
        });
        apply(objects);
    }, 240_000);

    afterAll(() => {
        if (process.env.CANTON_HA_KEEP_TEST_NAMESPACE !== "1") kubectl(["delete", "namespace", NS, "--ignore-not-found", "--wait=true", "--timeout=90s"], undefined, 120_000);
        pki?.remove();
    }, 150_000);

    it("Postgres runs as 999 on its claim (bound by the cluster's provisioner), ran the init script once, and takes TLS only", async () => {
        await until(
            "db Ready",
            () => (isReady("db") ? true : undefined),
            120_000,
            () => logs("db"),
        );
        const claim = kubectlJson<{ status: { phase: string }; spec: { volumeName: string } }>(["-n", NS, "get", "pvc", "db-data"]);
        expect(claim.status.phase).toBe("Bound");
        const out = logs("db");
        expect(out).toMatch(/running \/docker-entrypoint-initdb.d\/10-canton-ha.sh|sourcing \/docker-entrypoint-initdb.d\/10-canton-ha.sh/);
        expect(out).toMatch(/PostgreSQL init process complete/);
        expect(kubectl(["-n", NS, "exec", "db", "--", "id", "-u"]).trim()).toBe(String(IMAGE_UIDS.postgres));
        // the rendered pg_hba: no plain TCP at all
        const ip = podJson("db").status.podIP!;
        const plain = execFileSync(
            "bash",
            ["-c", `PGPASSWORD=x PGSSLMODE=disable PGCONNECT_TIMEOUT=5 psql -h ${ip} -p ${server.port} -U ${dbUser} -d ${participant.db.database} -c 'select 1' 2>&1 || true`],
            { encoding: "utf8" },
        );
        expect(plain).toMatch(/no pg_hba.conf entry|reject/i);
    }, 150_000);

    it("the stand-in pair from the rendered configs: both Running as 1000, exactly one Ready (active), /health 200 / 500", async () => {
        const names = replicas.map((r) => podName(r.index));
        const diag = () => names.map((n) => `--- ${n}\n${logs(n).slice(-3000)}`).join("\n");
        const active = await until(
            "exactly one participant replica Ready",
            () => {
                const ready = names.filter((n) => podJson(n).status.phase === "Running" && isReady(n));
                return ready.length === 1 && names.every((n) => podJson(n).status.phase === "Running") ? ready[0] : undefined;
            },
            120_000,
            diag,
        );
        for (const [i, r] of replicas.entries()) {
            const ip = podJson(names[i]).status.podIP!;
            expect((await clusterHttpGet(`http://${ip}:${r.health.port}/health`)).status).toBe(names[i] === active ? 200 : 500);
            expect(kubectl(["-n", NS, "exec", names[i], "--", "id", "-u"]).trim()).toBe(String(IMAGE_UIDS.standin));
            expect(podJson(names[i]).status.containerStatuses?.[0].restartCount).toBe(0);
        }
        expect(logs(active)).toMatch(/"event":"canton-daemon","testDouble":true/);
    }, 150_000);

    it("the LoadBalancer Service gets an address of the pool and reaches the active replica's Ledger API with the token", async () => {
        const ip = await until(
            "an ingress IP",
            () => {
                const s = kubectlJson<{ status: { loadBalancer: { ingress?: { ip: string }[] } } }>(["-n", NS, "get", "service", "participant-lb"]);
                return s.status.loadBalancer.ingress?.[0]?.ip;
            },
            30_000,
        );
        expect(ip).toMatch(/^10\.213\.0\.(1\d\d)$/);
        const target: RemoteTarget = {
            node: "participant-lb",
            section: "remote-participants",
            api: "ledger-api",
            address: ip,
            port: 443,
            tls: true,
            trust: pki.caChain,
            clientChain: pki.clients["admin-api"].chain,
            clientKey: pki.clients["admin-api"].key,
            token,
            tlsServerName: "participant-lb",
        };
        const r = await until(
            "the Ledger API through the LoadBalancer",
            async () => {
                const p = await probe(target, 3000);
                return p.ok && p.active ? p : undefined;
            },
            30_000,
        );
        expect(r.detail).toMatch(/Ledger API version 2\.9\.4/);
        expect((await probe({ ...target, token: undefined }, 3000)).detail).toMatch(/UNAUTHENTICATED/);
    }, 90_000);

    it("the bootstrap runner (`canton run`, rendered remote config and script) reaches both replicas over mTLS and reports", async () => {
        // This cluster test runs a participant pair alone, without a domain manager: its job is
        // rendered as for an open domain (no admission step, no remote domain manager to dial).
        const alone = { ...participant, domain: { ...participant.domain, admission: undefined } };
        const job = participantScript(alone);
        const t = trustFiles(participant.trustDomain.id);
        // ... and a standby that does not exist yet (its Service name does not resolve: it would
        // start after the job): left out with a line saying so, as a real console leaves it alone.
        const phantom = { ...replicas[1], index: 9, host: { ...replicas[1].host, fqdn: fqdn(podName(9)) } };
        let remote = participantRemoteConfig({ ...alone, replicas: [...replicas, phantom] }, plan.stack, 60, job.job);
        for (const r of replicas) remote = remote.split(`"${r.host.fqdn}"`).join(`"${fqdn(podName(r.index))}"`);
        const read = (f: string) => fs.readFileSync(f);
        apply(
            pod("bootstrap", {
                image: IMAGES.standin,
                uid: IMAGE_UIDS.standin,
                args: runArgs(job.job),
                restartPolicy: "Never",
                files: [
                    { path: REMOTE_CONFIG_FILE, content: remote },
                    { path: scriptFile(job.job), content: renderScript(job, plan.stack) },
                    { path: t.caChain, content: read(pki.caChain) },
                    { path: t.adminClientChain, content: read(pki.clients["admin-api"].chain) },
                    { path: t.adminClientKey, content: read(pki.clients["admin-api"].key), secret: true },
                ],
                writable: ["/tmp"],
                env: [{ name: ADMIN_TOKEN_ENV, valueFrom: { secretKeyRef: { name: "passwords", key: "token" } } }],
            }),
        );
        const phase = await until(
            "the bootstrap pod to finish",
            () => {
                const p = podJson("bootstrap").status.phase;
                return p === "Succeeded" || p === "Failed" ? p : undefined;
            },
            120_000,
        );
        const out = logs("bootstrap");
        expect(phase, out).toBe("Succeeded");
        for (const r of replicas) for (const api of ["admin-api", "ledger-api"]) expect(out).toMatch(new RegExp(`ok +${participant.name}_${r.index} ${api} .*\\(mTLS`));
        expect(out).toMatch(new RegExp(`skip +${participant.name}_9 admin-api .*not started yet`));
        expect(participantIdsOf(reportsOf(out))).toEqual({ [participant.name]: testDoubleParticipantId(participant.name) });
    }, 150_000);

    it("HAProxy (99) and NGINX (101) serve with a read-only root file system and /tmp only", async () => {
        const haproxyCfg = [
            "global",
            "    log stderr format raw local0 info",
            "defaults",
            "    mode http",
            "    timeout connect 1s",
            "    timeout client 5s",
            "    timeout server 5s",
            "frontend f",
            "    bind :8080",
            "    http-request return status 200 content-type text/plain string haproxy-ok",
            "",
        ].join("\n");
        const nginxConf = [
            "worker_processes 1;",
            "pid /tmp/nginx.pid;",
            "error_log stderr warn;",
            "events { worker_connections 64; }",
            "http {",
            "    access_log /dev/stdout;",
            ...["client_body", "proxy", "fastcgi", "uwsgi", "scgi"].map((t) => `    ${t}_temp_path /tmp/${t};`),
            '    server { listen 8080; location / { return 200 "nginx-ok"; } }',
            "}",
            "",
        ].join("\n");
        apply([
            ...pod("haproxy", {
                image: IMAGES.haproxy,
                uid: IMAGE_UIDS.haproxy,
                args: ["haproxy", "-W", "-db", "-f", "/usr/local/etc/haproxy/haproxy.cfg"],
                files: [{ path: "/usr/local/etc/haproxy/haproxy.cfg", content: haproxyCfg }],
                writable: ["/tmp"],
                readiness: { tcpSocket: { port: 8080 }, periodSeconds: 1 },
            }),
            ...pod("nginx", {
                image: IMAGES.nginx,
                uid: IMAGE_UIDS.nginx,
                args: ["nginx", "-c", "/etc/nginx/nginx.conf", "-g", "daemon off;"],
                files: [{ path: "/etc/nginx/nginx.conf", content: nginxConf }],
                writable: ["/tmp"],
                readiness: { tcpSocket: { port: 8080 }, periodSeconds: 1 },
            }),
        ]);
        for (const [name, body] of [
            ["haproxy", "haproxy-ok"],
            ["nginx", "nginx-ok"],
        ]) {
            await until(
                `${name} Ready`,
                () => (isReady(name) ? true : undefined),
                60_000,
                () => logs(name),
            );
            const r = await clusterHttpGet(`http://${podJson(name).status.podIP}:8080/`);
            expect(r.body.trim()).toBe(body);
            expect(kubectl(["-n", NS, "exec", name, "--", "id", "-u"]).trim()).toBe(String(IMAGE_UIDS[name as "haproxy" | "nginx"]));
        }
    }, 90_000);
});
