/**
 * Test support: a gRPC client for the stand-in's ledger-API-like call
 * (com.daml.ledger.api.v1.VersionService/GetLedgerApiVersion) and the
 * standard grpc.health.v1 check, over TLS (optionally with a client cert),
 * always with a deadline. Loopback targets only.
 *
 * `call()` never throws for RPC failures: it returns {ok, code, replica, ms}.
 */
import * as fs from "node:fs";
import * as tls from "node:tls";
import * as grpc from "@grpc/grpc-js";
import {
  HEALTH_CHECK_PATH,
  LEDGER_API_VERSION_PATH,
  REPLICA_HEADER,
  ServingStatus,
  getLedgerApiVersionRequest,
  getLedgerApiVersionResponse,
  healthCheckRequest,
  healthCheckResponse,
  type GetLedgerApiVersionResponse,
  type HealthCheckResponse,
} from "../standin/proto";

export interface LedgerClientOptions {
  /** Loopback host; default 127.0.0.1. */
  host?: string;
  port: number;
  /** PEM trust for the server cert (file path or contents). Omit with `insecure`. */
  ca?: string | Buffer;
  /** Client cert chain + key for mTLS (file paths or contents). */
  cert?: string | Buffer;
  key?: string | Buffer;
  /** TLS SNI / target name override (default: `localhost` when host is an IP literal). */
  serverName?: string;
  /** Restrict the client's TLS versions, e.g. max "TLSv1.2" to prove TLS 1.3 is enforced. */
  minTlsVersion?: tls.SecureVersion;
  maxTlsVersion?: tls.SecureVersion;
  /** Plaintext (debug only). */
  insecure?: boolean;
  /** A Ledger API JWT, sent as `authorization: Bearer <token>` on ledger calls. */
  token?: string;
  /** Extra channel options, e.g. reconnect backoff for benchmarks. */
  channelOptions?: grpc.ChannelOptions;
}

export interface CallResult {
  ok: boolean;
  /** gRPC status code (0 = OK, 14 = UNAVAILABLE, 4 = DEADLINE_EXCEEDED, ...). */
  code: number;
  codeName: string;
  /** Which replica answered (from the response, or the error's metadata), if known. */
  replica?: string;
  version?: string;
  details?: string;
  ms: number;
}

export interface HealthResult extends Omit<CallResult, "replica" | "version"> {
  status?: ServingStatus;
}

const LOOPBACK = new Set(["127.0.0.1", "localhost", "::1", "[::1]"]);
/** The test cluster's own bridge, pod and service ranges (tools/cluster/lib.sh), which its scripts create on this machine. */
const OWN_CLUSTER = /^10\.213\.\d{1,3}\.\d{1,3}$/;

function load(v: string | Buffer | undefined): Buffer | undefined {
  if (v === undefined) return undefined;
  if (Buffer.isBuffer(v)) return v;
  return v.includes("-----BEGIN") ? Buffer.from(v) : fs.readFileSync(v);
}

export function codeName(code: number): string {
  return (grpc.status as unknown as Record<number, string>)[code] ?? `CODE_${code}`;
}

export class LedgerApiClient {
  readonly target: string;
  private readonly client: grpc.Client;
  private readonly token?: string;

  constructor(opts: LedgerClientOptions) {
    const host = opts.host ?? "127.0.0.1";
    if (!LOOPBACK.has(host) && !OWN_CLUSTER.test(host)) throw new Error(`refusing gRPC target ${host}: only loopback and the test cluster's own 10.213.0.0/16`);
    this.token = opts.token;
    const bare = host.replace(/^\[|\]$/g, "");
    this.target = bare.includes(":") ? `[${bare}]:${opts.port}` : `${bare}:${opts.port}`;
    let creds: grpc.ChannelCredentials;
    if (opts.insecure) {
      creds = grpc.credentials.createInsecure();
    } else {
      const ctx = tls.createSecureContext({
        ca: load(opts.ca),
        cert: load(opts.cert),
        key: load(opts.key),
        ...(opts.minTlsVersion ? { minVersion: opts.minTlsVersion } : {}),
        ...(opts.maxTlsVersion ? { maxVersion: opts.maxTlsVersion } : {}),
      });
      creds = grpc.credentials.createFromSecureContext(ctx);
    }
    const channelOptions: grpc.ChannelOptions = { ...opts.channelOptions };
    // An IP literal as TLS SNI is not allowed (RFC 6066) and makes node warn; the
    // test certs carry DNS:localhost, so verify against that name by default.
    const serverName = opts.serverName ?? (opts.insecure || !/^[\d.:[\]]+$/.test(host) ? undefined : "localhost");
    if (serverName) {
      channelOptions["grpc.ssl_target_name_override"] = serverName;
      channelOptions["grpc.default_authority"] = serverName;
    }
    this.client = new grpc.Client(this.target, creds, channelOptions);
  }

  /** GetLedgerApiVersion with a deadline; resolves with the outcome, never rejects. */
  call(deadlineMs = 2000): Promise<CallResult> {
    const start = performance.now();
    return new Promise((resolve) => {
      let headerReplica: string | undefined;
      const call = this.client.makeUnaryRequest<{ ledgerId: string }, GetLedgerApiVersionResponse>(
        LEDGER_API_VERSION_PATH,
        getLedgerApiVersionRequest.serialize,
        getLedgerApiVersionResponse.deserialize,
        { ledgerId: "" },
        this.metadata(),
        { deadline: Date.now() + deadlineMs },
        (err, res) => {
          const ms = Math.round((performance.now() - start) * 10) / 10;
          if (err) {
            const r = err.metadata?.get(REPLICA_HEADER)?.[0];
            resolve({ ok: false, code: err.code, codeName: codeName(err.code), details: err.details, replica: r !== undefined ? String(r) : headerReplica, ms });
          } else {
            resolve({ ok: true, code: 0, codeName: "OK", replica: res?.replica || headerReplica, version: res?.version, ms });
          }
        },
      );
      call.on("metadata", (md: grpc.Metadata) => {
        const r = md.get(REPLICA_HEADER)?.[0];
        if (r !== undefined) headerReplica = String(r);
      });
    });
  }

  private metadata(): grpc.Metadata {
    const md = new grpc.Metadata();
    if (this.token) md.set("authorization", `Bearer ${this.token}`);
    return md;
  }

  /** grpc.health.v1.Health/Check with a deadline. */
  health(deadlineMs = 2000, service = ""): Promise<HealthResult> {
    const start = performance.now();
    return new Promise((resolve) => {
      this.client.makeUnaryRequest<{ service: string }, HealthCheckResponse>(
        HEALTH_CHECK_PATH,
        healthCheckRequest.serialize,
        healthCheckResponse.deserialize,
        { service },
        new grpc.Metadata(),
        { deadline: Date.now() + deadlineMs },
        (err, res) => {
          const ms = Math.round((performance.now() - start) * 10) / 10;
          if (err) resolve({ ok: false, code: err.code, codeName: codeName(err.code), details: err.details, ms });
          else resolve({ ok: true, code: 0, codeName: "OK", status: res?.status, ms });
        },
      );
    });
  }

  close(): void {
    this.client.close();
  }
}

/** One call on a fresh channel (new TLS handshake each time), then close. */
export async function callLedgerApi(opts: LedgerClientOptions & { deadlineMs?: number }): Promise<CallResult> {
  const c = new LedgerApiClient(opts);
  try {
    return await c.call(opts.deadlineMs ?? 2000);
  } finally {
    c.close();
  }
}

export async function checkGrpcHealth(opts: LedgerClientOptions & { deadlineMs?: number }): Promise<HealthResult> {
  const c = new LedgerApiClient(opts);
  try {
    return await c.health(opts.deadlineMs ?? 2000);
  } finally {
    c.close();
  }
}
