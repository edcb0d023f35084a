// The port scheme. It follows the reference deployment so operators coming from the
// shell scripts find every API where they expect it (see docs in README "Ports").
//
// Every listener gets a port that is unique across the stack. The same number is used
// inside the container and on the host, so a URL means the same thing everywhere.

/** The sequencer front door: sequencer 1 in client-side mode, the sequencer proxy otherwise. */
export const SEQUENCER_FRONT_PORT = 4401;

/** Sequencer public API. Sequencer i > 1 (or every sequencer behind a proxy) moves up by 10s. */
export function sequencerPublicPort(index: number, behindProxy: boolean): number {
    return index === 1 && !behindProxy ? SEQUENCER_FRONT_PORT : SEQUENCER_FRONT_PORT + 10 * index;
}

/** Mediator replica admin API: 4602, 4604, ... */
export function mediatorAdminPort(index: number): number {
    return 4600 + 2 * index;
}

export const DOMAIN_MANAGER_ADMIN_PORT = 4801;

/** Participant k (1-based) owns 10000 + 10k .. 10000 + 10k + 9. */
function participantBase(k: number): number {
    return 10000 + 10 * k;
}

/** The participant front door (ledger API); admin API is +1. */
export function participantFrontPort(k: number): number {
    return participantBase(k) + 1;
}

/**
 * Ledger API of replica r of participant k. Replica 1 takes the front door unless a proxy
 * does; every other replica sits above it (10015, 10017, ...), as p1b does in the reference.
 */
export function participantLedgerPort(k: number, r: number, behindProxy: boolean): number {
    return r === 1 && !behindProxy ? participantFrontPort(k) : participantBase(k) + 1 + 2 * r;
}

/** Plain-HTTP `/health` (is-active) of replica r of participant k: 8001, 8002, ... 8011, ... */
export function participantHealthPort(k: number, r: number): number {
    return 8000 + 10 * (k - 1) + r;
}

/** Postgres: 5432 for the domain, 5432 + k for participant k. */
export function postgresPort(participantIndex?: number): number {
    return 5432 + (participantIndex ?? 0);
}

// Canton's gRPC health service (`monitoring.grpc-health-server`, plain text, not published):
// what Kubernetes probes read, as in Digital Asset's charts. Each node has its own port.

/** Sequencer `index`: two above its public API (4403, 4423, ...). */
export function sequencerGrpcHealthPort(index: number, behindProxy: boolean): number {
    return sequencerPublicPort(index, behindProxy) + 2;
}

/** Mediator replica: 4702, 4704, ... */
export function mediatorGrpcHealthPort(index: number): number {
    return 4700 + 2 * index;
}

/** The domain manager's, as in Digital Asset's domain chart. */
export const DOMAIN_MANAGER_GRPC_HEALTH_PORT = 4803;

/** Replica r of participant k: 8501, 8502, ... 8511, ... (beside the HTTP is-active ports 80xx). */
export function participantGrpcHealthPort(k: number, r: number): number {
    return 8500 + 10 * (k - 1) + r;
}
