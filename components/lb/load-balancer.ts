// A proxy in front of the sequencers (round-robin, TLS) or of a participant's replicas
// (active replica only, mTLS on both sides), run on the platform with its certificates.
import * as pulumi from "@pulumi/pulumi";
import type { TrustDomainPki } from "../pki/pki";
import { pemChain } from "../pki/profiles";
import type { ProxyPlan } from "../plan/types";
import { Platform, publicFile, secretFile, WorkloadFile, WorkloadHandle } from "../platform/types";
import { AWAIT_BACKEND_LUA, renderHaproxy } from "./haproxy";
import { renderNginx } from "./nginx";
import { CONTAINER_FILES, CONTAINER_RUNTIME, lbSettings, proxySpecFromPlan } from "./spec";
import { endpoint } from "../plan/endpoint";

const HAPROXY_CONFIG_FILE = "/usr/local/etc/haproxy/haproxy.cfg";
const NGINX_CONFIG_FILE = "/etc/nginx/nginx.conf";

export interface LoadBalancerArgs {
    /** The proxy tier of the plan: role, listeners, backends, kind, image and settings. */
    proxy: ProxyPlan;
    /**
     * The proxy's trust domain: the domain's for the sequencer proxy, the participant's for a
     * participant proxy. It issues the proxy's server certificate and (participants) its
     * backend client certificate, and its chain verifies both directions.
     */
    pki: TrustDomainPki;
    platform: Platform;
    /** Start after these (the backends). */
    dependsOn?: pulumi.Resource[];
}

interface LoadBalancerEndpoint {
    listener: string;
    /** `https://<fqdn>:<port>` or `<fqdn>:<port>`. */
    address: string;
    port: number;
}

export class LoadBalancer extends pulumi.ComponentResource {
    static readonly TYPE = "canton-ha:lb:LoadBalancer";

    readonly kind: "haproxy" | "nginx";
    readonly image: string;
    /** The rendered proxy config (no secrets in it). */
    readonly config: string;
    readonly endpoints: LoadBalancerEndpoint[];
    readonly workload: WorkloadHandle | undefined;

    constructor(name: string, args: LoadBalancerArgs, opts?: pulumi.ComponentResourceOptions) {
        super(LoadBalancer.TYPE, name, {}, opts);
        const { proxy, pki } = args;
        const role = proxy.role;
        this.kind = proxy.loadBalancer.kind;
        this.image = proxy.loadBalancer.image;
        const spec = proxySpecFromPlan(proxy, lbSettings(proxy.loadBalancer));
        this.config = this.kind === "haproxy" ? renderHaproxy(spec) : renderNginx(spec);

        const server = pki.certificate(proxy.host.serverCert);
        const f = CONTAINER_FILES;
        const files: WorkloadFile[] = [
            publicFile(this.kind === "haproxy" ? HAPROXY_CONFIG_FILE : NGINX_CONFIG_FILE, this.config),
            publicFile(f.serverChain, server.chainPem),
            secretFile(f.serverKey, server.privateKeyPem),
            secretFile(f.serverPem, combined(server.chainPem, server.privateKeyPem)),
            publicFile(f.backendCa, pki.chainPem),
        ];
        if (this.kind === "haproxy" && spec.settings.holdWhileUnavailableMs > 0) files.push(publicFile(f.haproxyLua!, AWAIT_BACKEND_LUA));
        if (role === "participant") {
            if (!proxy.clientCert) throw new pulumi.ResourceError(`participant proxy '${proxy.fronts}' has no client certificate in its plan`, this);
            const client = pki.certificate(proxy.clientCert);
            files.push(
                publicFile(f.clientCa!, pki.chainPem),
                publicFile(f.backendClientChain!, client.chainPem),
                secretFile(f.backendClientKey!, client.privateKeyPem),
                secretFile(f.backendClientPem!, combined(client.chainPem, client.privateKeyPem)),
            );
        }
        const command = this.kind === "haproxy" ? ["haproxy", "-W", "-db", "-f", HAPROXY_CONFIG_FILE] : ["nginx", "-c", NGINX_CONFIG_FILE, "-g", "daemon off;"];
        this.workload = args.platform.deploy(
            {
                group: proxy.host.id,
                component: "proxy",
                runtime: this.kind,
                replica: 1,
                host: proxy.host,
                image: this.image,
                // The images' entrypoints run the command given (both official images do).
                command,
                files,
                listeners: proxy.listeners,
                connectsTo: proxy.backends.flatMap((b) =>
                    [...Object.values(b.ports), ...(b.healthPort === undefined ? [] : [b.healthPort])].map((port) => ({ host: b.host.fqdn, port })),
                ),
                // Both configs keep their pid file under /tmp (lb/spec.ts); NGINX creates its temp
                // directories inside tempDir but not tempDir itself: as a writable path, each
                // platform provides it, owned by the proxy's user (an emptyDir on Kubernetes, a
                // tmpfs on Docker).
                writablePaths: this.kind === "nginx" ? ["/tmp", CONTAINER_RUNTIME.tempDir] : ["/tmp"],
                probes: { startup: { kind: "tcp", port: proxy.listeners[0].port }, readiness: { kind: "tcp", port: proxy.listeners[0].port } },
                deployedWhen: "serving",
            },
            { parent: this, dependsOn: args.dependsOn ?? [] },
        );

        this.endpoints = proxy.listeners.map((l) => ({
            listener: l.name,
            address: endpoint(proxy.host, l, role === "sequencer" ? "https" : undefined),
            port: l.port,
        }));
        this.registerOutputs({ endpoints: this.endpoints, kind: this.kind });
    }
}

/** Chain followed by key in one PEM file (HAProxy's `crt`); secret because of the key. */
function combined(chain: pulumi.Input<string>, key: pulumi.Input<string>): pulumi.Output<string> {
    return pulumi.secret(pulumi.all([chain, key]).apply(([c, k]) => pemChain(c, k)));
}
