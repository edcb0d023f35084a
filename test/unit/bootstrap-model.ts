// Simulation of bootstrap steps against a model of the nodes' state, with Canton 2.9's
// behaviour where it matters:
// - ParticipantAdministration.connectFromConfig: register with manualConnect = true, then
//   connect, then clear it;
// - parties.enable fails on a mapping its AUTHORIZED store has (TopologyManager
//   .checkMappingOfTxDoesNotExistYet), users.create on a user that exists;
// - a party reaches the domain's topology and then the Ledger API index asynchronously, and
//   users.create rejects parties the index has not seen ("Provided parties have not been found");
// - the domain-connectivity service exists only once the participant is initialised;
// - sequencers 2..N report initialised only some time after bootstrap_domain (pessimistic:
//   nothing may use them before; 2.9 manual, HA domain bootstrap);
// - a closed domain rejects the onboarding of a participant the domain manager has not
//   admitted (DomainTopologyManagerRequestService); the participant's connect then fails
//   (DomainRegistryHelpers: PARTICIPANT_IS_NOT_ACTIVE) and leaves the alias registered.
import { names, type Action, type ConsoleScript, type Guard, type ParticipantRef, type Step } from "../../components/bootstrap/steps";
import type { Plan } from "../../components/plan/types";

export interface Registration {
    endpoints: Set<string>;
    manualConnect: boolean;
    connected: boolean;
}
export interface UserState {
    primaryParty?: string;
    actAs: Set<string>;
    readAs: Set<string>;
}
export interface Model {
    initialized: Set<string>;
    /** Sequencer connection endpoints of the mediator / domain manager. */
    seqConn: Map<string, Set<string>>;
    /** Participants whose node has finished initialising (and was waited for). */
    participantReady: Set<string>;
    /** participant -> alias -> registration */
    registered: Map<string, Map<string, Registration>>;
    /** participant -> party hints its own topology manager authorized (its AUTHORIZED store) */
    authorized: Map<string, Set<string>>;
    /** participant -> party hints the domain's topology shows (`parties.hosted`) */
    parties: Map<string, Set<string>>;
    /** participant -> party hints its Ledger API index knows (`ledger_api.parties.list()`) */
    indexed: Map<string, Set<string>>;
    users: Map<string, Map<string, UserState>>;
    /** Participant ids with a Submission state in the domain manager's authorized store. */
    admitted: Set<string>;
}

/** The id the model gives a participant (Canton: `PAR::<name>::<namespace fingerprint>`). */
export const idOf = (participant: string) => `PAR::${participant}::1220${"ab".repeat(32)}`;
export const emptyModel = (): Model => ({
    initialized: new Set(),
    seqConn: new Map(),
    participantReady: new Set(),
    registered: new Map(),
    authorized: new Map(),
    parties: new Map(),
    indexed: new Map(),
    users: new Map(),
    admitted: new Set(),
});

/**
 * What fails in a run: the connect after registering, the reconnect after adding endpoints,
 * or `parties.enable`'s wait for the domain after it authorized the party.
 */
export interface Faults {
    connect?: boolean;
    reconnect?: boolean;
    partyWait?: boolean;
}

const add = (map: Map<string, Set<string>>, key: string, value: string) => map.set(key, new Set([...(map.get(key) ?? []), value]));

/** Runs a script's steps; returns the actions taken. `failAfter` aborts after that many actions. */
export function simulate(plan: Plan, script: ConsoleScript, m: Model, participant = "p", failAfter = Infinity, faults: Faults = {}): string[] {
    const taken: string[] = [];
    const reg = (alias: string) => m.registered.get(participant)?.get(alias);
    const parties = () => m.parties.get(participant) ?? new Set<string>();
    const authorized = () => m.authorized.get(participant) ?? new Set<string>();
    const indexed = () => m.indexed.get(participant) ?? new Set<string>();
    // What a wait lets happen: the domain takes up what was authorized, then the index what the domain shows.
    const settle = (party: string) => {
        if (authorized().has(party)) add(m.parties, participant, party);
        if (parties().has(party)) add(m.indexed, participant, party);
    };
    const refId = (r: ParticipantRef) => {
        if ("id" in r) return r.id;
        if (!m.participantReady.has(participant)) throw new Error("participant.id: the participant is not initialised yet (it has no id)");
        return idOf(participant);
    };
    const onboard = () => {
        if (!plan.domain.open && !m.admitted.has(idOf(participant)))
            throw new Error(`PARTICIPANT_IS_NOT_ACTIVE: Domain ${plan.domain.alias} has rejected our on-boarding attempt (not on the allow-list of this closed network)`);
    };
    const sequencersReady = (what: string) => {
        const waiting = plan.domain.sequencers.nodes.map((s) => names.sequencer(s)).filter((n) => !m.initialized.has(n));
        if (waiting.length > 0) throw new Error(`${what}: ${waiting.join(", ")} not initialised yet`);
    };
    const users = () => m.users.get(participant) ?? new Map<string, UserState>();
    const needsConnectivity = () => {
        if (!m.participantReady.has(participant)) throw new Error("domain-connectivity service not registered: the participant is not initialised yet");
    };
    const holds = (g: Guard): boolean => {
        switch (g.op) {
            case "notInitialized":
                return !g.nodes.every((n) => m.initialized.has(n));
            case "sequencerEndpointsMissing":
                return g.urls.some((u) => !(m.seqConn.get(g.node) ?? new Set()).has(u));
            case "domainNotRegistered":
                needsConnectivity();
                return reg(g.alias) === undefined;
            case "domainEndpointsMissing": {
                const r = reg(g.alias);
                return r !== undefined && g.urls.some((u) => !r.endpoints.has(u));
            }
            case "domainNotConnected": {
                const r = reg(g.alias);
                return r !== undefined && (r.manualConnect || !r.connected);
            }
            case "partyNotAuthorized":
                return !authorized().has(g.party) && !parties().has(g.party);
            case "participantNotAdmitted":
                if (!m.initialized.has(g.domainManager)) throw new Error("participants.list: the domain manager is not initialised");
                return !m.admitted.has(refId(g.participant));
            case "userMissing":
                return !users().has(g.user);
            case "primaryPartyDiffers":
                return users().get(g.user)!.primaryParty !== g.party;
            case "rightsDiffer": {
                const u = users().get(g.user)!;
                const [act, read] = [new Set(g.actAs), new Set(g.readAs)];
                return g.grant
                    ? [...act].some((x) => !u.actAs.has(x)) || [...read].some((x) => !u.readAs.has(x))
                    : [...u.actAs].some((x) => !act.has(x)) || [...u.readAs].some((x) => !read.has(x));
            }
        }
    };
    const apply = (a: Action): void => {
        if (taken.length >= failAfter) throw new Error("simulated failure");
        taken.push(a.op);
        switch (a.op) {
            case "bootstrapDomain": {
                [a.domainManager, ...a.sequencers, ...a.mediators].forEach((n) => m.initialized.add(n));
                // Canton derives the clients' connection from the first sequencer's public API.
                const first = plan.domain.sequencerProxy ? plan.domain.sequencerClientUrls[0] : plan.domain.sequencers.nodes[0].url;
                for (const n of [a.domainManager, ...a.mediators]) if (!m.seqConn.has(n)) m.seqConn.set(n, new Set([first]));
                break;
            }
            case "addSequencerEndpoints":
                sequencersReady("addSequencerEndpoints");
                a.urls.forEach((u) => m.seqConn.get(a.node)!.add(u));
                break;
            case "connectDomain": {
                needsConnectivity();
                sequencersReady("connectDomain");
                const byAlias = m.registered.get(participant) ?? new Map<string, Registration>();
                if (byAlias.has(a.alias)) throw new Error("connect on a registered alias");
                const r: Registration = { endpoints: new Set(a.urls), manualConnect: true, connected: false };
                byAlias.set(a.alias, r);
                m.registered.set(participant, byAlias);
                if (faults.connect) throw new Error("connect failed (sequencer unreachable): the alias stays registered with manualConnect = true");
                onboard();
                r.connected = true;
                r.manualConnect = false;
                break;
            }
            case "addDomainEndpoints": {
                const r = reg(a.alias)!;
                r.connected = false; // disconnect
                a.urls.forEach((u) => r.endpoints.add(u));
                if (faults.reconnect) throw new Error("reconnect failed after disconnect");
                onboard();
                r.connected = true;
                break;
            }
            case "reconnectDomain": {
                const r = reg(a.alias)!;
                r.manualConnect = false;
                onboard();
                r.connected = true;
                break;
            }
            case "admitParticipant":
                m.admitted.add(refId(a.participant));
                break;
            case "enableParty": {
                if (authorized().has(a.party)) throw new Error("TOPOLOGY_MAPPING_ALREADY_EXISTS");
                add(m.authorized, participant, a.party);
                if (faults.partyWait) throw new Error(`Party ${a.party} did not appear on the domain (parties.enable timed out)`);
                settle(a.party); // waitForDomain = DomainChoice.All: the domain, then the Ledger API
                break;
            }
            case "createUser": {
                if (users().has(a.user.id)) throw new Error("USER_ALREADY_EXISTS");
                for (const x of [a.user.primaryParty, ...a.user.actAs, ...a.user.readAs])
                    if (x !== undefined && !indexed().has(x)) throw new Error(`INVALID_ARGUMENT: Provided parties have not been found: ${x}`);
                m.users.set(participant, new Map([...users(), [a.user.id, { primaryParty: a.user.primaryParty, actAs: new Set(a.user.actAs), readAs: new Set(a.user.readAs) }]]));
                break;
            }
            case "setPrimaryParty":
                users().get(a.user)!.primaryParty = a.party;
                break;
            case "grantRights": {
                const u = users().get(a.user)!;
                a.actAs.forEach((x) => u.actAs.add(x));
                a.readAs.forEach((x) => u.readAs.add(x));
                break;
            }
            case "revokeRights": {
                const u = users().get(a.user)!;
                [...u.actAs].filter((x) => !a.actAs.includes(x)).forEach((x) => u.actAs.delete(x));
                [...u.readAs].filter((x) => !a.readAs.includes(x)).forEach((x) => u.readAs.delete(x));
                break;
            }
        }
    };
    for (const step of script.steps as Step[]) {
        if (step.kind === "guarded") {
            if (holds(step.guard)) apply(step.action);
        } else if (step.kind === "waitInitialized" && step.node === "participant") m.participantReady.add(participant);
        else if (step.kind === "waitInitialized" && plan.domain.sequencers.nodes.some((s) => names.sequencer(s) === step.node)) {
            // A sequencer on the shared database reports initialised once the domain is bootstrapped.
            if (!m.initialized.has(names.domainManager())) throw new Error(`${step.node}.health.wait_for_initialized() times out: the domain is not bootstrapped`);
            m.initialized.add(step.node);
        } else if (step.kind === "awaitParty") {
            if (!authorized().has(step.party) && !parties().has(step.party)) throw new Error(`awaitParty ${step.party}: never authorized (retry_until_true times out)`);
            settle(step.party);
        } else if (step.kind === "awaitDomainActive" || step.kind === "ping") {
            const r = reg(plan.domain.alias);
            if (!r?.connected) throw new Error(`${step.kind}: not connected to the domain (retry_until_true times out)`);
        }
    }
    return taken;
}

/** What a participant's first run does: connect, then its parties and users. */
export function firstRunOf(plan: Plan, name: string): string[] {
    const p = plan.participants.find((x) => x.name === name)!;
    return [...(p.domain.admission ? ["admitParticipant"] : []), "connectDomain", ...p.parties.map(() => "enableParty"), ...p.users.map(() => "createUser")];
}
