// The reference deployment's proxy configs, as the seeds and the Canton manual give them,
// for comparison in bench/failover.ts. Written by hand on purpose: they are NOT produced by
// the project's renderers. Only what is needed to run them at all is changed:
// - TLS 1.3 (`ssl_protocols`, `grpc_ssl_protocols`): nginx 1.22's defaults lack it, and the
//   backends require it, so without it every call is a 502;
// - HAProxy gets `http-check connect` (as in the Canton manual's example), else every check
//   fails and the whole participant is down;
// - loopback addresses, test ports and file paths.
// Timing is left at the reference's values (NGINX `fail_timeout=15`, HAProxy's default check
// timing: inter 2s, fall 3, rise 2).
import type { ProxySpec } from "../components/lb/spec";

/** The reference NGINX participant proxy (the walkthrough's): primary + backup, passive health only. */
export function referenceNginx(spec: ProxySpec): string {
    const [p1, p1b] = spec.backends;
    const f = spec.files;
    const port = spec.listeners[0].port;
    const ledger = spec.listeners[0].name;
    return `# reference NGINX participant proxy (the walkthrough's), TLS 1.3 added
worker_processes auto;
pid ${spec.runtime.pidFile};
error_log stderr warn;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path ${spec.runtime.tempDir}/client_body;
    proxy_temp_path ${spec.runtime.tempDir}/proxy;
    fastcgi_temp_path ${spec.runtime.tempDir}/fastcgi;
    uwsgi_temp_path ${spec.runtime.tempDir}/uwsgi;
    scgi_temp_path ${spec.runtime.tempDir}/scgi;
    upstream participant1 {
        server ${p1.address}:${p1.ports[ledger]} fail_timeout=15;
        server ${p1b.address}:${p1b.ports[ledger]} backup;
    }
    server {
        listen ${spec.bindAddress}:${port} ssl http2;
        ssl_certificate ${f.serverChain};
        ssl_certificate_key ${f.serverKey};
        ssl_protocols TLSv1.3;
        ssl_client_certificate ${f.clientCa};
        ssl_verify_client on;
        location / {
            grpc_pass grpcs://participant1;
            grpc_next_upstream error timeout invalid_header http_500 http_502 http_503 http_504;
            grpc_ssl_protocols TLSv1.3;
            grpc_ssl_certificate ${f.backendClientChain};
            grpc_ssl_certificate_key ${f.backendClientKey};
            grpc_ssl_trusted_certificate ${f.backendCa};
            grpc_ssl_verify on;
            grpc_ssl_name ${p1.tlsName};
        }
        error_page 502 = /error502grpc;
        location = /error502grpc {
            internal;
            default_type application/grpc;
            add_header grpc-status 14;
            add_header content-length 0;
            return 204;
        }
    }
}
`;
}

/** The reference HAProxy participant proxy (Canton manual, "High Availability Usage"), default check timing. */
export function referenceHaproxy(spec: ProxySpec): string {
    const f = spec.files;
    const port = spec.listeners[0].port;
    const ledger = spec.listeners[0].name;
    const servers = spec.backends
        .map(
            (b) =>
                `    server ${b.id} ${b.address}:${b.ports[ledger]} proto h2 ssl verify required ca-file ${f.backendCa} crt ${f.backendClientPem} alpn h2 check port ${b.healthPort} no-check-ssl`,
        )
        .join("\n");
    return `# reference HAProxy participant proxy (Canton manual, "High Availability Usage"), default check timing
global
    log stderr format raw local0 warning
defaults
    log global
    mode http
    option httplog
    timeout connect 5s
    timeout client 1h
    timeout server 1h
frontend ledger-api
    bind ${spec.bindAddress}:${port} alpn h2 proto h2 ssl crt ${f.serverPem} verify required ca-file ${f.clientCa}
    default_backend ledger-api
backend ledger-api
    option httpchk
    http-check connect
    http-check send meth GET uri /health
    http-check expect status 200
${servers}
`;
}
