// haproxy.cfg for a sequencer or participant proxy (HAProxy 2.6). Pure: spec in, text out.
//
// Why each setting is there (measurements in docs/load-balancer.md):
// - A participant replica gets calls only while it SERVES. Canton starts the Ledger API only
//   on the active replica, seconds after `/health` turns 200, and stops it when the replica
//   turns passive (`StartableStoppableLedgerApiServer`, `startLedgerApiServer =
//   sync.isActive()` in `ParticipantNodeCommon`, main-2.x at 2.9); the admin API runs on every
//   replica. So the Ledger API backend checks `/health` = 200 (active; 500 at once when it
//   steps down, while its listener may still be closing) AND that the Ledger API port accepts
//   a connection (started). The admin API backend checks `/health` alone.
// - `/health` is plain HTTP/1 on its own port: `http-check connect` + `no-check-ssl` open a
//   separate plain connection for it; without them the check inherits `proto h2`/TLS from
//   the server line, fails on every replica, and the whole participant goes dark.
// - HAProxy 2.6 has no sample fetch for a server's own port inside a check ruleset, only
//   `srv_id`/`srv_name`; so each Ledger API server's `id` is its port, and the second connect
//   goes to `port srv_id`. Ports are unique per backend (checkSpec), as ids must be.
// - `downinter` is short so the replica that has just taken over joins within tens of ms;
//   `inter` (up servers) bounds how long a replica that stepped down keeps getting calls.
// - `observe layer4` + `on-error mark-down`: the first refused connection to a killed
//   replica takes it out at once, instead of waiting for the checks.
// - `retry-on conn-failure` + `option redispatch 1`: a call whose connection failed is sent
//   to another backend. Calls that reached a replica are never replayed.
// - `on-marked-down shutdown-sessions`: streams on a replica that left the pool are cut,
//   so long-lived subscriptions reconnect to the new active replica.
// - `http-request lua.await_backend`: while a backend has no server up (the old active is
//   out, the new one not yet in), calls wait in the proxy, polling every 10 ms, for at most
//   `holdWhileUnavailableMs`, instead of failing at once with 503. A takeover then costs
//   latency, not failed calls.
// - TLS 1.3 only on both sides, as Canton's `minimum-server-protocol-version`.
import { checkSpec, hostPort, ProxySpec, safeToken } from "./spec";

const ms = (n: number) => `${n}ms`;

function logTarget(target: string): string {
    if (target === "stdout" || target === "stderr") return target;
    // HAProxy logs to syslog targets or stdout/stderr only; files go through a syslog daemon.
    throw new Error(`haproxy can log to stdout or stderr only, not '${target}'`);
}

/** The Lua action behind `holdWhileUnavailableMs`; the component writes it next to the config. */
export const AWAIT_BACKEND_LUA = `-- Rendered by canton-ha. Holds an HTTP request while its backend has no usable server,
-- polling every 10 ms for at most max_ms, then lets HAProxy route it (or answer 503).
core.register_action("await_backend", { "http-req" }, function(txn, backend, max_ms)
    local rounds = math.floor(tonumber(max_ms) / 10)
    for _ = 1, rounds do
        if txn.f:nbsrv(backend) > 0 then return end
        core.msleep(10)
    end
end, 2)
`;

export function renderHaproxy(spec: ProxySpec): string {
    checkSpec(spec);
    const s = spec.settings;
    const f = spec.files;
    const hc = s.healthCheck;
    const lines: string[] = [];
    const add = (...l: string[]) => lines.push(...l);
    const participant = spec.role === "participant";

    add(
        `# ${spec.name} proxy (${participant ? "active replica only, mTLS" : "round-robin, TLS"}). Rendered by canton-ha; edits are overwritten.`,
        "global",
        `    log ${logTarget(spec.runtime.errorLog)} format raw local0 info`,
        "    maxconn 4096",
        "    ssl-default-bind-options ssl-min-ver TLSv1.3",
        "    ssl-default-server-options ssl-min-ver TLSv1.3",
        "    hard-stop-after 10s",
        ...(s.holdWhileUnavailableMs > 0 ? [`    lua-load ${safeToken("path", luaFile(spec))}`, `    tune.lua.session-timeout ${s.holdWhileUnavailableMs + 1000}ms`] : []),
        "",
        "defaults",
        "    mode http",
        "    log global",
        ...(spec.runtime.accessLog === "off" ? [] : ["    option httplog"]),
        "    option dontlognull",
        `    timeout connect ${ms(s.connectTimeoutMs)}`,
        `    timeout client ${s.idleTimeoutSeconds}s`,
        `    timeout server ${s.idleTimeoutSeconds}s`,
        "    timeout http-request 10s",
        `    timeout check ${ms(hc.timeoutMs)}`,
        `    retries ${s.retries}`,
        "    retry-on conn-failure",
        "    option redispatch 1",
    );

    const serverTls = [
        "ssl verify required",
        `ca-file ${safeToken("path", f.backendCa)}`,
        ...(participant ? [`crt ${safeToken("path", f.backendClientPem!)}`] : []),
        "alpn h2",
    ].join(" ");
    const checks = [
        "check",
        `inter ${ms(hc.intervalMs)}`,
        `fastinter ${ms(hc.intervalMs)}`,
        `downinter ${ms(hc.downIntervalMs)}`,
        `fall ${hc.fall}`,
        `rise ${hc.rise}`,
        "observe layer4 error-limit 1 on-error mark-down",
        "on-marked-down shutdown-sessions",
    ].join(" ");

    for (const l of spec.listeners) {
        const name = `${safeToken("proxy name", spec.name)}-${safeToken("listener", l.name)}`;
        const bind = [
            `bind ${hostPort(safeToken("bind address", spec.bindAddress), l.port)}`,
            `ssl crt ${safeToken("path", f.serverPem)}`,
            "alpn h2",
            ...(participant ? [`verify required ca-file ${safeToken("path", f.clientCa!)}`] : []),
        ].join(" ");
        add("", `frontend ${name}`, `    ${bind}`);
        if (s.holdWhileUnavailableMs > 0) add(`    http-request lua.await_backend ${name} ${s.holdWhileUnavailableMs}`);
        add(`    default_backend ${name}`);
        add("", `backend ${name}`, "    balance roundrobin");
        const ledgerApi = participant && l.name === LEDGER_API;
        if (participant) add(...participantCheck(ledgerApi));
        add(`    default-server ${serverTls} ${checks}`);
        for (const b of spec.backends) {
            const tlsName = safeToken("TLS name", b.tlsName);
            const port = b.ports[l.name];
            const id = ledgerApi ? ` id ${port}` : "";
            const health = participant ? ` port ${b.healthPort} no-check-ssl` : "";
            add(`    server ${safeToken("server id", b.id)} ${hostPort(safeToken("address", b.address), port)}${id} sni str(${tlsName}) verifyhost ${tlsName}${health}`);
        }
    }
    return lines.join("\n") + "\n";
}

/** The listener whose backend must also see the Ledger API accept connections. */
const LEDGER_API = "ledger-api";

/**
 * A participant backend's check: `/health` 200 on its plain HTTP/1 port (the server's check
 * port); for the Ledger API also a TCP connect to the server's own port (`id` = port, see the
 * header). A passive replica refuses it; a replica that has just become active refuses it
 * until its Ledger API has started.
 */
function participantCheck(ledgerApi: boolean): string[] {
    return [
        ledgerApi
            ? "    # serves: /health 200 (active) on the plain-HTTP health port, and the Ledger API port accepts (started)"
            : "    # active: /health 200 on the plain-HTTP health port (the admin API runs on every replica)",
        "    option httpchk",
        "    http-check connect",
        "    http-check send meth GET uri /health ver HTTP/1.1 hdr host localhost",
        "    http-check expect status 200",
        ...(ledgerApi ? ['    http-check connect port srv_id comment "Ledger API not listening"'] : []),
    ];
}

function luaFile(spec: ProxySpec): string {
    if (!spec.files.haproxyLua) throw new Error(`proxy ${spec.name}: holdWhileUnavailableMs needs files.haproxyLua`);
    return spec.files.haproxyLua;
}
