// Renders a ConsoleScript (steps.ts) as a Canton 2.x console script (Scala/Ammonite).
// Every guarded step becomes `if (<guard>) { <action> } else <skip>`, nothing else mutates.
import { renderedBy } from "../canton/header";
import { MARKER } from "./layout";
import type { Action, ConsoleScript, Guard, ParticipantRef, Step } from "./steps";

const q = (s: string) => JSON.stringify(s); // Scala and JSON string literals agree for our inputs
const seq = (xs: string[]) => `Seq(${xs.join(", ")})`;
const seqOfStrings = (xs: string[]) => seq(xs.map(q));
const participantIdOf = (p: ParticipantRef) => ("console" in p ? `${p.console}.id` : `ParticipantId.tryFromProtoPrimitive(${q(p.id)})`);

/** Helpers every script defines first. Reads only: no call in here changes a node. */
const PRELUDE = `import com.digitalasset.canton.SequencerAlias
import com.digitalasset.canton.console.ParticipantReference
import com.digitalasset.canton.console.commands.DomainChoice
import com.digitalasset.canton.sequencing.{GrpcSequencerConnection, SequencerConnection}
import com.digitalasset.canton.topology.{Identifier, ParticipantId, PartyId}
import com.digitalasset.canton.topology.transaction.{ParticipantPermission, TrustLevel}
import com.digitalasset.canton.topology.store.TopologyStoreId.AuthorizedStore
import com.google.protobuf.ByteString
import java.nio.file.{Files, Paths}

def say(msg: String): Unit = println(s"${MARKER} $msg")

def trustBytes(path: String): ByteString = ByteString.copyFrom(Files.readAllBytes(Paths.get(path)))

// The endpoints of sequencer connections, as the https URLs the plan uses.
def urlsOf(connections: Seq[SequencerConnection]): Set[String] =
  connections.flatMap {
    case g: GrpcSequencerConnection => g.endpoints.toSeq.map(e => s"https://\${e.host}:\${e.port.unwrap}")
    case _ => Seq.empty[String]
  }.toSet

def missingFrom(present: Set[String], wanted: Seq[String]): Seq[String] = wanted.filterNot(present.contains)

// A connection with the wanted URLs added as further endpoints; its trust certificates stay.
// (\`addEndpoints\`: \`addConnection\` is deprecated since Canton 2.7.1.)
def withEndpoints(current: SequencerConnection, wanted: Seq[String]): SequencerConnection =
  missingFrom(urlsOf(Seq(current)), wanted).foldLeft(current)((c, url) => c.addEndpoints(url))

// Whether the participant's registration of the alias is connected and no longer manual.
def connectedAutomatically(p: ParticipantReference, alias: String): Boolean =
  p.domains.list_registered().exists { case (cfg, connected) => cfg.domain.unwrap == alias && connected && !cfg.manualConnect }

// A party this participant allocates with \`parties.enable(hint)\`: \`<hint>::<participant namespace>\`.
def partyOf(p: ParticipantReference, hint: String): PartyId = PartyId(p.id.uid.copy(id = Identifier.tryCreate(hint)))
def partiesOf(p: ParticipantReference, hints: Seq[String]): Set[PartyId] = hints.map(partyOf(p, _)).toSet
def hosts(p: ParticipantReference, hint: String): Boolean = p.parties.hosted(filterParty = s"$hint::").exists(_.party == partyOf(p, hint))
// Whether the participant's own topology manager has authorized the party: its AUTHORIZED
// store, which \`parties.hosted\` leaves out and \`parties.enable\` fails on (MAPPING_ALREADY_EXISTS).
def authorizes(p: ParticipantReference, hint: String): Boolean =
  p.topology.party_to_participant_mappings
    .list(filterStore = AuthorizedStore.filterName, filterParty = partyOf(p, hint).filterString, filterParticipant = p.id.filterString)
    .exists(_.item.party == partyOf(p, hint))
// Whether the participant's Ledger API index knows the party, which \`users.create\` requires.
def indexed(p: ParticipantReference, hint: String): Boolean = p.ledger_api.parties.list().exists(_.party == partyOf(p, hint))

// Every Ledger API user id, page by page (\`users.list\` filters after paging).
def userIds(p: ParticipantReference): Set[String] = {
  def from(token: String, acc: Set[String]): Set[String] = {
    val page = p.ledger_api.users.list(pageToken = token, pageSize = 1000)
    val all = acc ++ page.users.map(_.id)
    if (page.nextPageToken.isEmpty) all else from(page.nextPageToken, all)
  }
  from("", Set.empty)
}

// The replica that is active now; waits (bounded by the console timeouts) until one is.
def pickActive[T](role: String, replicas: Seq[(String, T)])(isActive: T => Boolean): T = {
  utils.retry_until_true(replicas.exists(r => isActive(r._2)))
  val (name, ref) = replicas.find(r => isActive(r._2)).get
  say(s"active $role $name")
  ref
}`;

function renderGuard(g: Guard): string {
    switch (g.op) {
        case "notInitialized":
            return `!(${g.nodes.map((n) => `${n}.health.initialized()`).join(" && ")})`;
        case "sequencerEndpointsMissing":
            return `missingFrom(urlsOf(${g.node}.sequencer_connection.get().toSeq.flatMap(_.connections)), ${seqOfStrings(g.urls)}).nonEmpty`;
        case "domainNotRegistered":
            return `!${g.participant}.domains.list_registered().exists(_._1.domain.unwrap == ${q(g.alias)})`;
        case "domainEndpointsMissing":
            return (
                `${g.participant}.domains.list_registered().exists(_._1.domain.unwrap == ${q(g.alias)}) &&\n` +
                `    missingFrom(urlsOf(${g.participant}.domains.list_registered().map(_._1).filter(_.domain.unwrap == ${q(g.alias)})` +
                `.flatMap(_.sequencerConnections.connections)), ${seqOfStrings(g.urls)}).nonEmpty`
            );
        case "domainNotConnected":
            return `${g.participant}.domains.list_registered().exists(_._1.domain.unwrap == ${q(g.alias)}) && !connectedAutomatically(${g.participant}, ${q(g.alias)})`;
        case "partyNotAuthorized":
            return `!authorizes(${g.participant}, ${q(g.party)}) && !hosts(${g.participant}, ${q(g.party)})`;
        case "participantNotAdmitted":
            // `participants.list()` reads the domain manager's authorized store, the one the
            // closed domain's onboarding check reads (2.9 DomainAdministration, participantIsAllowed).
            return `!${g.domainManager}.participants.list().exists(r => r.item.participant == ${participantIdOf(g.participant)} && r.item.permission == ParticipantPermission.Submission)`;
        case "userMissing":
            return `!userIds(${g.participant}).contains(${q(g.user)})`;
        case "primaryPartyDiffers":
            return `${g.participant}.ledger_api.users.get(${q(g.user)}).primaryParty != Some(partyOf(${g.participant}, ${q(g.party)}))`;
        case "rightsDiffer": {
            const rights = `${g.participant}.ledger_api.users.rights.list(${q(g.user)})`;
            const [act, read] = [`partiesOf(${g.participant}, ${seqOfStrings(g.actAs)})`, `partiesOf(${g.participant}, ${seqOfStrings(g.readAs)})`];
            return g.grant
                ? `(${act} -- ${rights}.actAs).nonEmpty || (${read} -- ${rights}.readAs).nonEmpty`
                : `(${rights}.actAs -- ${act}).nonEmpty || (${rights}.readAs -- ${read}).nonEmpty`;
        }
    }
}

function renderAction(a: Action): string[] {
    switch (a.op) {
        case "bootstrapDomain":
            return [`${a.domainManager}.setup.bootstrap_domain(${seq(a.sequencers)}, ${seq(a.mediators)})`];
        case "addSequencerEndpoints":
            return [`${a.node}.sequencer_connection.modify(withEndpoints(_, ${seqOfStrings(a.urls)}))`];
        case "connectDomain":
            // One URL (load-balancer mode): the plain connect with the domain CA as trust anchor.
            // Several (client-side mode): connect_multi merges them into ONE sequencer connection
            // with several endpoints, which is what HA sequencers on one database are.
            return a.urls.length === 1
                ? [`${a.participant}.domains.connect(${q(a.alias)}, ${q(a.urls[0])}, certificatesPath = ${q(a.trustFile)})`]
                : [
                      `${a.participant}.domains.connect_multi(${q(a.alias)}, ${seqOfStrings(a.urls)}.map(url =>`,
                      `  GrpcSequencerConnection.tryCreate(url, customTrustCertificates = Some(trustBytes(${q(a.trustFile)})))))`,
                  ];
        case "addDomainEndpoints":
            // Disconnect first so the participant picks the new endpoints up on reconnect. A failed
            // reconnect leaves the alias disconnected; the `reconnect-domain` step repairs that.
            return [
                `${a.participant}.domains.disconnect(${q(a.alias)})`,
                `${a.participant}.domains.modify(${q(a.alias)}, cfg =>`,
                `  missingFrom(urlsOf(cfg.sequencerConnections.connections), ${seqOfStrings(a.urls)}).foldLeft(cfg)((c, url) => c.addEndpoints(SequencerAlias.Default, url)))`,
                `${a.participant}.domains.reconnect(${q(a.alias)})`,
            ];
        case "reconnectDomain":
            // Not manual first: if this reconnect fails too, the participant's own reconnect
            // logic (which skips manual domains) keeps trying, and so does the next run.
            return [`${a.participant}.domains.modify(${q(a.alias)}, _.copy(manualConnect = false))`, `${a.participant}.domains.reconnect(${q(a.alias)})`];
        case "enableParty":
            // `DomainChoice.All` waits for the connected domains and then for
            // `ledger_api.parties.list()` (2.9 PartiesAdministration.enable); the default waits
            // for nothing. The `awaitParty` step after it repeats the wait for re-runs.
            return [`${a.participant}.parties.enable(${q(a.party)}, waitForDomain = DomainChoice.All)`];
        case "admitParticipant":
            // As Digital Asset's chart does for each participant of a closed domain.
            return [`${a.domainManager}.participants.set_state(${participantIdOf(a.participant)}, ParticipantPermission.Submission, TrustLevel.Ordinary)`];
        case "createUser": {
            const u = a.user;
            const primary = u.primaryParty === undefined ? "None" : `Some(partyOf(${a.participant}, ${q(u.primaryParty)}))`;
            return [
                `${a.participant}.ledger_api.users.create(id = ${q(u.id)}, actAs = partiesOf(${a.participant}, ${seqOfStrings(u.actAs)}), ` +
                    `primaryParty = ${primary}, readAs = partiesOf(${a.participant}, ${seqOfStrings(u.readAs)}))`,
            ];
        }
        case "setPrimaryParty":
            return [`${a.participant}.ledger_api.users.update(${q(a.user)}, _.copy(primaryParty = Some(partyOf(${a.participant}, ${q(a.party)}))))`];
        case "grantRights":
        case "revokeRights": {
            const rights = `${a.participant}.ledger_api.users.rights.list(${q(a.user)})`;
            const [act, read] = [`partiesOf(${a.participant}, ${seqOfStrings(a.actAs)})`, `partiesOf(${a.participant}, ${seqOfStrings(a.readAs)})`];
            return a.op === "grantRights"
                ? [`${a.participant}.ledger_api.users.rights.grant(${q(a.user)}, actAs = ${act} -- ${rights}.actAs, readAs = ${read} -- ${rights}.readAs)`]
                : [`${a.participant}.ledger_api.users.rights.revoke(${q(a.user)}, actAs = ${rights}.actAs -- ${act}, readAs = ${rights}.readAs -- ${read})`];
        }
    }
}

function renderStep(step: Step, n: number, total: number): string {
    const head = `// --- step ${n}/${total}: `;
    switch (step.kind) {
        case "waitRunning":
            return `${head}wait until ${step.node} runs\n${step.node}.health.wait_for_running()`;
        case "waitIdentity":
            return `${head}wait until ${step.node} has its identity\n${step.node}.health.wait_for_identity()`;
        case "waitInitialized":
            return `${head}wait until ${step.node} is initialised\n${step.node}.health.wait_for_initialized()`;
        case "pickActive":
            return (
                `${head}find the active ${step.role} replica\n` +
                `val ${step.bind} = pickActive(${q(step.role)}, ${seq(step.replicas.map((r) => `${q(r)} -> ${r}`))})(_.health.active)`
            );
        case "guarded":
            return [
                `${head}${step.id}: ${step.why}`,
                `if (${renderGuard(step.guard)}) {`,
                `  say(${q(`step ${step.id} running`)})`,
                ...renderAction(step.action).map((l) => `  ${l}`),
                `  say(${q(`step ${step.id} done`)})`,
                `} else say(${q(`step ${step.id} already done, skipped`)})`,
            ].join("\n");
        case "awaitDomainActive":
            return `${head}wait until ${step.participant} is active on ${q(step.alias)}\n` + `utils.retry_until_true(${step.participant}.domains.active(${q(step.alias)}))`;
        case "awaitParty":
            return (
                `${head}wait until the domain and the Ledger API index know party ${q(step.party)}\n` +
                `utils.retry_until_true(hosts(${step.participant}, ${q(step.party)}))\n` +
                `utils.retry_until_true(indexed(${step.participant}, ${q(step.party)}))`
            );
        case "ping":
            return `${head}ping itself over the domain\n${step.participant}.health.ping(${step.participant})`;
        case "reportPartyIds":
            return (
                `${head}report the party ids for the stack outputs\n` +
                step.parties.map((h) => `say(s"party-id ${step.name} ${h} \${partyOf(${step.participant}, ${q(h)}).toProtoPrimitive}")`).join("\n")
            );
        case "reportParticipantId":
            return `${head}report the participant id for the stack outputs\n` + `say(s"participant-id ${step.name} \${${step.participant}.id.toProtoPrimitive}")`;
    }
}

export function renderScript(script: ConsoleScript, stack: string): string {
    const body = script.steps.map((s, i) => renderStep(s, i + 1, script.steps.length));
    return [
        ...renderedBy(stack, script.title)
            .split("\n")
            .map((l) => `// ${l}`),
        "// Every step checks the current state first: running this script twice is safe.",
        "",
        PRELUDE,
        "",
        `say(${q(`start ${script.job}`)})`,
        "",
        body.join("\n\n"),
        "",
        `say(${q(`done ${script.job}`)})`,
        "",
    ].join("\n");
}
