// The naming and port policy: what differs between platforms in how nodes are named, which
// ports they listen on and which extra names their certificates need. `buildPlan` takes one;
// the topology itself (how many nodes, which talks to which) is the same everywhere.
// docs/decisions/naming-and-ports.md records why.
import { CantonHaConfig, ConfigProblem, PROJECT } from "../config";
import * as ports from "./ports";
import type { Publishing } from "./types";

/** The names a host answers to, before its certificate is planned. */
export interface HostNames {
    id: string;
    fqdn: string;
    dnsNames: string[];
}

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
        check: (cfg) =>
            cfg.participants.flatMap((p, i) =>
                p.replicas > DOCKER_MAX_PARTICIPANT_REPLICAS
                    ? [
                          {
                              key: `${PROJECT}:participants[${i}].replicas`,
                              message: `must be at most ${DOCKER_MAX_PARTICIPANT_REPLICAS} on the ${platform} platform (its host-unique port scheme has room for ${DOCKER_MAX_PARTICIPANT_REPLICAS} replicas per participant), got ${p.replicas}`,
                          },
                      ]
                    : [],
            ),
    };
}

/** The policy of the platform a config names. */
export function namingFor(config: CantonHaConfig): NamingPolicy {
    switch (config.platform) {
        case "docker":
        case "none":
            // `none` renders what a Docker deployment would run, for operators with their own tooling.
            return dockerNaming(config, config.platform);
    }
}
