// The proxy renderers against golden files, plus the properties the golden files must keep.
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../components/config";
import { AWAIT_BACKEND_LUA, renderHaproxy } from "../../components/lb/haproxy";
import { renderNginx } from "../../components/lb/nginx";
import { proxySpecFromPlan, type ProxySpec } from "../../components/lb/spec";
import { buildPlan } from "../../components/plan/build";
import type { Plan } from "../../components/plan/types";
import { bigPlan, BIG, raw } from "../support/fixtures";

function specs(plan: Plan): Record<string, ProxySpec> {
    const out: Record<string, ProxySpec> = { sequencer: proxySpecFromPlan(plan.domain.sequencerProxy!) };
    for (const p of plan.participants) if (p.proxy) out[p.name] = proxySpecFromPlan(p.proxy);
    return out;
}

const plan = bigPlan("loadbalancer");
const all = specs(plan);

describe("proxy specs from the plan", () => {
    it("exist for the sequencers and for every participant with more than one replica", () => {
        expect(Object.keys(all)).toEqual(["sequencer", "bank", "custodian"]);
        expect(bigPlan("clientside").domain.sequencerProxy).toBeUndefined();
        expect(bigPlan("clientside").participants.every((p) => p.proxy === undefined)).toBe(true);
    });

    it("point at every backend by its fqdn, on the plan's ports", () => {
        expect(all.sequencer.backends.map((b) => `${b.address}:${b.ports["public-api"]}`)).toEqual([
            "sequencer1.domain.canton.local:4411",
            "sequencer2.domain.canton.local:4421",
            "sequencer3.domain.canton.local:4431",
        ]);
        expect(all.custodian.backends.map((b) => [b.tlsName, b.ports["ledger-api"], b.ports["admin-api"], b.healthPort])).toEqual([
            ["custodian-1.custody.example.org", 10033, 10034, 8021],
            ["custodian-2.custody.example.org", 10035, 10036, 8022],
        ]);
        expect(all.custodian.listeners).toEqual([
            { name: "ledger-api", port: 10031 },
            { name: "admin-api", port: 10032 },
        ]);
    });
});

describe.each([
    ["haproxy", renderHaproxy, "cfg"],
    ["nginx", renderNginx, "conf"],
] as const)("%s renderer", (kind, render, ext) => {
    it.each(Object.keys(all))("matches the golden file for the %s proxy", async (name) => {
        await expect(render(all[name])).toMatchFileSnapshot(`golden/lb/${kind}-${name}.${ext}`);
    });

    it("requires TLS 1.3 towards clients and backends", () => {
        for (const text of Object.values(all).map(render)) {
            if (kind === "haproxy") {
                expect(text).toContain("ssl-default-bind-options ssl-min-ver TLSv1.3");
                expect(text).toContain("ssl-default-server-options ssl-min-ver TLSv1.3");
            } else {
                expect(text).toMatch(/^\s+ssl_protocols TLSv1\.3;$/m);
                expect(text).toMatch(/^\s+grpc_ssl_protocols TLSv1\.3;$/m);
            }
        }
    });

    it("asks participant clients for certificates, sequencer clients not", () => {
        const clientAuth = kind === "haproxy" ? /verify required ca-file \S+client-ca-chain\.pem/g : /ssl_verify_client on;/g;
        expect(render(all.bank).match(clientAuth)?.length).toBe(2);
        expect(render(all.sequencer)).not.toMatch(kind === "haproxy" ? /client-ca-chain/ : /ssl_verify_client/);
        // The participant proxy presents its own client certificate to the replicas.
        expect(render(all.bank)).toContain(
            kind === "haproxy" ? "crt /etc/canton-ha-proxy/tls/backend-client.pem" : "grpc_ssl_certificate /etc/canton-ha-proxy/tls/backend-client-chain.pem;",
        );
        expect(render(all.sequencer)).not.toContain("backend-client");
    });

    it("maps its own failures to gRPC statuses", () => {
        if (kind === "nginx") {
            expect(render(all.bank)).toMatch(/error_page 502 503 504 = @grpc_unavailable;[\s\S]*add_header grpc-status 14 always;/);
            expect(render(all.bank)).toMatch(/error_page 495 496 = @grpc_unauthenticated;[\s\S]*add_header grpc-status 16 always;/);
        } else {
            // HAProxy speaks HTTP/2 end to end and answers its own failures with plain HTTP
            // statuses, which gRPC clients map (503 -> UNAVAILABLE): every frontend must be
            // `mode http` on an h2-only TLS bind, and nothing may rewrite a status into a 200.
            // A missing or foreign client certificate is refused in the handshake (alert 116/48,
            // UNAVAILABLE). test/artifacts/lb.test.ts checks the resulting codes on a real haproxy.
            for (const text of Object.values(all).map(render)) {
                const frontends = text
                    .split(/\n(?=frontend )/)
                    .slice(1)
                    .map((f) => f.split(/\n(?=backend |listen )/)[0]);
                expect(frontends.length).toBeGreaterThan(0);
                for (const f of frontends) expect(f).toMatch(/^\s+bind \S+ ssl crt \S+ alpn h2\b/m);
                expect(text).toMatch(/^\s+mode http$/m);
                expect(text).not.toMatch(/set-status|errorfile|http-response return/);
            }
        }
    });

    it("takes timeouts and check timing from the config", () => {
        const custom = buildPlan(
            parseConfig(
                raw({
                    ...BIG,
                    loadBalancer: {
                        kind,
                        connectTimeoutMs: 400,
                        idleTimeoutSeconds: 600,
                        retries: 2,
                        failTimeoutSeconds: 7,
                        healthCheck: { intervalMs: 300, downIntervalMs: 150, timeoutMs: 90, fall: 3, rise: 2 },
                    },
                }),
            ),
            "custom",
        );
        const text = render(specs(custom).bank);
        if (kind === "haproxy") {
            expect(text).toContain("timeout connect 400ms");
            expect(text).toContain("timeout server 600s");
            expect(text).toContain("timeout check 90ms");
            expect(text).toContain("retries 2");
            expect(text).toContain("check inter 300ms fastinter 300ms downinter 150ms fall 3 rise 2");
        } else {
            expect(text).toContain("grpc_connect_timeout 400ms;");
            expect(text).toContain("grpc_read_timeout 600s;");
            expect(text).toContain("grpc_next_upstream_tries 3;");
            expect(text).toContain("max_fails=1 fail_timeout=7s;");
        }
    });

    it("refuses values that would break out of a config line", () => {
        const bad = { ...all.bank, backends: [{ ...all.bank.backends[0], address: "evil;\n  server x" }] };
        expect(() => render(bad)).toThrow(/cannot be written into a proxy config/);
        expect(() => render({ ...all.bank, backends: [] })).toThrow(/no backends/);
    });
});

describe("haproxy participant checks", () => {
    const text = renderHaproxy(all.bank);

    const backend = (name: string) => text.split(/\n(?=backend |frontend )/).find((b) => b.startsWith(`backend ${name}\n`))!;

    it("check /health over a separate plain HTTP/1 connection (else every replica is marked down)", () => {
        for (const b of [backend("bank-ledger-api"), backend("bank-admin-api")]) {
            expect(b).toContain(
                "option httpchk\n    http-check connect\n    http-check send meth GET uri /health ver HTTP/1.1 hdr host localhost\n    http-check expect status 200\n",
            );
            expect(b).toContain("verifyhost bank-1.bank.canton.local port 8001 no-check-ssl");
        }
    });

    it("route Ledger API calls only to a replica whose Ledger API accepts connections, besides being active", () => {
        // Canton starts the Ledger API only on the active replica, after /health turned 200.
        const ledger = backend("bank-ledger-api");
        expect(ledger).toMatch(/http-check expect status 200\n\s+http-check connect port srv_id comment "Ledger API not listening"\n/);
        // srv_id is the port the second connect goes to: each server's id is its own Ledger API port.
        expect(ledger).toContain("server bank-3 bank-3.bank.canton.local:10017 id 10017 sni str(bank-3.bank.canton.local)");
        expect(ledger.match(/^\s+server bank-\d \S+:(\d+) id (\d+) /gm)?.length).toBe(3);
        for (const m of ledger.matchAll(/^\s+server \S+ \S+:(\d+) id (\d+) /gm)) expect(m[2]).toBe(m[1]);
        // The admin API runs on every replica: its backend needs "active" only, and no ids.
        expect(backend("bank-admin-api")).not.toMatch(/srv_id| id \d/);
        expect(text.match(/option httpchk/g)?.length).toBe(2);
    });

    it("refuses a participant spec it cannot check: no ledger-api listener, or two replicas on one Ledger API port", () => {
        expect(() => renderHaproxy({ ...all.bank, listeners: all.bank.listeners.filter((l) => l.name !== "ledger-api") })).toThrow(/needs a ledger-api listener/);
        const [b1, b2] = all.bank.backends;
        expect(() => renderHaproxy({ ...all.bank, backends: [b1, { ...b2, ports: { ...b2.ports, "ledger-api": b1.ports["ledger-api"] } }] })).toThrow(
            /share Ledger API port 10013/,
        );
    });

    it("reacts to refused connections at once and cuts sessions of a replica that left", () => {
        expect(text).toContain("observe layer4 error-limit 1 on-error mark-down");
        expect(text.match(/on-marked-down shutdown-sessions/g)?.length).toBe(2);
        expect(text.match(/observe layer4 error-limit 1 on-error mark-down/g)?.length).toBe(2);
        expect(text).toContain("retry-on conn-failure");
        expect(text).toContain("option redispatch 1");
    });

    it("holds calls in the proxy while no replica is up, bounded by holdWhileUnavailableMs", () => {
        expect(text).toContain("lua-load /etc/canton-ha-proxy/await-backend.lua");
        expect(text).toContain("tune.lua.session-timeout 2000ms");
        expect(text).toContain("http-request lua.await_backend bank-ledger-api 1000\n    default_backend bank-ledger-api");
        expect(AWAIT_BACKEND_LUA).toContain('core.register_action("await_backend", { "http-req" }');
        const off = renderHaproxy({ ...all.bank, settings: { ...all.bank.settings, holdWhileUnavailableMs: 0 } });
        expect(off).not.toContain("lua");
    });

    it("checks the sequencers by TLS handshake (they have no /health port)", () => {
        const seq = renderHaproxy(all.sequencer);
        expect(seq).not.toContain("httpchk");
        expect(seq).toMatch(/default-server ssl verify required ca-file \S+ alpn h2 check inter/);
    });
});

describe("loadBalancer config defaults", () => {
    it("default to haproxy:2.6, and nginx:1.22 for kind nginx, with the measured timing", () => {
        const lb = parseConfig(raw({})).loadBalancer;
        expect(lb).toEqual({
            kind: "haproxy",
            image: "haproxy:2.6",
            connectTimeoutMs: 250,
            idleTimeoutSeconds: 3600,
            retries: 3,
            holdWhileUnavailableMs: 1000,
            failTimeoutSeconds: 10,
            healthCheck: { intervalMs: 100, downIntervalMs: 50, timeoutMs: 1000, fall: 1, rise: 1 },
        });
        expect(parseConfig(raw({ loadBalancer: { kind: "nginx" } })).loadBalancer.image).toBe("nginx:1.22");
        expect(parseConfig(raw({ loadBalancer: { kind: "nginx", image: "registry.local/nginx:1.22-x" } })).loadBalancer.image).toBe("registry.local/nginx:1.22-x");
    });
});
