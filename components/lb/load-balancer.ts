// A proxy in front of the sequencers (round-robin, TLS) or of a participant's replicas
// (active replica only, mTLS on both sides), run on the platform with its certificates.
import * as pulumi from "@pulumi/pulumi";
import type { CantonHaConfig } from "../config";
import type { CertificateAuthority } from "../pki/certificate-authority";
import { pemChain } from "../pki/profiles";
import type { ProxyPlan } from "../plan/types";
import { Platform, tcpCheck, WorkloadFile } from "../platform/types";
import { AWAIT_BACKEND_LUA, renderHaproxy } from "./haproxy";
import { renderNginx } from "./nginx";
import { CONTAINER_FILES, lbSettings, ProxyRole, proxySpecFromPlan } from "./spec";

export const HAPROXY_CONFIG_FILE = "/usr/local/etc/haproxy/haproxy.cfg";
export const NGINX_CONFIG_FILE = "/etc/nginx/nginx.conf";

export interface LoadBalancerArgs {
    proxy: ProxyPlan;
    role: ProxyRole;
    loadBalancer: CantonHaConfig["loadBalancer"];
    /**
     * The proxy's trust domain: the domain CA for the sequencer proxy, the participant's CA
     * for a participant proxy. It issues the proxy's server certificate and (participants)
     * its backend client certificate `proxy-client`, and its chain verifies both directions.
     */
    ca: CertificateAuthority;
    platform: Platform;
    /** Start after these (the backends). */
    dependsOn?: pulumi.Resource[];
}

export interface LoadBalancerEndpoint {
    listener: string;
    /** `https://<fqdn>:<port>` or `<fqdn>:<port>`. */
    address: string;
    port: number;
}

/** The certificate id the plan issues for this proxy's backend connections. */
export const PROXY_CLIENT_CERT = "proxy-client";

export class LoadBalancer extends pulumi.ComponentResource {
    static readonly TYPE = "canton-ha:lb:LoadBalancer";

    readonly kind: "haproxy" | "nginx";
    readonly image: string;
    /** The rendered proxy config (no secrets in it). */
    readonly config: string;
    readonly endpoints: LoadBalancerEndpoint[];
    readonly workload: pulumi.Resource | undefined;

    constructor(name: string, args: LoadBalancerArgs, opts?: pulumi.ComponentResourceOptions) {
        super(LoadBalancer.TYPE, name, {}, opts);
        const { proxy, role, ca } = args;
        this.kind = args.loadBalancer.kind;
        this.image = args.loadBalancer.image;
        const spec = proxySpecFromPlan(proxy, role, lbSettings(args.loadBalancer));
        this.config = this.kind === "haproxy" ? renderHaproxy(spec) : renderNginx(spec);

        const server = ca.get(proxy.host.id);
        const f = CONTAINER_FILES;
        const files: WorkloadFile[] = [
            { path: this.kind === "haproxy" ? HAPROXY_CONFIG_FILE : NGINX_CONFIG_FILE, content: this.config },
            { path: f.serverChain, content: server.chainPem },
            { path: f.serverKey, content: server.privateKeyPem },
            { path: f.serverPem, content: combined(server.chainPem, server.privateKeyPem) },
            { path: f.backendCa, content: ca.chainPem },
        ];
        if (this.kind === "haproxy" && spec.settings.holdWhileUnavailableMs > 0) files.push({ path: f.haproxyLua!, content: AWAIT_BACKEND_LUA });
        if (role === "participant") {
            const client = ca.get(PROXY_CLIENT_CERT);
            files.push(
                { path: f.clientCa!, content: ca.chainPem },
                { path: f.backendClientChain!, content: client.chainPem },
                { path: f.backendClientKey!, content: client.privateKeyPem },
                { path: f.backendClientPem!, content: combined(client.chainPem, client.privateKeyPem) },
            );
        }
        const command = this.kind === "haproxy"
            ? ["haproxy", "-W", "-db", "-f", HAPROXY_CONFIG_FILE]
            : ["nginx", "-c", NGINX_CONFIG_FILE, "-g", "daemon off;"];
        this.workload = args.platform.deploy({
            host: proxy.host,
            image: this.image,
            // The images' entrypoints run the command given (both official images do).
            command,
            files,
            listeners: proxy.listeners,
            healthCheck: tcpCheck(proxy.listeners[0].port),
        }, { parent: this, dependsOn: args.dependsOn ?? [] });

        this.endpoints = proxy.listeners.map((l) => ({
            listener: l.name,
            address: role === "sequencer" ? `https://${proxy.host.fqdn}:${l.port}` : `${proxy.host.fqdn}:${l.port}`,
            port: l.port,
        }));
        this.registerOutputs({ endpoints: this.endpoints, kind: this.kind });
    }
}

/** Chain followed by key in one PEM file (HAProxy's `crt`); secret because of the key. */
function combined(chain: pulumi.Input<string>, key: pulumi.Input<string>): pulumi.Output<string> {
    return pulumi.secret(pulumi.all([chain, key]).apply(([c, k]) => pemChain(c, k)));
}
