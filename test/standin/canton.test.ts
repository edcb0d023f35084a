/**
 * The stand-in (a TEST DOUBLE, see ./README.md) as the Canton image's `canton` executable:
 * `daemon` from the node configs the components render, and `run` (the bootstrap runner)
 * against the remote-console configs and scripts they render. Real processes, a real
 * Postgres 15 with TLS and client certificates, an openssl PKI; loopback only.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as jose from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { participantIdsOf, partyIdsOf, reportsOf } from "../../components/bootstrap/bootstrap";
import { MARKER, REMOTE_CONFIG_FILE, runArgs, scriptFile, trustFiles } from "../../components/bootstrap/layout";
import { domainRemoteConfig, participantRemoteConfig } from "../../components/bootstrap/remote-config";
import { renderScript } from "../../components/bootstrap/script";
import { domainScript, participantScript } from "../../components/bootstrap/steps";
import { CONFIG_FILE, DB_PASSWORD_ENV, daemonArgs, files } from "../../components/canton/layout";
import type { DatabaseRef, Plan } from "../../components/plan/types";
import { requireBinaries } from "../support/binaries";
import { parseConfig as parseStackConfig } from "../../components/config";
import { buildPlan } from "../../components/plan/build";
import { devPlan, raw, render } from "../support/fixtures";
import { LedgerApiClient } from "../support/grpc-client";
import { generatePki, type Pki } from "../support/pki";
import { startPostgres, type PostgresHandle } from "../support/postgres";
import { ProcessGroup, httpRequest } from "../support/processes";
import { standinBundle } from "../support/standin";
import { REPORT_MARKER, durationMs, parseCanton, probe, runRemote, scriptReports, testDoubleParticipantId, testDoublePartyId, translateDaemonConfig } from "./canton";
import { parseConfig } from "./config";
import { ServingStatus } from "./proto";

const plan: Plan = devPlan();
const participant = plan.participants[0];
const ADMIN_TOKEN_ENV = "CANTON_HA_ADMIN_TOKEN";

/** Replace every occurrence of each `from` (which must occur), in order. */
function rewrite(text: string, pairs: [string | RegExp, string][]): string {
  let out = text;
  for (const [from, to] of pairs) {
    const hit = typeof from === "string" ? out.includes(from) : from.test(out);
    if (!hit) throw new Error(`rewrite: ${String(from)} does not occur`);
    out = typeof from === "string" ? out.split(from).join(to) : out.replace(new RegExp(from.source, from.flags.includes("g") ? from.flags : from.flags + "g"), to);
  }
  return out;
}

describe("canton CLI arguments, as the components pass them", () => {
  it("daemon and run parse from daemonArgs() and runArgs()", () => {
    expect(parseCanton(daemonArgs())).toEqual({ mode: "daemon", config: CONFIG_FILE });
    expect(parseCanton(runArgs("domain"))).toEqual({ mode: "run", config: REMOTE_CONFIG_FILE, script: scriptFile("domain") });
    expect(parseCanton(["daemon", "-c", "/x.conf"])).toEqual({ mode: "daemon", config: "/x.conf" });
  });

  it("refuses what it cannot honour", () => {
    expect(() => parseCanton(["daemon", "--config=/a", "--config=/b"])).toThrow(/exactly one --config/);
    expect(() => parseCanton(["daemon", "--config=/a", "--bootstrap=/b"])).toThrow(/unsupported option --bootstrap/);
    expect(() => parseCanton(["run", "--config=/a"])).toThrow(/exactly one script/);
    expect(() => parseCanton(["daemon"])).toThrow(/exactly one --config/);
    expect(() => parseCanton(["sandbox"])).toThrow(/'daemon' or 'run'/);
  });

  it("the report marker is the deployment's, and durations read as Canton writes them", () => {
    expect(REPORT_MARKER).toBe(MARKER);
    expect(durationMs("300s")).toBe(300_000);
    expect(durationMs("5m")).toBe(300_000);
    expect(durationMs("250ms")).toBe(250);
    expect(durationMs("10 seconds")).toBe(10_000);
    expect(() => durationMs("soon")).toThrow();
  });
});

describe("daemon: every rendered node config of the dev plan translates into stand-in flags", () => {
  const env = { [DB_PASSWORD_ENV]: "p@ss:/word", HOSTNAME: "pod-a" };
  const flags = (args: string[]) => {
    const m = new Map<string, string>();
    for (let i = 0; i < args.length; i++) if (args[i].startsWith("--")) m.set(args[i], args[i + 1]?.startsWith("--") || args[i + 1] === undefined ? "true" : args[++i]);
    return m;
  };

  it("a participant replica: ledger API (mTLS, JWT audience), admin API (mTLS), gRPC health, /health, its database", async () => {
    const r = participant.replicas[0];
    const t = await translateDaemonConfig(render.participant(plan, participant.name, r.index), { env, tmpDir: os.tmpdir() });
    const f = flags(t.args);
    expect(t).toMatchObject({ role: "participant", node: participant.name });
    expect(Object.fromEntries(f)).toMatchObject({
      "--name": "pod-a",
      "--grpc-address": "0.0.0.0",
      "--grpc-port": String(r.ledgerApi.port),
      "--require-client-auth": "true",
      "--admin-port": String(r.adminApi.port),
      "--admin-require-client-auth": "true",
      "--cert-chain": files.serverChain,
      "--key": files.serverKey,
      "--trust": files.caChain,
      "--grpc-health-port": String(r.grpcHealth.port),
      "--health-port": String(r.health.port),
      "--auth-jwks": "/canton/auth/jwks.json",
      "--auth-audience": participant.auth.audience,
    });
    const url = new URL(f.get("--db-url")!);
    expect(url.hostname).toBe(participant.db.server.host.fqdn);
    expect(url.port).toBe(String(participant.db.server.port));
    expect(decodeURIComponent(url.password)).toBe("p@ss:/word");
    expect(url.searchParams.get("sslmode")).toBe("verify-full");
    expect(url.searchParams.get("sslkey")).toBe(files.dbClientKeyDer);
    expect(t.redacted.join(" ")).not.toContain("p@ss");
    expect(t.redacted.join(" ")).toContain(":***@");
    expect(parseConfig(t.args, {})).toMatchObject({ role: "participant", requireClientAuth: true, adminRequireClientAuth: true, grpcHealthPort: r.grpcHealth.port });
  });

  it("a sequencer: public API with TLS and no client auth, admin API with mTLS, writer slots", async () => {
    const s = plan.domain.sequencers.nodes[0];
    const t = await translateDaemonConfig(render.sequencer(plan, s.index), { env });
    const f = flags(t.args);
    expect(t.role).toBe("sequencer");
    expect(f.get("--grpc-port")).toBe(String(s.publicApi.port));
    expect(f.has("--require-client-auth")).toBe(false);
    expect(f.get("--admin-port")).toBe(String(s.adminApi.port));
    expect(f.get("--admin-require-client-auth")).toBe("true");
    expect(f.get("--sequencer-total-node-count")).toBe(String(plan.domain.sequencers.totalNodeCount));
    expect(f.has("--health-port")).toBe(false);
    expect(parseConfig(t.args, {})).toMatchObject({ requireClientAuth: false, adminRequireClientAuth: true });
  });

  it("takeover settings: the rendered replication.connection-pool of participants and mediators; Canton's defaults where absent", async () => {
    const expected = { passiveCheckMs: 1000, healthCheckMs: 1000, connectionTimeoutMs: 5000, keepAliveIdleMs: 3000, healthCheckTimeoutMs: 15_000 };
    for (const text of [render.participant(plan, participant.name, participant.replicas[0].index), render.mediator(plan, plan.domain.mediators.replicas[0].index)]) {
      expect(parseConfig((await translateDaemonConfig(text, { env, tmpDir: os.tmpdir() })).args, {})).toMatchObject(expected);
    }
    // The domain manager renders none: Canton's defaults (15 s passive check, 5 s health check).
    expect(parseConfig((await translateDaemonConfig(render.domainManager(plan), { env })).args, {})).toMatchObject({
      passiveCheckMs: 15_000,
      healthCheckMs: 5000,
      healthCheckTimeoutMs: 15_000,
    });
    // The stack's own values flow through: config -> plan -> HOCON -> stand-in.
    const tuned = buildPlan(parseStackConfig(raw({ canton: { replication: { passiveCheckPeriodMs: 2500, healthCheckPeriodMs: 750, healthCheckTimeoutMs: 4000 } } })), "test");
    const t = await translateDaemonConfig(render.participant(tuned, tuned.participants[0].name, tuned.participants[0].replicas[0].index), { env, tmpDir: os.tmpdir() });
    expect(parseConfig(t.args, {})).toMatchObject({ passiveCheckMs: 2500, healthCheckMs: 750, healthCheckTimeoutMs: 4000 });
    await expect(translateDaemonConfig(render.mediator(plan, 1).replace('passive-check-period = "1s"', 'passive-check-period = "soon"'), { env })).rejects.toThrow(
      /replication.connection-pool.connection.passive-check-period = "soon": not a duration/,
    );
  });

  it("a mediator replica and the domain manager: admin API only, gRPC health", async () => {
    for (const text of [render.mediator(plan, plan.domain.mediators.replicas[1].index), render.domainManager(plan)]) {
      const t = await translateDaemonConfig(text, { env });
      const f = flags(t.args);
      expect(f.has("--grpc-port")).toBe(false);
      expect(f.has("--admin-port")).toBe(true);
      expect(f.has("--grpc-health-port")).toBe(true);
      const cfg = parseConfig(t.args, {});
      expect(cfg.grpcPort).toBeUndefined();
      expect(cfg.healthPort).toBeUndefined();
    }
  });

  it("fails loudly: no password in the environment, two nodes in one file, client-auth optional", async () => {
    const text = render.participant(plan, participant.name, participant.replicas[0].index);
    await expect(translateDaemonConfig(text, { env: {} })).rejects.toThrow(/CANTON_DB_PASSWORD/);
    const two = text.replace(/^canton \{\n/m, "canton {\n  mediators { m { admin-api { port = 1 } } }\n");
    await expect(translateDaemonConfig(two, { env })).rejects.toThrow(/defines 2 nodes/);
    await expect(translateDaemonConfig(text.split('type = "require"').join('type = "optional"'), { env })).rejects.toThrow(/client-auth.type = optional/);
  });
});

describe("scriptReports: what a rendered bootstrap script reports", () => {
  it("reads the participant job's top-level report lines and refuses anything else", () => {
    const text = renderScript(participantScript(participant), plan.stack);
    const st = scriptReports(text);
    expect(st[0]).toEqual({ kind: "literal", text: `start participant-${participant.name}` });
    expect(st.at(-1)).toEqual({ kind: "literal", text: `done participant-${participant.name}` });
    expect(st.filter((s) => s.kind === "party-id").map((s) => (s as { hint: string }).hint)).toEqual(participant.parties);
    expect(st.filter((s) => s.kind === "participant-id")).toEqual([{ kind: "participant-id", name: participant.name }]);
    expect(() => scriptReports('say(s"active ${x}")')).toThrow(/cannot evaluate/);
    expect(testDoubleParticipantId("p")).toMatch(/^PAR::p::testdouble[0-9a-f]{58}$/);
    expect(testDoublePartyId("p", "alice").split("::")[1]).toBe(testDoubleParticipantId("p").split("::")[2]);
  });
});

// ------------------------------------------------------------------ real processes
const group = new ProcessGroup();
let pki: Pki;
let other: Pki;
let pg: PostgresHandle;
let work: string;
let jwksFile: string;
let signingKey: CryptoKey;
const passwordOf = (user: string) => `pw-${user}-s3:cr/t`;

/** Every database the dev plan's nodes use (unique). */
function databases(): DatabaseRef[] {
  const refs = [participant.db, plan.domain.sequencers.db, plan.domain.mediators.db, plan.domain.domainManager.db];
  return refs.filter((r, i) => refs.findIndex((x) => x.database === r.database) === i);
}

async function token(audience: string | undefined, sub = "participant_admin"): Promise<string> {
  const jwt = new jose.SignJWT({ scope: "daml_ledger_api" }).setProtectedHeader({ alg: "RS256", kid: "k1", typ: "JWT" }).setSubject(sub).setIssuedAt().setExpirationTime("1h");
  if (audience) jwt.setAudience(audience);
  return jwt.sign(signingKey);
}

/** A rendered node config made runnable here: our files, our database, ephemeral loopback ports. */
function localNodeConfig(text: string, db: DatabaseRef): string {
  return rewrite(text, [
    [files.serverChain, pki.servers.node.chain],
    [files.serverKey, pki.servers.node.key],
    [files.caChain, pki.caChain],
    [files.adminClientChain, pki.clients["admin-api"].chain],
    [files.adminClientKey, pki.clients["admin-api"].key],
    // DER, as the JDBC driver takes them: the daemon turns them into PEM for node-postgres.
    [files.dbClientCert, pki.clients[db.user].certDer],
    [files.dbClientKeyDer, pki.clients[db.user].keyPkcs8Der],
    [`serverName = "${db.server.host.fqdn}"`, 'serverName = "127.0.0.1"'],
    [/portNumber = \d+/, `portNumber = ${pg.port}`],
    [/^(\s*)port = \d+$/m, "$1port = 0"],
    ['address = "0.0.0.0"', 'address = "127.0.0.1"'],
  ]);
}

interface Daemon {
  name: string;
  grpcPort?: number;
  adminPort?: number;
  healthPort?: number;
  grpcHealthPort?: number;
  stop(): Promise<void>;
}

async function startDaemon(name: string, text: string, db: DatabaseRef): Promise<Daemon> {
  let conf = localNodeConfig(text, db);
  if (conf.includes("file:///canton/auth/jwks.json")) conf = conf.split("file:///canton/auth/jwks.json").join(`file://${jwksFile}`);
  const file = path.join(work, `${name}.conf`);
  fs.writeFileSync(file, conf);
  const args = daemonArgs().map((a) => (a === `--config=${CONFIG_FILE}` ? `--config=${file}` : a));
  const proc = group.spawn(`canton-${name}`, process.execPath, [standinBundle(), ...args], {
    // TEST TIMINGS: no 30 s start-up; the rest (Ledger API start, the rendered takeover settings) as Canton.
    env: {
      ...process.env,
      NODE_OPTIONS: "",
      HOSTNAME: name,
      [DB_PASSWORD_ENV]: passwordOf(db.user),
      STANDIN_PARENT_PID: String(process.pid),
      STANDIN_TEST_TIMINGS: "startup-ms=0",
    },
  });
  const ev = JSON.parse(await proc.waitForLine(/"event":"listening"/, 15_000)) as Record<string, number | null>;
  return {
    name,
    grpcPort: ev.grpcPort ?? undefined,
    adminPort: ev.adminPort ?? undefined,
    healthPort: ev.healthPort ?? undefined,
    grpcHealthPort: ev.grpcHealthPort ?? undefined,
    stop: () => proc.stop(),
  };
}

async function health(port: number, service = ""): Promise<number | string> {
  const c = new LedgerApiClient({ port, insecure: true });
  try {
    const r = await c.health(2000, service);
    return r.ok ? r.status! : r.codeName;
  } finally {
    c.close();
  }
}

async function until<T>(what: string, fn: () => Promise<T | undefined>, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  requireBinaries("postgres", "initdb", "openssl");
  work = fs.mkdtempSync(path.join(os.tmpdir(), "canton-cli-"));
  const users = databases().map((d) => d.user);
  [pki, other] = await Promise.all([
    generatePki({ name: "canton-cli", servers: ["node", "db"], clients: ["admin-api", ...users] }),
    generatePki({ name: "canton-cli-other", clients: ["admin-api"] }),
  ]);
  pg = await startPostgres({
    databases: databases().map((d) => ({ name: d.database, user: d.user, password: passwordOf(d.user) })),
    tls: { cert: pki.servers.db.chain, key: pki.servers.db.key, ca: pki.caChain, requireClientCert: true },
  });
  const { publicKey, privateKey } = await jose.generateKeyPair("RS256");
  signingKey = privateKey as CryptoKey;
  jwksFile = path.join(work, "jwks.json");
  fs.writeFileSync(jwksFile, JSON.stringify({ keys: [{ ...(await jose.exportJWK(publicKey)), kid: "k1", alg: "RS256", use: "sig" }] }));
}, 180_000);

afterAll(async () => {
  await group.stopAll();
  await pg?.stop();
  for (const p of [pki, other]) p?.remove();
  if (work) fs.rmSync(work, { recursive: true, force: true });
}, 60_000);

describe("daemon, for real: the participant pair from their rendered configs, on a TLS Postgres with client certificates", () => {
  let a: Daemon;
  let b: Daemon;
  beforeAll(async () => {
    const [r1, r2] = participant.replicas;
    a = await startDaemon("p1-a", render.participant(plan, participant.name, r1.index), participant.db);
    b = await startDaemon("p1-b", render.participant(plan, participant.name, r2.index), participant.db);
  }, 60_000);
  // They hold participant1's lock: the bootstrap tests below start replicas of their own.
  afterAll(() => Promise.all([a?.stop(), b?.stop()]));

  it("one replica is active: /health 200/500, gRPC health '' SERVING/NOT_SERVING, 'liveness' SERVING on both", async () => {
    const [active, passive] = await until("one active replica", async () => {
      const [ha, hb] = await Promise.all([a, b].map(async (d) => (await httpRequest(`http://127.0.0.1:${d.healthPort}/health`, { timeoutMs: 1000 })).status));
      if (ha === 200 && hb === 500) return [a, b];
      if (hb === 200 && ha === 500) return [b, a];
      return undefined;
    });
    expect(await health(active.grpcHealthPort!)).toBe(ServingStatus.SERVING);
    expect(await health(passive.grpcHealthPort!)).toBe(ServingStatus.NOT_SERVING);
    expect(await health(active.grpcHealthPort!, "liveness")).toBe(ServingStatus.SERVING);
    expect(await health(passive.grpcHealthPort!, "liveness")).toBe(ServingStatus.SERVING);
    expect(await health(passive.grpcHealthPort!, "no-such-service")).toBe("NOT_FOUND");
  });

  it("the Ledger API needs a token for the participant's audience; the admin API needs an admin client certificate", async () => {
    const target = (d: Daemon, api: "ledger-api" | "admin-api", over: object = {}) => ({
      node: d.name,
      section: "remote-participants",
      api,
      address: "localhost",
      port: api === "ledger-api" ? d.grpcPort! : d.adminPort!,
      tls: true,
      trust: pki.caChain,
      clientChain: pki.clients["admin-api"].chain,
      clientKey: pki.clients["admin-api"].key,
      ...over,
    });
    const active = await until("an active replica", async () => {
      for (const d of [a, b]) if ((await health(d.grpcHealthPort!)) === ServingStatus.SERVING) return d;
      return undefined;
    });
    const passive = active === a ? b : a;
    // Canton starts the Ledger API only on the active replica, some time after it turned active
    // (the daemon runs with the stand-in's Canton-like timings here): wait for it.
    const good = await until("the active replica's Ledger API", async () => {
      const r = await probe(target(active, "ledger-api", { token: await token(participant.auth.audience) }), 1000);
      return r.ok ? r : undefined;
    });
    expect(good).toMatchObject({ ok: true, active: true });
    expect((await probe(target(passive, "ledger-api", { token: await token(participant.auth.audience) }), 1000)).detail).toMatch(/ECONNREFUSED|No connection established/);
    expect((await probe(target(active, "ledger-api"))).detail).toMatch(/UNAUTHENTICATED: .*no bearer token/);
    expect((await probe(target(active, "ledger-api", { token: await token("https://elsewhere/ledger-api") }))).detail).toMatch(/UNAUTHENTICATED: .*audience/);
    expect((await probe(target(active, "ledger-api", { clientChain: undefined, clientKey: undefined, token: await token(participant.auth.audience) }))).ok).toBe(false);
    expect(await probe(target(active, "admin-api"))).toMatchObject({ ok: true, active: true });
    const foreign = await probe(target(active, "admin-api", { clientChain: other.clients["admin-api"].chain, clientKey: other.clients["admin-api"].key }));
    expect(foreign.ok).toBe(false);
  });
});

describe("run, for real: the bootstrap jobs against stand-in nodes started from their rendered configs", () => {
  const actual = new Map<number, number>();
  const daemons: Daemon[] = [];
  let participantRemote: string;
  let domainRemote: string;

  /**
   * The rendered remote config pointed at the local daemons: the same files, names and ports,
   * mapped. A participant job in a closed domain also names the domain manager, with the
   * domain's trust files: every trust domain the config uses is mapped.
   */
  function local(
    text: string,
    trustDomains: string[],
    pkiFiles: { ca: string; chain: string; key: string } = { ca: pki.caChain, chain: pki.clients["admin-api"].chain, key: pki.clients["admin-api"].key },
  ) {
    const files = trustDomains.flatMap((id): [string, string][] => {
      const t = trustFiles(id);
      return [
        [t.caChain, pkiFiles.ca],
        [t.adminClientChain, pkiFiles.chain],
        [t.adminClientKey, pkiFiles.key],
      ];
    });
    return rewrite(text, [...files, [/address = "[^"]+"/, 'address = "localhost"']]).replace(/^(\s*port = )(\d+)$/gm, (_, p: string, n: string) => {
      const to = actual.get(Number(n));
      if (to === undefined) throw new Error(`no local port for plan port ${n}`);
      return `${p}${to}`;
    });
  }

  beforeAll(async () => {
    const map = (planPort: number, port: number | undefined) => {
      if (actual.has(planPort)) throw new Error(`plan port ${planPort} is used twice: the mapping needs distinct ports`);
      actual.set(planPort, port!);
    };
    const d = plan.domain;
    for (const s of d.sequencers.nodes) {
      const x = await startDaemon(s.name, render.sequencer(plan, s.index), d.sequencers.db);
      map(s.publicApi.port, x.grpcPort);
      map(s.adminApi.port, x.adminPort);
      daemons.push(x);
    }
    for (const r of d.mediators.replicas) {
      const x = await startDaemon(r.host.id, render.mediator(plan, r.index), d.mediators.db);
      map(r.adminApi.port, x.adminPort);
      daemons.push(x);
    }
    const dm = await startDaemon("domain-manager", render.domainManager(plan), d.domainManager.db);
    map(d.domainManager.adminApi.port, dm.adminPort);
    daemons.push(dm);
    for (const r of participant.replicas) {
      const x = await startDaemon(`run-${r.host.id}`, render.participant(plan, participant.name, r.index), participant.db);
      map(r.ledgerApi.port, x.grpcPort);
      map(r.adminApi.port, x.adminPort);
      daemons.push(x);
    }
    participantRemote = local(participantRemoteConfig(participant, plan.stack, 300, "test"), [participant.trustDomain.id, d.trustDomain.id]);
    domainRemote = local(domainRemoteConfig(d, plan.stack, 300, "test"), [d.trustDomain.id]);
  }, 120_000);

  const run = async (remote: string, script: string, env: NodeJS.ProcessEnv, timeoutMs = 15_000) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runRemote(remote, script, { env, out: (l) => out.push(l), err: (l) => err.push(l), timeoutMs, retryMs: 200 });
    return { code, out, err: err.join("\n") };
  };

  it("the participant job: mTLS to both replicas' admin and Ledger APIs with the token; reports as a real run does", async () => {
    const script = renderScript(participantScript(participant), plan.stack);
    const r = await run(participantRemote, script, { [ADMIN_TOKEN_ENV]: await token(participant.auth.audience) });
    expect(r.code, r.err).toBe(0);
    const reports = reportsOf(r.out.join("\n"));
    expect(reports[0]).toBe(`start participant-${participant.name}`);
    expect(reports.at(-1)).toBe(`done participant-${participant.name}`);
    expect(participantIdsOf(reports)).toEqual({ [participant.name]: testDoubleParticipantId(participant.name) });
    expect(partyIdsOf(reports)).toEqual({ [participant.name]: Object.fromEntries(participant.parties.map((h) => [h, testDoublePartyId(participant.name, h)])) });
    for (const rep of participant.replicas) {
      for (const api of ["admin-api", "ledger-api"]) expect(r.err).toMatch(new RegExp(`ok +${participant.name}_${rep.index} ${api} .*mTLS`));
    }
    // One replica is passive: as on Canton, its Ledger API port refuses connections.
    expect(r.err).toMatch(new RegExp(`ok +${participant.name}_\\d ledger-api .*passive: no Ledger API listener`));
  });

  it("the domain job: every sequencer (public API: TLS; admin API: mTLS), mediator and the domain manager", async () => {
    const r = await run(domainRemote, renderScript(domainScript(plan.domain), plan.stack), {});
    expect(r.code, r.err).toBe(0);
    expect(reportsOf(r.out.join("\n"))).toEqual(["start domain", "done domain"]);
    for (const s of plan.domain.sequencers.nodes) {
      expect(r.err).toMatch(new RegExp(`ok +${s.name} public-api .*\\(TLS\\)`));
      expect(r.err).toMatch(new RegExp(`ok +${s.name} admin-api .*mTLS`));
    }
  });

  it("fails, naming the API, without the token, or with a client certificate of another CA", async () => {
    const script = renderScript(participantScript(participant), plan.stack);
    const noToken = await run(participantRemote, script, {}, 1500);
    expect(noToken.code).toBe(1);
    expect(noToken.err).toMatch(new RegExp(`FAILED: cannot reach ${participant.name}_\\d ledger-api .*UNAUTHENTICATED`));
    expect(noToken.out.join("\n")).not.toMatch(/participant-id/);
    const foreignText = local(participantRemoteConfig(participant, plan.stack, 300, "test"), [participant.trustDomain.id, plan.domain.trustDomain.id], {
      ca: pki.caChain,
      chain: other.clients["admin-api"].chain,
      key: other.clients["admin-api"].key,
    });
    const foreign = await run(foreignText, script, { [ADMIN_TOKEN_ENV]: await token(participant.auth.audience) }, 1500);
    expect(foreign.code).toBe(1);
    expect(foreign.err).toMatch(new RegExp(`FAILED: cannot reach ${participant.name}_\\d admin-api`));
  });

  it("the bundle as `canton run`: exit 0 and the reports on stdout; exit 1 within the config's console timeout when a node is down", async () => {
    const remote = path.join(work, "remote.conf");
    const script = path.join(work, "domain.canton");
    fs.writeFileSync(remote, domainRemote);
    fs.writeFileSync(script, renderScript(domainScript(plan.domain), plan.stack));
    const args = runArgs("domain").map((x) => (x === `--config=${REMOTE_CONFIG_FILE}` ? `--config=${remote}` : x === scriptFile("domain") ? script : x));
    const ok = group.spawn("canton-run-ok", process.execPath, [standinBundle(), ...args], { env: { ...process.env, NODE_OPTIONS: "" } });
    expect((await ok.exited).code, ok.output()).toBe(0);
    expect(ok.lines().filter((l) => l.startsWith(`${MARKER} `))).toEqual([`${MARKER} start domain`, `${MARKER} done domain`]);

    // One sequencer down: the job fails once the console's bounded timeout (rendered 300s, here 2s) is over.
    const seq = daemons.find((x) => x.name === plan.domain.sequencers.nodes[1].name)!;
    await seq.stop();
    fs.writeFileSync(remote, domainRemote.replace('bounded = "300s"', 'bounded = "2s"'));
    const t0 = Date.now();
    const failed = group.spawn("canton-run-fail", process.execPath, [standinBundle(), ...args], { env: { ...process.env, NODE_OPTIONS: "" } });
    expect((await failed.exited).code).toBe(1);
    expect(Date.now() - t0).toBeLessThan(15_000);
    expect(failed.output()).toMatch(new RegExp(`FAILED: cannot reach ${seq.name} public-api`));
    expect(failed.output()).toMatch(new RegExp(`FAILED: cannot reach ${seq.name} admin-api`));
  }, 60_000);
});
