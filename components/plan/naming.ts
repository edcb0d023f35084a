// The naming and port policy: what differs between platforms in how nodes are named, which
// ports they listen on and which extra names their certificates need. `buildPlan` takes one;
// the topology itself (how many nodes, which talks to which) is the same everywhere.
// docs/decisions/naming-and-ports.md records why.
import { CantonHaConfig, ConfigProblem, PROJECT } from "../config";
import * as ports from "./ports";
import type { HostNames, Publishing } from "./types";

/** The names a host answers to, before its certificate is planned. */
export type { HostNames } from "./types";

export interface PortPolicy {
    /** Sequencer `index`'s public API; behind a proxy the proxy takes `sequencerFront`. */
    sequencerPublic(index: number, behindProxy: boolean): number;
    sequencerFront(): number;
    mediatorAdmin(index: number): number;
    domainManagerAdmin(): number;
    /** Participant `k`'s (1-based) front door: its replica 1, or its proxy. The admin API is +1. */
    participantFront(k: number): number;
    participantLedger(k: number, replica: number, behindProxy: boolean): number;
    participantHealth(k: number, replica: number): number;
    /** The domain's database server (no index) or participant `k`'s. */
    postgres(k?: number): number;
    /** Canton's gRPC health service of each node (`monitoring.grpc-health-server`). */
    sequencerGrpcHealth(index: number, behindProxy: boolean): number;
    mediatorGrpcHealth(index: number): number;
    domainManagerGrpcHealth(): number;
    participantGrpcHealth(k: number, replica: number): number;
}

export interface NamingPolicy {
    /** The platform it belongs to, recorded on the plan. */
    platform: string;
    /** The names of a host `id` shown as `label` under `dnsDomain`. */
    host(id: string, label: string, dnsDomain: string): HostNames;
    /** SANs the platform adds to every server certificate (e.g. how health checks reach it). */
    extraSans(host: HostNames): { dnsNames: string[]; ipAddresses: string[] };
    ports: PortPolicy;
    publishing: Publishing;
    /** Limits of the platform, as config problems (e.g. too many replicas for its ports). */
    check(config: CantonHaConfig): ConfigProblem[];
    /**
     * The names of an address that routes to whichever replica of `group` is active, where the
     * platform makes one without a proxy (a Kubernetes Service whose readiness is "active").
     * Every replica's certificate carries them. Undefined where the platform has none (Docker).
     */
    activeFront?(group: string): HostNames;
}

/**
 * Docker: one host, one network. Every listener gets a host-unique port that is the same
 * inside and outside the container (the walkthrough's scheme, plan/ports.ts), so ports limit
 * a participant to four replicas. Certificates add `localhost` and the loopback/bind address,
 * which the walkthrough's NGINX-on-one-host setup and health checks on the host use.
 */
const DOCKER_MAX_PARTICIPANT_REPLICAS = 4;

export function dockerNaming(config: Pick<CantonHaConfig, "network">, platform = "docker"): NamingPolicy {
    const bind = config.network.bindAddress;
    const ipAddresses = bind === "127.0.0.1" || bind === "0.0.0.0" ? ["127.0.0.1"] : ["127.0.0.1", bind];
    return {
        platform,
        host: (id, label, dnsDomain) => {
            const fqdn = `${label}.${dnsDomain}`;
            return { id, fqdn, dnsNames: [fqdn, id] };
        },
        extraSans: () => ({ dnsNames: ["localhost"], ipAddresses }),
        ports: {
            sequencerPublic: ports.sequencerPublicPort,
            sequencerFront: () => ports.SEQUENCER_FRONT_PORT,
            mediatorAdmin: ports.mediatorAdminPort,
            domainManagerAdmin: () => ports.DOMAIN_MANAGER_ADMIN_PORT,
            participantFront: ports.participantFrontPort,
            participantLedger: ports.participantLedgerPort,
            participantHealth: ports.participantHealthPort,
            postgres: ports.postgresPort,
            sequencerGrpcHealth: ports.sequencerGrpcHealthPort,
            mediatorGrpcHealth: ports.mediatorGrpcHealthPort,
            domainManagerGrpcHealth: () => ports.DOMAIN_MANAGER_GRPC_HEALTH_PORT,
            participantGrpcHealth: ports.participantGrpcHealthPort,
        },
        publishing: { bindAddress: platform === "docker" && config.network.publishPorts ? bind : undefined },
        check: replicaLimit(platform),
    };
}

/** Docker's port limits hold on Kubernetes too: the same port scheme keeps URLs the same on both. */
function replicaLimit(platform: string) {
    return (cfg: CantonHaConfig): ConfigProblem[] =>
        cfg.participants.flatMap((p, i) =>
            p.replicas > DOCKER_MAX_PARTICIPANT_REPLICAS
                ? [
                      {
                          key: `${PROJECT}:participants[${i}].replicas`,
                          message: `must be at most ${DOCKER_MAX_PARTICIPANT_REPLICAS} on the ${platform} platform (its host-unique port scheme has room for ${DOCKER_MAX_PARTICIPANT_REPLICAS} replicas per participant), got ${p.replicas}`,
                      },
                  ]
                : [],
        );
}

/** The namespace of a Kubernetes stack. */
export function kubernetesNamespace(config: Pick<CantonHaConfig, "kubernetes">, stack: string): string {
    return config.kubernetes.namespace ?? `${PROJECT}-${stack}`.slice(0, 63).replace(/-+$/, "");
}

/**
 * Kubernetes: every host is a Service of its own in the stack's namespace, so its names are
 * the cluster's DNS names (the config's `dnsDomain`s are not used). Ports follow the Docker
 * scheme: a URL reads the same on both platforms, and a Service port never collides with
 * another Service's when exposed through one load balancer. Certificates add `localhost` and
 * 127.0.0.1 for `kubectl port-forward` and in-pod checks.
 */
export function kubernetesNaming(config: Pick<CantonHaConfig, "kubernetes">, stack: string): NamingPolicy {
    const ns = kubernetesNamespace(config, stack);
    const names = (id: string): HostNames => {
        const fqdn = `${id}.${ns}.svc.${config.kubernetes.clusterDomain}`;
        return { id, fqdn, dnsNames: [fqdn, `${id}.${ns}.svc`, `${id}.${ns}`, id] };
    };
    return {
        platform: "kubernetes",
        host: (id) => names(id),
        extraSans: () => ({ dnsNames: ["localhost"], ipAddresses: ["127.0.0.1"] }),
        ports: dockerNaming({ network: { bindAddress: "127.0.0.1", publishPorts: false } }).ports,
        publishing: { bindAddress: undefined },
        check: replicaLimit("kubernetes"),
        activeFront: (group) => names(group),
    };
}

/** The policy of the platform a config names. */
export function namingFor(config: CantonHaConfig, stack: string): NamingPolicy {
    switch (config.platform) {
        case "kubernetes":
            return kubernetesNaming(config, stack);
        case "docker":
        case "none":
            // `none` renders what a Docker deployment would run, for operators with their own tooling.
            return dockerNaming(config, config.platform);
    }
}
