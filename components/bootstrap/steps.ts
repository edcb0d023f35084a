// Bootstrap as data: each console script is a list of steps, built from the plan by pure
// code. A step that changes state is always `{ guard, action }`: the guard reads the
// current state and the action runs only when the guard says the work is not done yet,
// so running a script twice is safe. The renderer turns steps into Canton console
// (Scala) text; tests check the text and simulate the steps against a model.
import type { DomainPlan, LedgerUserPlan, ParticipantReplica, ParticipantSet, Replica, SequencerNode } from "../plan/types";
import { consoleName, trustFiles } from "./layout";
import { DOMAIN_TRUST } from "../plan/build";

/** A participant by its console reference (its own script) or by its id (another organisation's). */
export type ParticipantRef = { console: string } | { id: string };

/** A read of current state that decides whether an action is still needed. */
export type Guard =
    /** Not every one of these nodes reports `health.initialized()`. */
    | { op: "notInitialized"; nodes: string[] }
    /** The node's sequencer connection lacks some of these URLs. */
    | { op: "sequencerEndpointsMissing"; node: string; urls: string[] }
    /** The participant has no domain registered under this alias. */
    | { op: "domainNotRegistered"; participant: string; alias: string }
    /** The participant's registered connection to the alias lacks some of these URLs. */
    | { op: "domainEndpointsMissing"; participant: string; alias: string; urls: string[] }
    /**
     * The alias is registered but not connected, or still marked `manualConnect`. Canton's
     * `connect`/`connect_multi` register with `manualConnect = true` and clear it only after a
     * successful connect (2.9 `ParticipantAdministration.connectFromConfig`), and a failed
     * `reconnect` after a `disconnect` leaves it disconnected: both are repaired here.
     */
    | { op: "domainNotConnected"; participant: string; alias: string }
    /**
     * Neither the participant's own authorized topology store nor the domain's topology has the
     * party `<hint>::<its namespace>`. The authorized store matters: a run that authorized the
     * party but timed out before the domain showed it would otherwise call `enable` again on
     * every later run and fail with TOPOLOGY_MAPPING_ALREADY_EXISTS (2.9
     * `TopologyManager.checkMappingOfTxDoesNotExistYet` reads that store).
     */
    | { op: "partyNotAuthorized"; participant: string; party: string }
    /** The participant has no Ledger API user with this id. */
    | { op: "userMissing"; participant: string; user: string }
    /**
     * The domain manager's authorized store has no Submission state for the participant. A
     * closed domain rejects the onboarding of any other participant (2.9
     * DomainTopologyManagerRequestService: "not on the allow-list of this closed network").
     */
    | { op: "participantNotAdmitted"; domainManager: string; participant: ParticipantRef }
    /** The user's primary party differs from the wanted one. */
    | { op: "primaryPartyDiffers"; participant: string; user: string; party: string }
    /** The user lacks some of these rights (`grant: true`) or has rights beyond them (`grant: false`). */
    | { op: "rightsDiffer"; participant: string; user: string; actAs: string[]; readAs: string[]; grant: boolean };

/** A change to a node's state. Only ever rendered inside its guard. */
export type Action =
    | { op: "bootstrapDomain"; domainManager: string; sequencers: string[]; mediators: string[] }
    | { op: "addSequencerEndpoints"; node: string; urls: string[] }
    | { op: "connectDomain"; participant: string; alias: string; urls: string[]; trustFile: string }
    | { op: "addDomainEndpoints"; participant: string; alias: string; urls: string[] }
    | { op: "reconnectDomain"; participant: string; alias: string }
    | { op: "enableParty"; participant: string; party: string }
    | { op: "admitParticipant"; domainManager: string; participant: ParticipantRef }
    | { op: "createUser"; participant: string; user: LedgerUserPlan }
    | { op: "setPrimaryParty"; participant: string; user: string; party: string }
    | { op: "grantRights"; participant: string; user: string; actAs: string[]; readAs: string[] }
    | { op: "revokeRights"; participant: string; user: string; actAs: string[]; readAs: string[] };

export type Step =
    | { kind: "waitRunning"; node: string }
    | { kind: "waitIdentity"; node: string }
    /**
     * `health.wait_for_initialized()`. `health.active` is already true while a node is not
     * initialised, and a participant registers its domain-connectivity service only once it is.
     */
    | { kind: "waitInitialized"; node: string }
    /** Binds `bind` to whichever replica is active (waits until one is). */
    | { kind: "pickActive"; bind: string; role: string; replicas: string[] }
    | { kind: "guarded"; id: string; why: string; guard: Guard; action: Action }
    | { kind: "awaitDomainActive"; participant: string; alias: string }
    | { kind: "ping"; participant: string }
    /**
     * Wait until the domain's topology shows the party and then until the Ledger API index
     * knows it: `users.create` rejects parties the index has not seen ("Provided parties have
     * not been found"), and the indexer learns of a party asynchronously. Unguarded (it only
     * reads), so it also covers a re-run on which the party exists but the index lags.
     */
    | { kind: "awaitParty"; participant: string; party: string }
    | { kind: "reportParticipantId"; participant: string; name: string }
    | { kind: "reportPartyIds"; participant: string; name: string; parties: string[] };

export interface ConsoleScript {
    /** File stem and runner id, e.g. `domain` or `participant-participant1`. */
    job: string;
    title: string;
    steps: Step[];
}

/**
 * Console calls that change node state. The renderer emits them only inside a guard; the
 * unit tests parse the rendered text and fail if one appears anywhere else.
 */
export const MUTATING_CONSOLE_CALLS = [
    "setup.bootstrap_domain",
    "sequencer_connection.modify",
    "sequencer_connection.set",
    "domains.connect",
    "domains.connect_multi",
    "domains.connect_ha",
    "domains.register",
    "domains.modify",
    "domains.disconnect",
    "domains.reconnect",
    "replication.set_passive",
    "parties.enable",
    "participants.set_state",
    "users.create",
    "users.update",
    "rights.grant",
    "rights.revoke",
] as const;

/** Console names of the nodes a script talks to (also the keys of the remote config). */
export const names = {
    sequencer: (s: SequencerNode) => consoleName(s.name),
    mediatorReplica: (r: Replica) => consoleName(r.host.id),
    domainManager: () => "domain_manager",
    participantReplica: (p: Pick<ParticipantSet, "name">, r: Pick<ParticipantReplica, "index">) => `${consoleName(p.name)}_${r.index}`,
};

const DOMAIN_JOB = "domain";
const participantJob = (name: string) => `participant-${name}`;

/**
 * Domain bootstrap, the walkthrough's first two steps:
 * 1. `bootstrap_domain` with the first sequencer and the active mediator replica. The HA
 *    sequencers share one database, so initialising one initialises the domain's sequencer;
 *    Canton documents the call as safe to retry after a partial failure. Then wait until
 *    sequencers 2..N, the mediator and the domain manager report initialised.
 * 2. The mediator and the domain manager get every sequencer client URL: in client-side
 *    mode all sequencers, in load-balancer mode the proxy (which the remote config already
 *    names as each sequencer's public API, so step 2 finds nothing to add there).
 */
export function domainScript(domain: DomainPlan): ConsoleScript {
    const dm = names.domainManager();
    const first = names.sequencer(domain.sequencers.nodes[0]);
    const steps: Step[] = [
        ...domain.sequencers.nodes.map((s): Step => ({ kind: "waitRunning", node: names.sequencer(s) })),
        { kind: "waitIdentity", node: dm },
        { kind: "pickActive", bind: "mediator", role: "mediator", replicas: domain.mediators.replicas.map((r) => names.mediatorReplica(r)) },
        {
            kind: "guarded",
            id: "bootstrap-domain",
            why: "Initialise the domain: domain manager, sequencer (shared database) and mediator",
            guard: { op: "notInitialized", nodes: [dm, first, "mediator"] },
            action: { op: "bootstrapDomain", domainManager: dm, sequencers: [first], mediators: ["mediator"] },
        },
        // The other HA sequencers pick the initialisation up from the shared database; nothing
        // may use them before they report it. The 2.9 manual ("Manage Domain Entities") bootstraps
        // one database sequencer only; its HA sequence then waits with `wait_for_initialized()`
        // on every other one (issue 18's audit). Pessimistic either way: waiting costs nothing.
        ...domain.sequencers.nodes.slice(1).map((s): Step => ({ kind: "waitInitialized", node: names.sequencer(s) })),
        // As Digital Asset's bootstrap Job: the nodes serve their sequencer connection only once initialised.
        { kind: "waitInitialized", node: "mediator" },
        { kind: "waitInitialized", node: dm },
        ...(["mediator", dm] as const).map((node): Step => ({
            kind: "guarded",
            id: `sequencer-endpoints-${node === dm ? "domain-manager" : "mediator"}`,
            why: `Give the ${node === dm ? "domain manager" : "mediator"} every sequencer client URL (${domain.haMode})`,
            guard: { op: "sequencerEndpointsMissing", node, urls: domain.sequencerClientUrls },
            action: { op: "addSequencerEndpoints", node, urls: domain.sequencerClientUrls },
        })),
        // Other organisations' participants, by configuration. Also on an open domain, so that
        // closing it later keeps them; the stack's own participants admit themselves.
        ...domain.admit.map((id): Step => admitStep(dm, { id }, `Admit participant ${id} (domain.admit)`)),
    ];
    return { job: DOMAIN_JOB, title: `Domain '${domain.alias}' bootstrap (${domain.haMode})`, steps };
}

/**
 * A participant joins the domain (walkthrough step 4), then gets its parties and users:
 * - wait until the active replica is initialised (its domain-connectivity service exists only then);
 * - register and connect once, with every sequencer client URL as endpoints of one connection;
 * - add URLs a later topology change introduced (a new sequencer);
 * - repair a registration that a failed connect or reconnect left behind;
 * - wait until active on the domain and ping itself;
 * - allocate the configured parties and wait until the Ledger API index knows each, create
 *   the users, and make their rights converge;
 * - report the participant id and the party ids for the stack outputs.
 */
export function participantScript(p: ParticipantSet): ConsoleScript {
    const { alias, sequencerUrls: urls } = p.domain;
    const participant = "participant";
    const steps: Step[] = [
        { kind: "pickActive", bind: participant, role: `participant ${p.name}`, replicas: p.replicas.map((r) => names.participantReplica(p, r)) },
        { kind: "waitInitialized", node: participant },
        // Early, so that the log of a connect a closed domain rejects names the id to admit.
        { kind: "reportParticipantId", participant, name: p.name },
        // The id exists only now, so the stack that runs the closed domain admits its own
        // participant here; a connect before that fails (2.9 DomainRegistryHelpers:
        // "Domain ... has rejected our on-boarding attempt", PARTICIPANT_IS_NOT_ACTIVE).
        ...(p.domain.admission ? [admitStep(names.domainManager(), { console: participant }, `Admit this participant to the closed domain '${alias}'`)] : []),
        {
            kind: "guarded",
            id: "connect-domain",
            why: `Register and connect to domain '${alias}'`,
            guard: { op: "domainNotRegistered", participant, alias },
            action: { op: "connectDomain", participant, alias, urls, trustFile: trustFiles(DOMAIN_TRUST).caChain },
        },
        {
            kind: "guarded",
            id: "domain-endpoints",
            why: "Add sequencer URLs the registered connection lacks (a sequencer was added)",
            guard: { op: "domainEndpointsMissing", participant, alias, urls },
            action: { op: "addDomainEndpoints", participant, alias, urls },
        },
        {
            kind: "guarded",
            id: "reconnect-domain",
            why: "Connect a registration that an earlier failed connect or reconnect left disconnected or manual",
            guard: { op: "domainNotConnected", participant, alias },
            action: { op: "reconnectDomain", participant, alias },
        },
        { kind: "awaitDomainActive", participant, alias },
        { kind: "ping", participant },
        ...p.parties.flatMap((party): Step[] => [
            {
                kind: "guarded",
                id: `party-${party}`,
                why: `Allocate party '${party}' on this participant`,
                guard: { op: "partyNotAuthorized", participant, party },
                action: { op: "enableParty", participant, party },
            },
            { kind: "awaitParty", participant, party },
        ]),
        ...p.users.flatMap((u) => userSteps(participant, u)),
        { kind: "reportPartyIds", participant, name: p.name, parties: p.parties },
    ];
    return { job: participantJob(p.name), title: `Participant '${p.name}' joins domain '${alias}' (${p.domain.haMode})`, steps };
}

/** `participants.set_state(id, Submission, Ordinary)` on the domain manager, unless already admitted. */
function admitStep(domainManager: string, participant: ParticipantRef, why: string): Step {
    return {
        kind: "guarded",
        id: "console" in participant ? "admit" : `admit-${participant.id}`,
        why,
        guard: { op: "participantNotAdmitted", domainManager, participant },
        action: { op: "admitParticipant", domainManager, participant },
    };
}

/** Create the user, then converge its primary party and rights on what the config says. */
function userSteps(participant: string, u: LedgerUserPlan): Step[] {
    const rights = { participant, user: u.id, actAs: u.actAs, readAs: u.readAs };
    return [
        {
            kind: "guarded",
            id: `user-${u.id}`,
            why: `Create Ledger API user '${u.id}'`,
            guard: { op: "userMissing", participant, user: u.id },
            action: { op: "createUser", participant, user: u },
        },
        ...(u.primaryParty === undefined
            ? []
            : [
                  {
                      kind: "guarded" as const,
                      id: `user-${u.id}-primary-party`,
                      why: `Make '${u.primaryParty}' the primary party of '${u.id}'`,
                      guard: { op: "primaryPartyDiffers" as const, participant, user: u.id, party: u.primaryParty },
                      action: { op: "setPrimaryParty" as const, participant, user: u.id, party: u.primaryParty },
                  },
              ]),
        {
            kind: "guarded",
            id: `user-${u.id}-grant`,
            why: `Grant '${u.id}' the rights it lacks`,
            guard: { op: "rightsDiffer", ...rights, grant: true },
            action: { op: "grantRights", ...rights },
        },
        {
            kind: "guarded",
            id: `user-${u.id}-revoke`,
            why: `Revoke rights of '${u.id}' the config no longer lists`,
            guard: { op: "rightsDiffer", ...rights, grant: false },
            action: { op: "revokeRights", ...rights },
        },
    ];
}
