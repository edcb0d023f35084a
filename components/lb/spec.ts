// What a proxy renderer needs, with every address, port and path as an input. Production
// derives it from the plan (`proxySpecFromPlan`); artifact tests and the failover benchmark
// substitute loopback addresses, ephemeral ports and temp-dir paths, and render with the
// very same functions.
import type { LoadBalancerConfig } from "../config";
import type { Listener, ProxyPlan, ProxyRole } from "../plan/types";

export type { ProxyRole };
export type LbSettings = Omit<LoadBalancerConfig, "kind" | "image">;

/** Files the proxy reads; the component writes them into the container. */
export interface ProxyFiles {
    /** Leaf + intermediate + root of the proxy's server certificate (NGINX `ssl_certificate`). */
    serverChain: string;
    /** Its PKCS#8 key (NGINX `ssl_certificate_key`). */
    serverKey: string;
    /** Chain followed by key in one file (HAProxy `crt`). */
    serverPem: string;
    /** Intermediate + root that client certificates must chain to (participant proxies). */
    clientCa?: string;
    /** Intermediate + root that backend server certificates must chain to. */
    backendCa: string;
    /** The proxy's own client certificate towards the backends (participant proxies). */
    backendClientChain?: string;
    backendClientKey?: string;
    /** Chain followed by key (HAProxy server `crt`). */
    backendClientPem?: string;
    /** HAProxy: the Lua action that holds calls while no backend is up (see haproxy.ts). */
    haproxyLua?: string;
}

/** Process-level paths: where the proxy keeps its pid, logs and (NGINX) temp files. */
interface ProxyRuntime {
    /** `stdout`/`stderr` or a file. */
    errorLog: string;
    /** Access log target, or `off`. */
    accessLog: string;
    /** NGINX pid file and temp directories. */
    pidFile: string;
    tempDir: string;
}

interface ProxyBackend {
    /** Server name in the config and in logs, e.g. `participant1-2`. */
    id: string;
    /** Where to connect: DNS name or IP literal (IPv6 without brackets). */
    address: string;
    /** The name the backend's certificate is checked against. */
    tlsName: string;
    /** Port per listener name (`ledger-api`, `admin-api`, `public-api`). */
    ports: Record<string, number>;
    /** Plain-HTTP `/health` (is-active) port; participants only. */
    healthPort?: number;
}

export interface ProxySpec {
    /** `sequencer` or the participant name: prefixes frontend/backend names. */
    name: string;
    /**
     * `sequencer`: round-robin over active/active backends, TLS without client certs.
     * `participant`: only the active replica (by /health), mTLS on both sides.
     */
    role: ProxyRole;
    /** Listen address: `0.0.0.0` in a container, a loopback address in tests. */
    bindAddress: string;
    listeners: Listener[];
    backends: ProxyBackend[];
    settings: LbSettings;
    files: ProxyFiles;
    runtime: ProxyRuntime;
}

/** Where proxies keep their files inside their container (one layout for both kinds). */
const PROXY_TLS_DIR = "/etc/canton-ha-proxy/tls";
export const CONTAINER_FILES: ProxyFiles = {
    serverChain: `${PROXY_TLS_DIR}/server-chain.pem`,
    serverKey: `${PROXY_TLS_DIR}/server.key`,
    serverPem: `${PROXY_TLS_DIR}/server.pem`,
    clientCa: `${PROXY_TLS_DIR}/client-ca-chain.pem`,
    backendCa: `${PROXY_TLS_DIR}/backend-ca-chain.pem`,
    backendClientChain: `${PROXY_TLS_DIR}/backend-client-chain.pem`,
    backendClientKey: `${PROXY_TLS_DIR}/backend-client.key`,
    backendClientPem: `${PROXY_TLS_DIR}/backend-client.pem`,
    haproxyLua: "/etc/canton-ha-proxy/await-backend.lua",
};
export const CONTAINER_RUNTIME: ProxyRuntime = {
    errorLog: "stderr",
    accessLog: "stdout",
    pidFile: "/tmp/canton-ha-proxy.pid",
    tempDir: "/tmp/canton-ha-proxy",
};

/** The settings part of the config: everything but the kind and image. */
export function lbSettings(lb: LoadBalancerConfig): LbSettings {
    const { kind: _kind, image: _image, ...settings } = lb;
    return settings;
}

/** The production spec: backends by their DNS names on the stack network, container paths. */
export function proxySpecFromPlan(proxy: ProxyPlan, settings: LbSettings = lbSettings(proxy.loadBalancer)): ProxySpec {
    const role = proxy.role;
    const files: ProxyFiles =
        role === "participant"
            ? CONTAINER_FILES
            : {
                  serverChain: CONTAINER_FILES.serverChain,
                  serverKey: CONTAINER_FILES.serverKey,
                  serverPem: CONTAINER_FILES.serverPem,
                  backendCa: CONTAINER_FILES.backendCa,
                  haproxyLua: CONTAINER_FILES.haproxyLua,
              };
    return {
        name: proxy.fronts,
        role,
        bindAddress: "0.0.0.0",
        listeners: proxy.listeners,
        backends: proxy.backends.map((b) => ({ id: b.host.id, address: b.host.fqdn, tlsName: b.host.fqdn, ports: b.ports, healthPort: b.healthPort })),
        settings,
        files,
        runtime: CONTAINER_RUNTIME,
    };
}

/** `host:port`, bracketing IPv6 literals. */
export function hostPort(address: string, port: number): string {
    return address.includes(":") ? `[${address}]:${port}` : `${address}:${port}`;
}

/** Rejects values that would break out of a config line (they come from validated config, but be sure). */
export function safeToken(what: string, value: string): string {
    if (!/^[A-Za-z0-9_.:/@[\]-]+$/.test(value)) throw new Error(`${what} '${value}' cannot be written into a proxy config`);
    return value;
}

export function checkSpec(spec: ProxySpec): void {
    if (spec.listeners.length === 0) throw new Error(`proxy ${spec.name}: no listeners`);
    if (spec.backends.length === 0) throw new Error(`proxy ${spec.name}: no backends`);
    for (const b of spec.backends) {
        for (const l of spec.listeners) {
            if (b.ports[l.name] === undefined) throw new Error(`proxy ${spec.name}: backend ${b.id} has no ${l.name} port`);
        }
        if (spec.role === "participant" && b.healthPort === undefined) throw new Error(`proxy ${spec.name}: backend ${b.id} has no health port`);
    }
    if (spec.role === "participant") {
        // HAProxy checks that each replica's Ledger API accepts, and names the server by that port.
        if (!spec.listeners.some((l) => l.name === "ledger-api")) throw new Error(`proxy ${spec.name}: a participant proxy needs a ledger-api listener`);
        const ports = spec.backends.map((b) => b.ports["ledger-api"]);
        if (new Set(ports).size !== ports.length) throw new Error(`proxy ${spec.name}: two backends share Ledger API port ${ports.find((p, i) => ports.indexOf(p) !== i)}`);
    }
    if (spec.role === "participant" && (!spec.files.clientCa || !spec.files.backendClientPem || !spec.files.backendClientChain || !spec.files.backendClientKey)) {
        throw new Error(`proxy ${spec.name}: a participant proxy needs the client CA and its own backend client certificate`);
    }
}
