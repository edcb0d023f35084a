/**
 * TEST DOUBLE — part of the canton-ha stand-in Canton node (see ./README.md).
 * This is NOT Canton. It imitates a Canton 2.x replica at the edges the
 * deployment touches (TLS/mTLS gRPC API, HTTP /health is-active check,
 * active/passive via a Postgres advisory lock, set_passive()), nothing more.
 */
import * as fs from "node:fs";
import * as http from "node:http";
import * as net from "node:net";
import type { AddressInfo } from "node:net";
import * as grpc from "@grpc/grpc-js";
import { Client as PgClient } from "pg";
import { fasterThanCanton, type StandinConfig } from "./config";
import { JwtVerifier } from "./jwt";
import {
  HEALTH_CHECK_PATH,
  LEDGER_API_VERSION_PATH,
  REPLICA_HEADER,
  ServingStatus,
  getLedgerApiVersionRequest,
  getLedgerApiVersionResponse,
  healthCheckRequest,
  healthCheckResponse,
  type GetLedgerApiVersionRequest,
  type GetLedgerApiVersionResponse,
  type HealthCheckRequest,
  type HealthCheckResponse,
} from "./proto";

/** Server credentials with minimum TLS 1.3 (Canton: minimum-server-protocol-version = TLSv1.3). */
class Tls13ServerCredentials extends grpc.ServerCredentials {
  constructor(opts: { cert: Buffer; key: Buffer; trust?: Buffer; requireClientAuth: boolean }) {
    super(
      {
        minVersion: "TLSv1.3",
        requestCert: opts.requireClientAuth,
        rejectUnauthorized: opts.requireClientAuth,
        ALPNProtocols: ["h2"],
      },
      {
        cert: opts.cert,
        key: opts.key,
        ...(opts.trust ? { ca: opts.trust } : {}),
      },
    );
  }
  _equals(other: grpc.ServerCredentials): boolean {
    return other === this;
  }
}

function hostPort(address: string, port: number): string {
  return address.includes(":") ? `[${address}]:${port}` : `${address}:${port}`;
}

/** What Canton's `HealthServer` answers on `/health` when the is-active check fails. */
export const PASSIVE_HEALTH_STATUS = 500;

export interface StandinStatus {
  name: string;
  node: string;
  role: string;
  active: boolean;
  dbConnected: boolean;
  since: number;
  cooldownUntil: number;
  writerIndex: number | null;
  /** A participant's Ledger API accepts connections (only some time after becoming active). */
  ledgerApiListening: boolean;
  pid: number;
}

type LogFields = Record<string, unknown>;

export class StandinNode {
  private active = false;
  private since = Date.now();
  private dbConnected = false;
  private cooldownUntil = 0;
  private writerIndex: number | null = null;
  private db: PgClient | null = null;
  private stopping = false;
  private timer: NodeJS.Timeout | null = null;
  private chain: Promise<unknown> = Promise.resolve();
  private servers: grpc.Server[] = [];
  private healthServer: http.Server | null = null;
  private lastDbError = "";
  /** A participant's Ledger API server: listening only while active (see ledgerApiGated). */
  private ledgerApi: grpc.Server | null = null;
  private ledgerApiTimer: NodeJS.Timeout | null = null;
  /** Bumped on every start/stop decision, so a late bind from an older decision is undone. */
  private ledgerApiGeneration = 0;

  private readonly jwt: JwtVerifier | undefined;

  grpcPort: number | undefined;
  adminPort: number | undefined;
  healthPort: number | undefined;
  grpcHealthPort: number | undefined;

  constructor(
    private readonly cfg: StandinConfig,
    private readonly out: (line: string) => void = (l) => process.stdout.write(l + "\n"),
  ) {
    this.jwt = cfg.authJwks ? new JwtVerifier({ jwksFile: cfg.authJwks, audience: cfg.authAudience, scope: cfg.authScope }) : undefined;
  }

  log(event: string, fields: LogFields = {}): void {
    this.out(JSON.stringify({ t: new Date().toISOString(), ms: Date.now(), name: this.cfg.name, role: this.cfg.role, event, ...fields }));
  }

  status(): StandinStatus {
    return {
      name: this.cfg.name,
      node: this.cfg.node,
      role: this.cfg.role,
      active: this.active,
      dbConnected: this.dbConnected,
      since: this.since,
      cooldownUntil: this.cooldownUntil,
      writerIndex: this.writerIndex,
      ledgerApiListening: this.ledgerApi !== null,
      pid: process.pid,
    };
  }

  // ---------------------------------------------------------------- lifecycle
  async start(): Promise<void> {
    const fast = fasterThanCanton(this.cfg);
    if (Object.keys(fast).length > 0) {
      // Loud on purpose: figures measured with these timings are not Canton's.
      const what = Object.entries(fast).map(([f, [v, c]]) => `--${f} ${v} (Canton-like ${c})`);
      this.out(`TEST TIMINGS: faster than Canton: ${what.join(", ")}`);
      this.log("test-timings", { fasterThanCanton: Object.fromEntries(Object.entries(fast).map(([f, [v, c]]) => [f, { value: v, cantonLike: c }])) });
    }
    // Like a Canton process: nothing listens and no lock is sought until it has started.
    this.log("starting", { startupMs: this.cfg.startupMs });
    if (this.cfg.startupMs > 0) await sleep(this.cfg.startupMs);
    if (this.stopping) return;
    if (this.cfg.grpcPort !== undefined) {
      // A participant's Ledger API listens only while active: here its port is only fixed.
      this.grpcPort = this.ledgerApiGated()
        ? await fixedPort(this.cfg.grpcAddress, this.cfg.grpcPort)
        : await this.startGrpc(this.cfg.grpcAddress, this.cfg.grpcPort, this.cfg.requireClientAuth, this.jwt);
    }
    if (this.cfg.adminPort !== undefined) {
      this.adminPort = await this.startGrpc(this.cfg.adminAddress, this.cfg.adminPort, this.cfg.adminRequireClientAuth, undefined);
    }
    if (this.cfg.grpcHealthPort !== undefined) this.grpcHealthPort = await this.startGrpcHealth();
    if (this.cfg.healthPort !== undefined) this.healthPort = await this.startHealth(this.cfg.healthPort);
    this.log("listening", {
      grpcPort: this.grpcPort ?? null,
      adminPort: this.adminPort ?? null,
      healthPort: this.healthPort ?? null,
      grpcHealthPort: this.grpcHealthPort ?? null,
      ledgerApiStartMs: this.ledgerApiGated() ? this.cfg.ledgerApiStartMs : null,
      passiveCheckMs: this.cfg.passiveCheckMs,
      healthCheckMs: this.cfg.healthCheckMs,
      healthCheckTimeoutMs: this.cfg.healthCheckTimeoutMs,
      lockId: this.cfg.lockId.toString(),
      tls: !this.cfg.insecure,
      requireClientAuth: this.cfg.requireClientAuth,
      auth: this.jwt ? { jwks: this.cfg.authJwks, audience: this.cfg.authAudience ?? null, scope: this.cfg.authScope ?? null } : null,
    });
    this.scheduleTick(0);
  }

  async stop(reason = "stop"): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    if (this.timer) clearTimeout(this.timer);
    this.log("stopping", { reason });
    this.setActive(false, "shutdown");
    await this.serial(async () => {
      const db = this.db;
      this.db = null;
      if (db) await Promise.race([db.end().catch(() => undefined), sleep(1000)]);
    });
    if (this.healthServer) {
      this.healthServer.closeAllConnections();
      await new Promise<void>((r) => this.healthServer!.close(() => r()));
    }
    await Promise.all(
      this.servers.map(
        (s) =>
          new Promise<void>((resolve) => {
            const t = setTimeout(() => {
              s.forceShutdown();
              resolve();
            }, 2000);
            s.tryShutdown(() => {
              clearTimeout(t);
              resolve();
            });
          }),
      ),
    );
    this.log("stopped");
  }

  // --------------------------------------------------------------------- gRPC
  private credentials(requireClientAuth: boolean): grpc.ServerCredentials {
    if (this.cfg.insecure) return grpc.ServerCredentials.createInsecure();
    return new Tls13ServerCredentials({
      cert: fs.readFileSync(this.cfg.certChain!),
      key: fs.readFileSync(this.cfg.key!),
      trust: this.cfg.trust ? fs.readFileSync(this.cfg.trust) : undefined,
      requireClientAuth,
    });
  }

  private startGrpc(address: string, port: number, requireClientAuth: boolean, jwt: JwtVerifier | undefined): Promise<number> {
    const server = this.grpcServer(jwt);
    this.servers.push(server);
    return bind(server, hostPort(address, port), this.credentials(requireClientAuth));
  }

  /** The services of the stand-in's gRPC APIs (health, and the Ledger API's version service). */
  private grpcServer(jwt: JwtVerifier | undefined): grpc.Server {
    const server = new grpc.Server();
    server.register<HealthCheckRequest, HealthCheckResponse>(
      HEALTH_CHECK_PATH,
      (_call: grpc.ServerUnaryCall<HealthCheckRequest, HealthCheckResponse>, callback: grpc.sendUnaryData<HealthCheckResponse>) => {
        callback(null, { status: this.active ? ServingStatus.SERVING : ServingStatus.NOT_SERVING });
      },
      healthCheckResponse.serialize,
      healthCheckRequest.deserialize,
      "unary",
    );
    server.register<GetLedgerApiVersionRequest, GetLedgerApiVersionResponse>(
      LEDGER_API_VERSION_PATH,
      (call: grpc.ServerUnaryCall<GetLedgerApiVersionRequest, GetLedgerApiVersionResponse>, callback: grpc.sendUnaryData<GetLedgerApiVersionResponse>) => {
        const md = new grpc.Metadata();
        md.set(REPLICA_HEADER, this.cfg.name);
        if (jwt) {
          // The Ledger API's public claims: any valid token of the configured audience/scope.
          // Checked before passivity, so a console reaching a passive replica learns whether its token is good.
          const auth = call.metadata.get("authorization")[0];
          const verdict = jwt.verify(typeof auth === "string" ? auth : auth?.toString("utf8"));
          if (!verdict.ok) {
            callback({ code: grpc.status.UNAUTHENTICATED, details: `stand-in ${this.cfg.name}: ${verdict.reason}`, metadata: md });
            return;
          }
        }
        if (!this.active) {
          callback({
            code: grpc.status.UNAVAILABLE,
            details: `stand-in ${this.cfg.role} replica ${this.cfg.name} of ${this.cfg.node} is passive`,
            metadata: md,
          });
          return;
        }
        call.sendMetadata(md);
        callback(null, { version: this.cfg.cantonVersion, replica: this.cfg.name });
      },
      getLedgerApiVersionResponse.serialize,
      getLedgerApiVersionRequest.deserialize,
      "unary",
    );
    return server;
  }

  // ------------------------------------------------------------ Ledger API
  /**
   * Canton starts a participant's Ledger API server only on the active replica and stops it when
   * the replica turns passive (ParticipantNodeCommon: `startLedgerApiServer = sync.isActive()`;
   * StartableStoppableLedgerApiServer). A passive replica's Ledger API port refuses connections.
   */
  private ledgerApiGated(): boolean {
    return this.cfg.role === "participant" && this.cfg.grpcPort !== undefined;
  }

  /** Active: the Ledger API listens after the modelled start time (indexer, caches, gRPC server). */
  private startLedgerApiLater(): void {
    const generation = ++this.ledgerApiGeneration;
    this.log("ledger-api-starting", { inMs: this.cfg.ledgerApiStartMs });
    this.ledgerApiTimer = setTimeout(() => void this.openLedgerApi(generation), this.cfg.ledgerApiStartMs);
  }

  private async openLedgerApi(generation: number): Promise<void> {
    const current = () => generation === this.ledgerApiGeneration && this.active && !this.stopping;
    if (!current()) return;
    const server = this.grpcServer(this.jwt);
    try {
      await bind(server, hostPort(this.cfg.grpcAddress, this.grpcPort!), this.credentials(this.cfg.requireClientAuth));
    } catch (e) {
      // The old listener may still be closing: try again shortly, as long as this decision stands.
      this.log("ledger-api-bind-failed", { error: (e as Error).message });
      server.forceShutdown();
      if (current()) this.ledgerApiTimer = setTimeout(() => void this.openLedgerApi(generation), 200);
      return;
    }
    if (!current()) {
      server.forceShutdown();
      return;
    }
    this.ledgerApi = server;
    this.log("ledger-api-listening", { port: this.grpcPort });
  }

  /** Passive or stopping: close the listener and every connection at once. */
  private stopLedgerApi(reason: string): void {
    this.ledgerApiGeneration++;
    if (this.ledgerApiTimer) clearTimeout(this.ledgerApiTimer);
    this.ledgerApiTimer = null;
    const server = this.ledgerApi;
    this.ledgerApi = null;
    if (server) {
      server.forceShutdown();
      this.log("ledger-api-stopped", { reason });
    }
  }

  /**
   * Canton's `monitoring.grpc-health-server`: plain-text gRPC health on its own port, for
   * Kubernetes `grpc` probes. `liveness` is SERVING while the process runs (a passive replica
   * must never be restarted for being passive); `""` is SERVING only while active.
   */
  private startGrpcHealth(): Promise<number> {
    const server = new grpc.Server();
    server.register<HealthCheckRequest, HealthCheckResponse>(
      HEALTH_CHECK_PATH,
      (call: grpc.ServerUnaryCall<HealthCheckRequest, HealthCheckResponse>, callback: grpc.sendUnaryData<HealthCheckResponse>) => {
        const service = call.request.service;
        if (service === "liveness") callback(null, { status: ServingStatus.SERVING });
        else if (service === "") callback(null, { status: this.active ? ServingStatus.SERVING : ServingStatus.NOT_SERVING });
        else callback({ code: grpc.status.NOT_FOUND, details: `unknown service ${JSON.stringify(service)}` });
      },
      healthCheckResponse.serialize,
      healthCheckRequest.deserialize,
      "unary",
    );
    this.servers.push(server);
    return bind(server, hostPort(this.cfg.grpcHealthAddress, this.cfg.grpcHealthPort!), grpc.ServerCredentials.createInsecure());
  }

  // ------------------------------------------------------------ HTTP /health
  private startHealth(port: number): Promise<number> {
    const server = http.createServer((req, res) => {
      const url = new URL(req.url ?? "/", "http://standin");
      const json = (code: number, body: unknown) => {
        res.writeHead(code, { "content-type": "application/json" });
        res.end(JSON.stringify(body) + "\n");
      };
      if ((req.method === "GET" || req.method === "HEAD") && url.pathname === "/health") {
        // Canton monitoring.health with check.type = is-active: 200 only on the active replica,
        // 500 otherwise (Canton 2.9 `HealthServer` answers InternalServerError when unhealthy).
        res.writeHead(this.active ? 200 : PASSIVE_HEALTH_STATUS, { "content-type": "text/plain" });
        res.end(this.active ? "active\n" : "passive\n");
      } else if (req.method === "GET" && url.pathname === "/status") {
        json(200, this.status());
      } else if (req.method === "POST" && url.pathname === "/admin/set-passive") {
        const c = url.searchParams.get("cooldown-ms");
        const cooldown = c !== null && /^\d+$/.test(c) ? Number(c) : this.cfg.passiveCooldownMs;
        this.setPassive(cooldown).then(
          (wasActive) => json(200, { ...this.status(), wasActive }),
          (e: Error) => json(500, { error: e.message }),
        );
      } else if (req.method === "POST" && url.pathname === "/admin/resume") {
        this.cooldownUntil = 0;
        this.log("resume");
        json(200, this.status());
      } else {
        json(404, { error: "not found" });
      }
    });
    this.healthServer = server;
    return new Promise((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, this.cfg.healthAddress, () => resolve((server.address() as AddressInfo).port));
    });
  }

  // ------------------------------------------------------- active / passive
  private setActive(active: boolean, reason: string, fields: LogFields = {}): void {
    if (active === this.active) return;
    this.active = active;
    this.since = Date.now();
    this.log(active ? "active" : "passive", { reason, ...fields });
    if (!this.ledgerApiGated()) return;
    if (active) this.startLedgerApiLater();
    else this.stopLedgerApi(reason);
  }

  /** Serialise all DB work (poll ticks, set-passive) on the single lock connection. */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const p = this.chain.then(fn, fn);
    this.chain = p.catch(() => undefined);
    return p;
  }

  /** Like participant.replication.set_passive(): release the lock, stay alive and passive for a cooldown. */
  setPassive(cooldownMs: number): Promise<boolean> {
    return this.serial(async () => {
      const wasActive = this.active;
      this.cooldownUntil = Date.now() + cooldownMs;
      if (this.cfg.role === "sequencer") {
        // Sequencers are active/active; stepping down is not a thing. Report only.
        this.log("set-passive-ignored", { reason: "sequencers are active/active" });
        return false;
      }
      if (wasActive && this.db) {
        // Become passive first, then release: never two actives at once.
        this.setActive(false, "set-passive", { cooldownMs });
        try {
          await this.db.query({ text: "SELECT pg_advisory_unlock($1::bigint)", values: [this.cfg.lockId.toString()] });
        } catch (e) {
          this.dbLost(e as Error);
        }
      } else {
        this.log("set-passive", { cooldownMs, wasActive });
      }
      return wasActive;
    });
  }

  private scheduleTick(delay: number): void {
    if (this.stopping) return;
    this.timer = setTimeout(() => {
      // Canton's DB-locked connection: an active replica checks its lock connection every
      // health-check period, a passive one tries for the lock every passive-check period.
      this.serial(() => this.tick()).finally(() => this.scheduleTick(this.active ? this.cfg.healthCheckMs : this.cfg.passiveCheckMs));
    }, delay);
  }

  private dbLost(err: Error): void {
    if (this.dbConnected || this.db) {
      this.log("db-lost", { error: err.message });
    }
    this.dbConnected = false;
    this.writerIndex = null;
    this.setActive(false, "db-lost");
    const db = this.db;
    this.db = null;
    if (db) {
      db.end().catch(() => undefined);
      // Make sure the socket is gone even if end() hangs on a stuck connection.
      const stream = (db as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream;
      stream?.destroy();
    }
  }

  private async connect(): Promise<PgClient | null> {
    const client = new PgClient({
      connectionString: this.cfg.dbUrl,
      connectionTimeoutMillis: this.cfg.connectionTimeoutMs,
      // Every query on the lock connection is a health check or a lock attempt: one slower than
      // the health-check timeout counts as a lost database, and the replica turns passive.
      query_timeout: this.cfg.healthCheckTimeoutMs,
      keepAlive: true,
      ...(this.cfg.keepAliveIdleMs !== undefined ? { keepAliveInitialDelayMillis: this.cfg.keepAliveIdleMs } : {}),
      application_name: `canton-standin-${this.cfg.role}-${this.cfg.name}`,
    });
    client.on("error", (e) => {
      if (this.db === client) this.dbLost(e);
    });
    client.on("end", () => {
      if (this.db === client) this.dbLost(new Error("connection ended"));
    });
    try {
      await client.connect();
    } catch (e) {
      const msg = (e as Error).message;
      if (msg !== this.lastDbError) this.log("db-connect-failed", { error: msg });
      this.lastDbError = msg;
      client.end().catch(() => undefined);
      return null;
    }
    this.lastDbError = "";
    this.db = client;
    this.dbConnected = true;
    this.log("db-connected");
    return client;
  }

  private async tick(): Promise<void> {
    if (this.stopping) return;
    const db = this.db ?? (await this.connect());
    if (!db) return;
    const key = this.cfg.lockId;
    try {
      if (this.cfg.role === "sequencer") {
        if (this.writerIndex === null) {
          // Like Canton's HA sequencer: each writer claims an index through a database lock.
          for (let i = 0; i < this.cfg.sequencerTotalNodeCount; i++) {
            const r = await db.query({ text: "SELECT pg_try_advisory_lock($1::bigint) AS ok", values: [(key + BigInt(i)).toString()] });
            if (r.rows[0].ok === true) {
              this.writerIndex = i;
              this.setActive(true, "writer-index-acquired", { writerIndex: i });
              return;
            }
          }
          this.log("no-free-writer-index", { total: this.cfg.sequencerTotalNodeCount });
        } else {
          await db.query("SELECT 1");
        }
        return;
      }
      if (this.active) {
        // Session-level lock: held as long as this connection lives. Probe it.
        await db.query("SELECT 1");
      } else if (Date.now() >= this.cooldownUntil) {
        const r = await db.query({ text: "SELECT pg_try_advisory_lock($1::bigint) AS ok", values: [key.toString()] });
        if (r.rows[0].ok === true) this.setActive(true, "lock-acquired");
      } else {
        await db.query("SELECT 1");
      }
    } catch (e) {
      this.dbLost(e as Error);
    }
  }
}

function bind(server: grpc.Server, address: string, creds: grpc.ServerCredentials): Promise<number> {
  return new Promise((resolve, reject) => {
    server.bindAsync(address, creds, (err, bound) => {
      if (err) reject(err);
      else resolve(bound);
    });
  });
}

/** The port itself, or for 0 a free one picked now: the Ledger API must reopen on the same port. */
async function fixedPort(address: string, port: number): Promise<number> {
  if (port !== 0) return port;
  const probe = net.createServer();
  await new Promise<void>((resolve, reject) => {
    probe.once("error", reject);
    probe.listen(0, address, () => resolve());
  });
  const picked = (probe.address() as AddressInfo).port;
  await new Promise<void>((r) => probe.close(() => r()));
  return picked;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
