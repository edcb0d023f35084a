/**
 * Test support: spawn and kill helper processes with bounded waits.
 * Every process is registered in a ProcessGroup; call `group.stopAll()` in
 * afterAll (or use `useProcessGroup()` inside a vitest describe) so nothing
 * outlives the test file. Only 127.0.0.1 / ::1 are ever contacted.
 */
import { spawn, type ChildProcess, type SpawnOptions } from "node:child_process";
import * as http from "node:http";
import * as net from "node:net";

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** A free TCP port on 127.0.0.1 (bound then released; tiny race window accepted). */
export function freePort(host = "127.0.0.1"): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.once("error", reject);
    srv.listen(0, host, () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

/** Poll `fn` until it returns a truthy value or the deadline passes. */
export async function waitFor<T>(what: string, fn: () => Promise<T | undefined | null | false> | T | undefined | null | false, timeoutMs = 10_000, intervalMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastErr: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v as T;
    } catch (e) {
      lastErr = e;
    }
    if (Date.now() >= deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastErr ? ` (last error: ${(lastErr as Error).message})` : ""}`);
    }
    await sleep(intervalMs);
  }
}

export function canConnect(port: number, host = "127.0.0.1", timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = net.connect({ port, host });
    const done = (ok: boolean) => {
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(timeoutMs, () => done(false));
    sock.once("connect", () => done(true));
    sock.once("error", () => done(false));
  });
}

export function waitForPort(port: number, host = "127.0.0.1", timeoutMs = 10_000): Promise<true> {
  return waitFor(`${host}:${port} to accept connections`, () => canConnect(port, host), timeoutMs);
}

export interface HttpResult {
  status: number;
  body: string;
}

/** Plain HTTP/1 request to a loopback address, with a timeout. */
export function httpRequest(url: string, opts: { method?: string; timeoutMs?: number } = {}): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    if (!["127.0.0.1", "localhost", "[::1]"].includes(u.hostname)) {
      reject(new Error(`refusing non-loopback URL ${url}`));
      return;
    }
    const req = http.request(url, { method: opts.method ?? "GET", timeout: opts.timeoutMs ?? 2000, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
      res.on("error", reject);
    });
    req.on("timeout", () => req.destroy(new Error(`timeout after ${opts.timeoutMs ?? 2000} ms: ${url}`)));
    req.on("error", reject);
    req.end();
  });
}

export function waitForHttp200(url: string, timeoutMs = 10_000): Promise<HttpResult> {
  return waitFor(
    `${url} to answer 200`,
    async () => {
      const r = await httpRequest(url, { timeoutMs: 1000 });
      return r.status === 200 ? r : undefined;
    },
    timeoutMs,
  );
}

export interface ManagedProcess {
  name: string;
  child: ChildProcess;
  pid: number;
  /** Combined stdout+stderr seen so far (bounded). */
  output(): string;
  /** Lines of stdout so far. */
  lines(): string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  isRunning(): boolean;
  /** Resolve with the first stdout line matching `re` (already-seen lines count). */
  waitForLine(re: RegExp, timeoutMs?: number): Promise<string>;
  kill(signal?: NodeJS.Signals): void;
  /** SIGTERM, wait up to graceMs, then SIGKILL. */
  stop(graceMs?: number): Promise<void>;
}

const MAX_OUTPUT = 256 * 1024;

export class ProcessGroup {
  private procs: ManagedProcess[] = [];

  spawn(name: string, command: string, args: string[], options: SpawnOptions = {}): ManagedProcess {
    const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"], ...options });
    if (child.pid === undefined) {
      throw new Error(`failed to spawn ${name}: ${command}`);
    }
    let out = "";
    const lineList: string[] = [];
    let partial = "";
    const waiters: Array<{ re: RegExp; resolve: (l: string) => void }> = [];
    const append = (s: string) => {
      out += s;
      if (out.length > MAX_OUTPUT) out = out.slice(out.length - MAX_OUTPUT);
    };
    child.stdout?.on("data", (d: Buffer) => {
      const s = d.toString("utf8");
      append(s);
      partial += s;
      const parts = partial.split("\n");
      partial = parts.pop() ?? "";
      for (const line of parts) {
        lineList.push(line);
        if (lineList.length > 10_000) lineList.shift();
        for (let i = waiters.length - 1; i >= 0; i--) {
          if (waiters[i].re.test(line)) {
            waiters[i].resolve(line);
            waiters.splice(i, 1);
          }
        }
      }
    });
    child.stderr?.on("data", (d: Buffer) => append(d.toString("utf8")));
    let running = true;
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
      child.once("exit", (code, signal) => {
        running = false;
        resolve({ code, signal });
      });
      child.once("error", () => {
        running = false;
        resolve({ code: null, signal: null });
      });
    });
    const proc: ManagedProcess = {
      name,
      child,
      pid: child.pid,
      output: () => out,
      lines: () => [...lineList],
      exited,
      isRunning: () => running,
      waitForLine: (re, timeoutMs = 10_000) => {
        const seen = lineList.find((l) => re.test(l));
        if (seen !== undefined) return Promise.resolve(seen);
        return new Promise((resolve, reject) => {
          const t = setTimeout(() => {
            reject(new Error(`${name}: no line matching ${re} within ${timeoutMs} ms; output:\n${out.slice(-4000)}`));
          }, timeoutMs);
          const w = {
            re,
            resolve: (l: string) => {
              clearTimeout(t);
              resolve(l);
            },
          };
          waiters.push(w);
          void exited.then(({ code, signal }) => {
            const i = waiters.indexOf(w);
            if (i >= 0) {
              waiters.splice(i, 1);
              clearTimeout(t);
              reject(new Error(`${name} exited (code ${code}, signal ${signal}) before printing ${re}; output:\n${out.slice(-4000)}`));
            }
          });
        });
      },
      kill: (signal = "SIGTERM") => {
        if (running) child.kill(signal);
      },
      stop: async (graceMs = 5000) => {
        if (!running) return;
        child.kill("SIGTERM");
        const t = await Promise.race([exited.then(() => "exited"), sleep(graceMs).then(() => "timeout")]);
        if (t === "timeout" && running) {
          child.kill("SIGKILL");
          await Promise.race([exited, sleep(2000)]);
        }
      },
    };
    this.procs.push(proc);
    return proc;
  }

  list(): ManagedProcess[] {
    return [...this.procs];
  }

  /** Stop everything spawned through this group (reverse order), bounded in time. */
  async stopAll(graceMs = 5000): Promise<void> {
    const procs = this.procs.reverse();
    this.procs = [];
    await Promise.all(procs.map((p) => p.stop(graceMs).catch(() => undefined)));
  }
}
