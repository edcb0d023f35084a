/**
 * Real proxies (Debian's nginx 1.22 / haproxy 2.6) in front of stand-in replicas (a TEST
 * DOUBLE for Canton, see test/standin/README.md) on a real Postgres 15, for the artifact
 * tests and bench/failover.ts. The proxy configs come from the production renderers; only
 * addresses, ports and file paths are substituted. Loopback (127.0.0.1) only.
 */
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { parseConfig } from "../../components/config";
import { AWAIT_BACKEND_LUA, renderHaproxy } from "../../components/lb/haproxy";
import { renderNginx } from "../../components/lb/nginx";
import { lbSettings, type LbSettings, type ProxyFiles, type ProxyRole, type ProxySpec } from "../../components/lb/spec";
import { requireBinaries } from "../support/binaries";
import type { LedgerClientOptions } from "../support/grpc-client";
import { generatePki, type Pki } from "../support/pki";
import { startPostgres, type PostgresHandle } from "../support/postgres";
import { freePort, ProcessGroup, waitForPort, type ManagedProcess } from "../support/processes";
import { startStandin, type StandinHandle, type StandinOptions } from "../support/standin";

const execFileP = promisify(execFile);

export type ProxyKind = "haproxy" | "nginx";

/** The project's defaults for the LB keys, exactly as a stack without LB config gets them. */
export function defaultSettings(): LbSettings {
    return lbSettings(parseConfig({ "canton-ha:platform": "none" }).loadBalancer);
}

export interface LbEnv {
    dir: string;
    group: ProcessGroup;
    pg: PostgresHandle;
    domain: Pki;
    participant: Pki;
    /** Another participant's PKI: its client certs must be rejected by participant1's proxy. */
    other: Pki;
    bins: { nginx: string; haproxy: string };
    /** Client credentials (participant1 CA) for calls through the participant proxy. */
    participantClient(port: number): LedgerClientOptions;
    sequencerClient(port: number): LedgerClientOptions;
    stop(): Promise<void>;
}

export async function setUpLbEnv(label = "lb"): Promise<LbEnv> {
    const bins = requireBinaries("nginx", "haproxy", "postgres", "initdb", "openssl");
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `canton-ha-${label}-`));
    const [domain, participant, other] = await Promise.all([
        generatePki({ name: "lb-domain", dir: path.join(dir, "pki-domain"), servers: ["sequencer1", "sequencer2", "sequencer-proxy"] }),
        generatePki({
            name: "lb-participant1",
            dir: path.join(dir, "pki-participant1"),
            servers: ["participant1-1", "participant1-2", "participant1-proxy"],
            clients: ["alice", "participant1-proxy"],
        }),
        generatePki({ name: "lb-participant2", dir: path.join(dir, "pki-participant2"), clients: ["alice"] }),
    ]);
    const pg = await startPostgres({
        databases: [
            { name: "participant1", user: "participant1" },
            { name: "sequencer", user: "sequencer" },
        ],
    });
    const group = new ProcessGroup();
    return {
        dir,
        group,
        pg,
        domain,
        participant,
        other,
        bins: { nginx: bins.nginx, haproxy: bins.haproxy },
        participantClient: (port) => ({ port, ca: participant.caChain, cert: participant.clients.alice.chain, key: participant.clients.alice.key }),
        sequencerClient: (port) => ({ port, ca: domain.caChain }),
        async stop() {
            await group.stopAll();
            await pg.stop();
            fs.rmSync(dir, { recursive: true, force: true });
        },
    };
}

/** One replica's fixed ports, so a killed replica can come back on the same ones (scenario C). */
export interface ReplicaSlot {
    id: string;
    /** Participant: the Ledger API (listens only while active); sequencer: the public API. */
    grpcPort: number;
    /** Participant: the admin API, which listens on every replica, as Canton's does. */
    adminPort: number;
    healthPort: number;
}

/** Slots `participant1-1`, `participant1-2` / `sequencer1`, `sequencer2` (the plan's host ids). */
export async function replicaSlots(prefix: string, n: number, separator = "-"): Promise<ReplicaSlot[]> {
    const out: ReplicaSlot[] = [];
    for (let i = 1; i <= n; i++) out.push({ id: `${prefix}${separator}${i}`, grpcPort: await freePort(), adminPort: await freePort(), healthPort: await freePort() });
    return out;
}

/**
 * `timings` as the stand-in launcher takes them: by default the Ledger API opens
 * TEST_LEDGER_API_START_MS after activation (a test timing, logged as such by the stand-in);
 * `cantonTimings: true` keeps the stand-in's Canton-like defaults.
 */
export function startParticipantReplica(
    env: LbEnv,
    slot: ReplicaSlot,
    generation = 0,
    lockPollMs = 100,
    timings: Pick<StandinOptions, "ledgerApiStartMs" | "cantonTimings"> = {},
): Promise<StandinHandle> {
    const opts: StandinOptions = {
        name: generation === 0 ? slot.id : `${slot.id}.${generation}`,
        role: "participant",
        node: "participant1",
        dbUrl: env.pg.url("participant1"),
        grpcPort: slot.grpcPort,
        adminPort: slot.adminPort,
        healthPort: slot.healthPort,
        certChain: env.participant.servers[slot.id].chain,
        key: env.participant.servers[slot.id].key,
        trust: env.participant.caChain,
        requireClientAuth: true,
        lockPollMs,
        ...timings,
    };
    return startStandin(env.group, opts);
}

export function startSequencer(env: LbEnv, slot: ReplicaSlot, generation = 0): Promise<StandinHandle> {
    return startStandin(env.group, {
        name: generation === 0 ? slot.id : `${slot.id}.${generation}`,
        role: "sequencer",
        node: "sequencer",
        dbUrl: env.pg.url("sequencer"),
        grpcPort: slot.grpcPort,
        healthPort: slot.healthPort,
        certChain: env.domain.servers[slot.id].chain,
        key: env.domain.servers[slot.id].key,
    });
}

/** Proxy cert files in a temp dir, laid out like the container's, plus the HAProxy combined PEMs. */
function proxyFiles(env: LbEnv, role: ProxyRole, dir: string): ProxyFiles {
    const pki = role === "participant" ? env.participant : env.domain;
    const server = pki.servers[role === "participant" ? "participant1-proxy" : "sequencer-proxy"];
    const cat = (out: string, ...files: string[]) => {
        fs.writeFileSync(out, files.map((f) => fs.readFileSync(f, "utf8").trim() + "\n").join(""), { mode: 0o600 });
        return out;
    };
    const files: ProxyFiles = {
        serverChain: server.chain,
        serverKey: server.key,
        serverPem: cat(path.join(dir, "server.pem"), server.chain, server.key),
        backendCa: pki.caChain,
        haproxyLua: path.join(dir, "await-backend.lua"),
    };
    fs.writeFileSync(files.haproxyLua!, AWAIT_BACKEND_LUA);
    if (role === "participant") {
        const client = env.participant.clients["participant1-proxy"];
        files.clientCa = env.participant.caChain;
        files.backendClientChain = client.chain;
        files.backendClientKey = client.key;
        files.backendClientPem = cat(path.join(dir, "backend-client.pem"), client.chain, client.key);
    }
    return files;
}

export interface ProxyUnderTest {
    kind: ProxyKind;
    /** `project` or a reference label. */
    label: string;
    configPath: string;
    config: string;
    ports: Record<string, number>;
    proc?: ManagedProcess;
}

/**
 * The spec production would render, with loopback addresses, these slots' ports and temp
 * paths substituted. `tlsName` is `localhost`: the test certificates' SAN (production uses the fqdn).
 */
export function loopbackSpec(env: LbEnv, role: ProxyRole, slots: ReplicaSlot[], listenerPorts: Record<string, number>, settings: LbSettings, dir: string): ProxySpec {
    fs.mkdirSync(dir, { recursive: true });
    const listeners = Object.entries(listenerPorts).map(([name, port]) => ({ name, port }));
    return {
        name: role === "participant" ? "participant1" : "sequencer",
        role,
        bindAddress: "127.0.0.1",
        listeners,
        backends: slots.map((s) => ({
            id: s.id,
            address: "127.0.0.1",
            tlsName: "localhost",
            // The stand-in serves the same services on both ports; the admin port stays open on a passive replica.
            ports: Object.fromEntries(listeners.map((l) => [l.name, l.name === "admin-api" ? s.adminPort : s.grpcPort])),
            healthPort: role === "participant" ? s.healthPort : undefined,
        })),
        settings,
        files: proxyFiles(env, role, dir),
        runtime: { errorLog: "stderr", accessLog: "off", pidFile: path.join(dir, "nginx.pid"), tempDir: path.join(dir, "tmp") },
    };
}

export function render(kind: ProxyKind, spec: ProxySpec): string {
    return kind === "haproxy" ? renderHaproxy(spec) : renderNginx(spec);
}

function nginxArgs(configPath: string, dir: string): string[] {
    return ["-e", "stderr", "-p", dir, "-c", configPath, "-g", "daemon off;"];
}

/** `haproxy -c` / `nginx -t` on a config file; resolves with the output, rejects with it. */
export async function validateConfig(env: LbEnv, kind: ProxyKind, configPath: string): Promise<string> {
    const [bin, args] = kind === "haproxy" ? [env.bins.haproxy, ["-c", "-f", configPath]] : [env.bins.nginx, ["-t", ...nginxArgs(configPath, path.dirname(configPath))]];
    try {
        const { stdout, stderr } = await execFileP(bin, args, { timeout: 20_000 });
        return stdout + stderr;
    } catch (e) {
        const err = e as Error & { stdout?: string; stderr?: string };
        throw new Error(`${kind} rejected ${configPath}:\n${err.stdout ?? ""}${err.stderr ?? err.message}`);
    }
}

export function writeConfig(kind: ProxyKind, dir: string, text: string, name = kind): string {
    fs.mkdirSync(path.join(dir, "tmp"), { recursive: true });
    const p = path.join(dir, `${name}.${kind === "haproxy" ? "cfg" : "conf"}`);
    fs.writeFileSync(p, text);
    return p;
}

/** Starts the proxy in the foreground under the process group and waits for its listeners. */
export async function startProxy(env: LbEnv, kind: ProxyKind, label: string, configPath: string, ports: Record<string, number>): Promise<ProxyUnderTest> {
    const dir = path.dirname(configPath);
    const proc =
        kind === "haproxy"
            ? env.group.spawn(`haproxy-${label}`, env.bins.haproxy, ["-W", "-db", "-f", configPath])
            : env.group.spawn(`nginx-${label}`, env.bins.nginx, nginxArgs(configPath, dir));
    try {
        for (const port of Object.values(ports)) await waitForPort(port, "127.0.0.1", 10_000);
    } catch (e) {
        throw new Error(`${kind} (${label}) did not listen: ${(e as Error).message}\n${proc.output().slice(-3000)}`);
    }
    return { kind, label, configPath, config: fs.readFileSync(configPath, "utf8"), ports, proc };
}
