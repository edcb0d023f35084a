// nginx.conf for a sequencer or participant proxy (NGINX 1.22 open source). Pure: spec in, text out.
//
// NGINX OSS has no active health checks: it reacts to failed connections only. Replica 1 is
// the primary, the others are `backup`s, as in the reference.
// - Ledger API: Canton runs it on the active replica only (`startLedgerApiServer =
//   sync.isActive()`, `StartableStoppableLedgerApiServer`), so a passive or stepped-down
//   primary REFUSES the connection, and `grpc_next_upstream error` moves the call to a backup.
//   Between "old active stepped down" and "new active's Ledger API listens" every replica
//   refuses and calls fail with UNAVAILABLE; NGINX cannot hold them as HAProxy does.
// - Admin API: it runs on every replica, so a passive primary accepts and answers (commands
//   that need the active replica fail there, e.g. `PassiveReplica`). NGINX keeps sending admin
//   calls to the primary as long as it runs, active or not (docs/load-balancer.md).
//
// - `ssl_protocols` / `grpc_ssl_protocols TLSv1.3`: 1.22's defaults lack TLS 1.3, and Canton
//   requires it, so without these every call is a 502.
// - 502/503/504 from the proxy itself become gRPC UNAVAILABLE (14); a missing or foreign
//   client certificate becomes UNAUTHENTICATED (16) instead of an HTTP 400.
// - `grpc_next_upstream error timeout`: only failed connections move to the next backend;
//   a call that reached a replica is never replayed (no `non_idempotent`).
// - NGINX checks one certificate name per location, so backends are verified against their
//   trust domain's CA and the name every server certificate of the plan carries (`localhost`);
//   HAProxy checks each backend's own name.
import { checkSpec, hostPort, ProxySpec, safeToken } from "./spec";

function logPath(target: string): string {
    if (target === "stdout") return "/dev/stdout";
    if (target === "stderr") return "stderr";
    return safeToken("log path", target);
}

/** The certificate name NGINX verifies on every backend (see the header). */
const NGINX_BACKEND_TLS_NAME = "localhost";

export function renderNginx(spec: ProxySpec): string {
    checkSpec(spec);
    const s = spec.settings;
    const f = spec.files;
    const rt = spec.runtime;
    const participant = spec.role === "participant";
    const tmp = safeToken("temp dir", rt.tempDir);
    const out: string[] = [];
    const add = (...l: string[]) => out.push(...l);

    add(
        `# ${spec.name} proxy (${participant ? "primary replica + backups, mTLS" : "round-robin, TLS"}). Rendered by canton-ha; edits are overwritten.`,
        "worker_processes auto;",
        `pid ${safeToken("pid file", rt.pidFile)};`,
        `error_log ${logPath(rt.errorLog)} warn;`,
        "",
        "events {",
        "    worker_connections 4096;",
        "}",
        "",
        "http {",
        `    access_log ${rt.accessLog === "off" ? "off" : logPath(rt.accessLog)};`,
        "    server_tokens off;",
        `    client_body_temp_path ${tmp}/client_body;`,
        `    proxy_temp_path ${tmp}/proxy;`,
        `    fastcgi_temp_path ${tmp}/fastcgi;`,
        `    uwsgi_temp_path ${tmp}/uwsgi;`,
        `    scgi_temp_path ${tmp}/scgi;`,
        "    # gRPC messages and streams: no body limit, long idle limits (sequencer subscriptions).",
        "    client_max_body_size 0;",
        `    client_body_timeout ${s.idleTimeoutSeconds}s;`,
        `    keepalive_timeout ${s.idleTimeoutSeconds}s;`,
        `    grpc_connect_timeout ${s.connectTimeoutMs}ms;`,
        `    grpc_read_timeout ${s.idleTimeoutSeconds}s;`,
        `    grpc_send_timeout ${s.idleTimeoutSeconds}s;`,
        "    grpc_next_upstream error timeout;",
        `    grpc_next_upstream_tries ${s.retries + 1};`,
        "    # Backends: TLS 1.3, verified against the trust domain's CA.",
        "    grpc_ssl_protocols TLSv1.3;",
        "    grpc_ssl_verify on;",
        "    grpc_ssl_verify_depth 2;",
        `    grpc_ssl_trusted_certificate ${safeToken("path", f.backendCa)};`,
        `    grpc_ssl_name ${NGINX_BACKEND_TLS_NAME};`,
        "    grpc_ssl_server_name on;",
        "    grpc_ssl_session_reuse on;",
        ...(participant
            ? [
                  "    # The proxy's own client certificate towards the replicas.",
                  `    grpc_ssl_certificate ${safeToken("path", f.backendClientChain!)};`,
                  `    grpc_ssl_certificate_key ${safeToken("path", f.backendClientKey!)};`,
              ]
            : []),
    );

    for (const l of spec.listeners) {
        const name = `${safeToken("proxy name", spec.name)}-${safeToken("listener", l.name)}`;
        add("", `    upstream ${name} {`);
        spec.backends.forEach((b, i) => {
            const backup = participant && i > 0 ? " backup" : "";
            add(
                `        server ${hostPort(safeToken("address", b.address), b.ports[l.name])} max_fails=1 fail_timeout=${s.failTimeoutSeconds}s${backup};  # ${safeToken("server id", b.id)}`,
            );
        });
        add("        keepalive 32;", "    }");
        add(
            "",
            "    server {",
            `        listen ${hostPort(safeToken("bind address", spec.bindAddress), l.port)} ssl http2;`,
            `        ssl_certificate ${safeToken("path", f.serverChain)};`,
            `        ssl_certificate_key ${safeToken("path", f.serverKey)};`,
            "        ssl_protocols TLSv1.3;",
            ...(participant ? [`        ssl_client_certificate ${safeToken("path", f.clientCa!)};`, "        ssl_verify_client on;", "        ssl_verify_depth 2;"] : []),
            "        location / {",
            `            grpc_pass grpcs://${name};`,
            "        }",
            "        error_page 502 503 504 = @grpc_unavailable;",
            ...(participant ? ["        error_page 495 496 = @grpc_unauthenticated;"] : []),
            "        location @grpc_unavailable {",
            "            default_type application/grpc;",
            "            add_header grpc-status 14 always;",
            `            add_header grpc-message "${name}: no backend available" always;`,
            "            return 204;",
            "        }",
            ...(participant
                ? [
                      "        location @grpc_unauthenticated {",
                      "            default_type application/grpc;",
                      "            add_header grpc-status 16 always;",
                      '            add_header grpc-message "client certificate missing or not trusted" always;',
                      "            return 204;",
                      "        }",
                  ]
                : []),
            "    }",
        );
    }
    add("}");
    return out.join("\n") + "\n";
}
