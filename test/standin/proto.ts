/**
 * TEST DOUBLE — part of the canton-ha stand-in Canton node (see ./README.md).
 * This is NOT Canton. It replaces a Canton 2.x replica in tests only.
 *
 * Minimal hand-written protobuf wire encoding for the few messages the
 * stand-in speaks, so no protobuf code generation is needed.
 */

/** Encode an unsigned varint (values < 2^53 are enough here). */
export function encodeVarint(value: number): Buffer {
  const bytes: number[] = [];
  let v = value;
  while (v > 0x7f) {
    bytes.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  bytes.push(v);
  return Buffer.from(bytes);
}

function decodeVarint(buf: Buffer, offset: number): [number, number] {
  let result = 0;
  let mul = 1;
  let pos = offset;
  for (;;) {
    if (pos >= buf.length) throw new Error("truncated varint");
    const b = buf[pos++];
    result += (b & 0x7f) * mul;
    if ((b & 0x80) === 0) break;
    mul *= 0x80;
  }
  return [result, pos];
}

export type ProtoFields = Map<number, Array<number | Buffer>>;

/** Decode a message into field number -> values (varints as numbers, length-delimited as Buffers). */
export function decodeMessage(buf: Buffer): ProtoFields {
  const out: ProtoFields = new Map();
  let pos = 0;
  while (pos < buf.length) {
    const [key, p1] = decodeVarint(buf, pos);
    pos = p1;
    const field = Math.floor(key / 8);
    const wire = key & 7;
    let value: number | Buffer;
    if (wire === 0) {
      [value, pos] = decodeVarint(buf, pos);
    } else if (wire === 2) {
      const [len, p2] = decodeVarint(buf, pos);
      value = buf.subarray(p2, p2 + len);
      pos = p2 + len;
    } else if (wire === 1) {
      value = buf.subarray(pos, pos + 8);
      pos += 8;
    } else if (wire === 5) {
      value = buf.subarray(pos, pos + 4);
      pos += 4;
    } else {
      throw new Error(`unsupported wire type ${wire}`);
    }
    const list = out.get(field) ?? [];
    list.push(value);
    out.set(field, list);
  }
  return out;
}

export function encodeStringField(field: number, value: string): Buffer {
  const data = Buffer.from(value, "utf8");
  return Buffer.concat([encodeVarint(field * 8 + 2), encodeVarint(data.length), data]);
}

export function encodeVarintField(field: number, value: number): Buffer {
  return Buffer.concat([encodeVarint(field * 8), encodeVarint(value)]);
}

export function getString(fields: ProtoFields, field: number): string | undefined {
  const v = fields.get(field)?.[0];
  return Buffer.isBuffer(v) ? v.toString("utf8") : undefined;
}

export function getVarint(fields: ProtoFields, field: number): number | undefined {
  const v = fields.get(field)?.[0];
  return typeof v === "number" ? v : undefined;
}

// ---- grpc.health.v1 ----------------------------------------------------------
// message HealthCheckRequest { string service = 1; }
// message HealthCheckResponse { enum ServingStatus { UNKNOWN = 0; SERVING = 1; NOT_SERVING = 2; SERVICE_UNKNOWN = 3; } ServingStatus status = 1; }
export const HEALTH_CHECK_PATH = "/grpc.health.v1.Health/Check";
export enum ServingStatus {
  UNKNOWN = 0,
  SERVING = 1,
  NOT_SERVING = 2,
  SERVICE_UNKNOWN = 3,
}
export interface HealthCheckRequest {
  service: string;
}
export interface HealthCheckResponse {
  status: ServingStatus;
}
export const healthCheckRequest = {
  serialize: (m: HealthCheckRequest): Buffer => (m.service ? encodeStringField(1, m.service) : Buffer.alloc(0)),
  deserialize: (b: Buffer): HealthCheckRequest => ({ service: getString(decodeMessage(b), 1) ?? "" }),
};
export const healthCheckResponse = {
  // proto3: a zero enum value is simply omitted on the wire.
  serialize: (m: HealthCheckResponse): Buffer => (m.status ? encodeVarintField(1, m.status) : Buffer.alloc(0)),
  deserialize: (b: Buffer): HealthCheckResponse => ({ status: getVarint(decodeMessage(b), 1) ?? ServingStatus.UNKNOWN }),
};

// ---- com.daml.ledger.api.v1.VersionService ------------------------------------
// message GetLedgerApiVersionRequest { string ledger_id = 1; }
// message GetLedgerApiVersionResponse { string version = 1; FeaturesDescriptor features = 2; }
// The stand-in adds field 15 (string) carrying the replica id. Real protobuf
// clients ignore unknown fields; the replica id is also sent as the response
// header `x-standin-replica`.
export const LEDGER_API_VERSION_PATH = "/com.daml.ledger.api.v1.VersionService/GetLedgerApiVersion";
export const REPLICA_FIELD = 15;
export const REPLICA_HEADER = "x-standin-replica";
export interface GetLedgerApiVersionRequest {
  ledgerId: string;
}
export interface GetLedgerApiVersionResponse {
  version: string;
  replica: string;
}
export const getLedgerApiVersionRequest = {
  serialize: (m: GetLedgerApiVersionRequest): Buffer => (m.ledgerId ? encodeStringField(1, m.ledgerId) : Buffer.alloc(0)),
  deserialize: (b: Buffer): GetLedgerApiVersionRequest => ({ ledgerId: getString(decodeMessage(b), 1) ?? "" }),
};
export const getLedgerApiVersionResponse = {
  serialize: (m: GetLedgerApiVersionResponse): Buffer => Buffer.concat([encodeStringField(1, m.version), encodeStringField(REPLICA_FIELD, m.replica)]),
  deserialize: (b: Buffer): GetLedgerApiVersionResponse => {
    const f = decodeMessage(b);
    return { version: getString(f, 1) ?? "", replica: getString(f, REPLICA_FIELD) ?? "" };
  },
};
