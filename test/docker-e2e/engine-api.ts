// A small client for the Docker Engine API over the local socket (HTTP on /var/run/docker.sock):
// the dozen calls the harness makes, each named as in the API reference (v1.41, Docker 20.10).
// Written on node:http rather than taking a client package: the calls are few and plain, and
// what the harness sends is then visible here, next to what the provider sends.
import * as http from "node:http";

export const DOCKER_SOCKET = process.env.CANTON_HA_DOCKER_SOCKET ?? "/var/run/docker.sock";
/** Docker 20.10 serves API 1.41; newer engines still accept it. */
const API = "/v1.41";

export class EngineError extends Error {
    constructor(
        readonly status: number,
        readonly call: string,
        message: string,
    ) {
        super(`${call}: HTTP ${status}: ${message}`);
    }
}

interface Call {
    method: string;
    path: string;
    query?: Record<string, string | number | boolean | undefined>;
    json?: unknown;
    body?: Buffer | NodeJS.ReadableStream;
    contentType?: string;
    timeoutMs?: number;
}

function url(c: Call): string {
    const q = Object.entries(c.query ?? {})
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`)
        .join("&");
    return `${API}${c.path}${q ? `?${q}` : ""}`;
}

/** One request; resolves with the status, headers and whole body (errors are HTTP >= 400). */
function request(c: Call): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
    const name = `${c.method} ${c.path}`;
    return new Promise((resolve, reject) => {
        const headers: Record<string, string> = {};
        let payload: Buffer | NodeJS.ReadableStream | undefined = c.body;
        if (c.json !== undefined) {
            payload = Buffer.from(JSON.stringify(c.json));
            headers["content-type"] = "application/json";
        } else if (c.contentType) headers["content-type"] = c.contentType;
        const req = http.request({ socketPath: DOCKER_SOCKET, method: c.method, path: url(c), headers, timeout: c.timeoutMs ?? 120_000 }, (res) => {
            const chunks: Buffer[] = [];
            res.on("data", (d: Buffer) => chunks.push(d));
            res.on("end", () => {
                const body = Buffer.concat(chunks);
                const status = res.statusCode ?? 0;
                if (status >= 400) {
                    let message = body.toString();
                    try {
                        message = (JSON.parse(message) as { message?: string }).message ?? message;
                    } catch {
                        // not JSON: keep the text
                    }
                    reject(new EngineError(status, name, message.trim()));
                } else resolve({ status, headers: res.headers, body });
            });
            res.on("error", reject);
        });
        req.on("timeout", () => req.destroy(new Error(`${name}: no answer within ${c.timeoutMs ?? 120_000} ms`)));
        req.on("error", (e) => reject(e.message.includes(name) ? e : new Error(`${name}: ${e.message} (is dockerd running? socket ${DOCKER_SOCKET})`)));
        if (payload === undefined) req.end();
        else if (Buffer.isBuffer(payload)) req.end(payload);
        else payload.pipe(req);
    });
}

const json = async <T>(c: Call): Promise<T> => {
    const r = await request(c);
    return (r.body.length ? JSON.parse(r.body.toString()) : undefined) as T;
};

/** Splits the multiplexed stdout/stderr stream of a non-TTY container (the API's stream format). */
export function demux(raw: Buffer): { stdout: string; stderr: string } {
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    for (let i = 0; i + 8 <= raw.length;) {
        const size = raw.readUInt32BE(i + 4);
        const frame = raw.subarray(i + 8, i + 8 + size);
        (raw[i] === 2 ? err : out).push(frame);
        i += 8 + size;
    }
    return { stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() };
}

export const docker = {
    version: () => json<{ Version: string; ApiVersion: string }>({ method: "GET", path: "/version" }),
    imageInspect: (ref: string) => json<{ Id: string; Config: { User?: string } }>({ method: "GET", path: `/images/${encodeURIComponent(ref)}/json` }),
    /** `docker load`: the archive as a stream. */
    imageLoad: async (archive: NodeJS.ReadableStream) => {
        const r = await request({ method: "POST", path: "/images/load", query: { quiet: true }, body: archive, contentType: "application/x-tar", timeoutMs: 600_000 });
        // Errors of a load arrive in the JSON stream with HTTP 200.
        const text = r.body.toString();
        const failed = text
            .split("\n")
            .filter(Boolean)
            .map((l) => JSON.parse(l) as { error?: string; errorDetail?: { message: string } })
            .find((m) => m.error);
        if (failed) throw new EngineError(200, "POST /images/load", failed.error!);
        return text;
    },
    networkCreate: (body: object) => json<{ Id: string }>({ method: "POST", path: "/networks/create", json: body }),
    networkRemove: (id: string) => request({ method: "DELETE", path: `/networks/${encodeURIComponent(id)}` }),
    networkConnect: (net: string, body: object) => request({ method: "POST", path: `/networks/${encodeURIComponent(net)}/connect`, json: body }),
    networkDisconnect: (net: string, body: object) => request({ method: "POST", path: `/networks/${encodeURIComponent(net)}/disconnect`, json: body }),
    networks: (nameFilter: string) => json<Array<{ Id: string; Name: string }>>({ method: "GET", path: "/networks", query: { filters: JSON.stringify({ name: [nameFilter] }) } }),
    volumeCreate: (body: object) => json<{ Name: string }>({ method: "POST", path: "/volumes/create", json: body }),
    volumeRemove: (name: string) => request({ method: "DELETE", path: `/volumes/${encodeURIComponent(name)}` }),
    volumeInspect: (name: string) => json<{ Name: string; CreatedAt: string }>({ method: "GET", path: `/volumes/${encodeURIComponent(name)}` }),
    volumes: (nameFilter: string) =>
        json<{ Volumes: Array<{ Name: string; CreatedAt: string }> | null }>({ method: "GET", path: "/volumes", query: { filters: JSON.stringify({ name: [nameFilter] }) } }),
    containerCreate: (name: string, body: object) => json<{ Id: string; Warnings: string[] }>({ method: "POST", path: "/containers/create", query: { name }, json: body }),
    /** PUT /containers/{id}/archive: extracts the tar under `path` (as `docker cp` does). */
    putArchive: (id: string, path: string, tar: Buffer) =>
        request({ method: "PUT", path: `/containers/${id}/archive`, query: { path }, body: tar, contentType: "application/x-tar" }),
    /** HEAD /containers/{id}/archive: the stat of a path (name, size, mode, mtime; no owner). */
    statPath: async (id: string, path: string) => {
        const r = await request({ method: "HEAD", path: `/containers/${id}/archive`, query: { path } });
        return JSON.parse(Buffer.from(String(r.headers["x-docker-container-path-stat"]), "base64").toString()) as { name: string; size: number; mode: number };
    },
    start: (id: string) => request({ method: "POST", path: `/containers/${id}/start` }),
    inspect: (id: string) => json<ContainerInspect>({ method: "GET", path: `/containers/${encodeURIComponent(id)}/json` }),
    /** Blocks until the condition holds (`not-running` returns at once for an exited container). */
    wait: (id: string, timeoutMs: number) => json<{ StatusCode: number }>({ method: "POST", path: `/containers/${id}/wait`, query: { condition: "not-running" }, timeoutMs }),
    logs: async (id: string) => {
        const r = await request({ method: "GET", path: `/containers/${id}/logs`, query: { stdout: true, stderr: true } });
        return demux(r.body);
    },
    kill: (id: string, signal = "KILL") => request({ method: "POST", path: `/containers/${id}/kill`, query: { signal } }),
    stop: (id: string, seconds: number) => request({ method: "POST", path: `/containers/${id}/stop`, query: { t: seconds }, timeoutMs: (seconds + 30) * 1000 }),
    remove: (id: string, removeVolumes: boolean) => request({ method: "DELETE", path: `/containers/${id}`, query: { v: removeVolumes, force: true } }),
    containers: (nameFilter: string) =>
        json<Array<{ Id: string; Names: string[]; State: string }>>({
            method: "GET",
            path: "/containers/json",
            query: { all: true, filters: JSON.stringify({ name: [nameFilter] }) },
        }),
    /** `docker exec` without a TTY: the output and the exit code. */
    exec: async (id: string, cmd: string[], user?: string) => {
        const e = await json<{ Id: string }>({ method: "POST", path: `/containers/${id}/exec`, json: { Cmd: cmd, AttachStdout: true, AttachStderr: true, User: user } });
        const r = await request({ method: "POST", path: `/exec/${e.Id}/start`, json: { Detach: false, Tty: false } });
        const done = await json<{ ExitCode: number }>({ method: "GET", path: `/exec/${e.Id}/json` });
        return { ...demux(r.body), exitCode: done.ExitCode };
    },
};

export interface ContainerInspect {
    Id: string;
    Name: string;
    RestartCount: number;
    State: { Status: string; Running: boolean; ExitCode: number; Pid: number; Health?: { Status: string; Log?: Array<{ ExitCode: number; Output: string }> } };
    Config: {
        User: string;
        Env: string[];
        Labels: Record<string, string>;
        Healthcheck?: { Test: string[]; Interval: number; Timeout: number; StartPeriod: number; Retries: number };
    };
    HostConfig: { RestartPolicy: { Name: string; MaximumRetryCount: number }; PortBindings: Record<string, Array<{ HostIp: string; HostPort: string }>> };
    NetworkSettings: { Networks: Record<string, { Aliases: string[] | null }> };
    Mounts: Array<{ Type: string; Name?: string; Destination: string }>;
}

export async function dockerAvailable(): Promise<string | undefined> {
    try {
        const v = await docker.version();
        return `${v.Version} (API ${v.ApiVersion})`;
    } catch {
        return undefined;
    }
}
