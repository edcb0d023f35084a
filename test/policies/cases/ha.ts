// HA correctness, over whole stacks: counts, shared databases, replica identity, sequencer
// connections, participant proxies.
import type { WireResource } from "../support/run";
import { container, devCantonContainers, golden, stackResource, STACK, withUpload } from "../support/wire";
import { bigLb } from "./canton";
import { cutBlock, replaceOnce, type CaseTable } from "./types";

const bootstrap = (id: string, file: string, text: string) => container(id, { attach: true, files: { [`/canton/bootstrap/${file}`]: text } });
/** The dev topology with its bootstrap scripts (client-side mode). */
const dev = (): WireResource[] => [
    ...devCantonContainers(),
    bootstrap("bootstrap-domain", "domain.canton", golden("bootstrap/dev/domain.canton")),
    bootstrap("bootstrap-participant-participant1", "participant-participant1.canton", golden("bootstrap/dev/participant-participant1.canton")),
    bootstrap("bootstrap-participant-participant2", "participant-participant2.canton", golden("bootstrap/dev/participant-participant2.canton")),
];
const without = (rs: WireResource[], ...names: string[]) => rs.filter((r) => !names.includes(r.name));
const conf = (rs: WireResource[], host: string, f: (t: string) => string) => withUpload(rs, host, "/canton/config/node.conf", f);
const SEQ2 = /, "https:\/\/sequencer2\.domain\.canton\.local:4421"/g;

export const haCases: CaseTable = {
    "ha-min-sequencers": {
        compliant: [
            { name: "two sequencers", resources: dev() },
            { name: "one sequencer in a stack listed as not HA", resources: without(dev(), "sequencer2"), config: { nonHaStacks: [STACK] } },
        ],
        violating: [
            {
                name: "one sequencer",
                resources: without(dev(), "sequencer2"),
                expect: /the domain has 1 sequencer \(sequencer1\); losing it stops the domain.*domain.sequencers' 2/,
            },
            { name: "three required, two run", resources: dev(), config: { minSequencers: 3 }, expect: /has 2 sequencers/ },
        ],
    },
    "ha-min-mediators": {
        compliant: [{ name: "two mediator replicas", resources: dev() }],
        violating: [
            { name: "one mediator", resources: without(dev(), "mediator2"), expect: /the mediator 'mediator' has 1 replica \(mediator1\)/ },
            { name: "no mediator", resources: without(dev(), "mediator1", "mediator2"), expect: /the domain has no mediator/ },
        ],
    },
    "ha-sequencers-shared-database": {
        compliant: [
            { name: "two HA sequencers on one database", resources: dev() },
            { name: "the three sequencers of the LB goldens", resources: bigLb() },
        ],
        violating: [
            {
                name: "a sequencer on its own database",
                resources: conf(dev(), "sequencer2", (t) => replaceOnce(t, 'databaseName = "sequencer"', 'databaseName = "sequencer2"')),
                expect: /the sequencers do not share one database \(sequencer1 on .*:5432\/sequencer; sequencer2 on .*\/sequencer2\)/,
            },
            {
                name: "high availability off",
                resources: conf(dev(), "sequencer1", (t) => replaceOnce(t, /high-availability \{\n\s*enabled = true/, "high-availability {\n          enabled = false")),
                expect: /sequencer 'sequencer1' does not enable high-availability/,
            },
            {
                name: "total-node-count below the sequencer count",
                resources: conf(dev(), "sequencer1", (t) => replaceOnce(t, "total-node-count = 10", "total-node-count = 1")),
                expect: /total-node-count 1, fewer than the 2 sequencers/,
            },
        ],
    },
    "ha-replicas-share-node-and-database": {
        compliant: [
            { name: "the dev participants and mediators", resources: dev() },
            { name: "the LB goldens' three-replica participant", resources: bigLb() },
        ],
        violating: [
            {
                name: "a participant replica on another database",
                resources: conf(dev(), "participant1-2", (t) => replaceOnce(t, 'databaseName = "participant1"', 'databaseName = "participant1b"')),
                expect: /the replicas of participant 'participant1' .* use different databases .*participant1-2 on .*\/participant1b/,
            },
            {
                name: "a replica under another node name",
                resources: conf(dev(), "participant1-2", (t) => replaceOnce(t, /participants \{\n(\s*)participant1 \{/, "participants {\n$1participant1b {")),
                expect: /have different Canton node names \(participant1-1: 'participant1', participant1-2: 'participant1b'\)/,
            },
            {
                name: "replication off",
                resources: conf(dev(), "mediator2", (t) => cutBlock(t, "replication")),
                expect: /replica mediator2 of mediator 'mediator' .* does not enable replication/,
            },
            {
                name: "two participants on one database",
                resources: conf(dev(), "participant2-1", (t) =>
                    replaceOnce(t, 'databaseName = "participant2"', 'databaseName = "participant1"')
                        .replace('serverName = "db.participant2.canton.local"', 'serverName = "db.participant1.canton.local"')
                        .replace("portNumber = 5434", "portNumber = 5433"),
                ),
                expect: /is used by participant 'participant1' and participant 'participant2'/,
            },
            {
                name: "replicas on in-memory storage",
                resources: conf(
                    conf(dev(), "mediator1", (t) => cutBlock(t, "storage")),
                    "mediator2",
                    (t) => cutBlock(t, "storage"),
                ),
                expect: /have \(no storage\): replicas can only share a persistent database/,
            },
        ],
    },
    "ha-sequencer-connections": {
        compliant: [
            { name: "client-side: every bootstrap connection lists every sequencer", resources: dev() },
            { name: "load-balancer: every client uses the proxy, which routes to every sequencer", resources: bigLb() },
            {
                name: "the none platform: the stack output lists every sequencer",
                resources: [
                    stackResource({
                        endpoints: { haMode: "clientside", sequencerClientUrls: ["https://sequencer1.domain.canton.local:4401", "https://sequencer2.domain.canton.local:4421"] },
                        configs: { sequencer1: golden("dev/sequencer1.conf"), sequencer2: golden("dev/sequencer2.conf") },
                    }),
                ],
            },
        ],
        violating: [
            {
                name: "a participant that knows one sequencer only",
                resources: withUpload(dev(), "bootstrap-participant-participant1", "/canton/bootstrap/participant-participant1.canton", (t) => replaceOnce(t, SEQ2, "")),
                expect: /in client-side mode this client connects to sequencer1 but not to sequencer2/,
            },
            {
                name: "the mediator and domain manager without sequencer2",
                resources: withUpload(dev(), "bootstrap-domain", "/canton/bootstrap/domain.canton", (t) => replaceOnce(t, SEQ2, "")),
                expect: /bootstrap-domain.*not to sequencer2/,
            },
            {
                name: "the stack output missing a sequencer",
                resources: [
                    stackResource({
                        endpoints: { haMode: "clientside", sequencerClientUrls: ["https://sequencer1.domain.canton.local:4401"] },
                        configs: { sequencer1: golden("dev/sequencer1.conf"), sequencer2: golden("dev/sequencer2.conf") },
                    }),
                ],
                expect: /stack output endpoints.sequencerClientUrls: in client-side mode/,
            },
            {
                name: "load-balancer mode with a client bypassing the proxy",
                resources: withUpload(bigLb(), "bootstrap-participant-bank", "/canton/bootstrap/participant-bank.canton", (t) =>
                    t.replace(/https:\/\/sequencer\.domain\.canton\.local:4401/g, "https://sequencer2.domain.canton.local:4421"),
                ),
                expect: /connects to sequencer2 directly, bypassing the proxy/,
            },
            {
                name: "a sequencer proxy that misses a sequencer",
                resources: withUpload(bigLb(), "sequencer-proxy", "/usr/local/etc/haproxy/haproxy.cfg", (t) => t.replace(/\n\s*server sequencer3 [^\n]*/g, "")),
                expect: /the sequencer proxy routes to sequencer1, sequencer2 but not to sequencer3/,
            },
        ],
    },
    "ha-participant-load-balancer": {
        compliant: [
            { name: "the LB goldens: a proxy per replicated participant", resources: bigLb() },
            { name: "client-side mode needs no proxy", resources: dev() },
        ],
        violating: [
            {
                name: "no proxy for a replicated participant",
                resources: without(bigLb(), "custodian-proxy"),
                expect: /participant 'custodian' has 2 replicas \(custodian-1, custodian-2\) but no proxy/,
            },
            {
                name: "a proxy that misses a replica",
                resources: withUpload(bigLb(), "bank-proxy", "/usr/local/etc/haproxy/haproxy.cfg", (t) => t.replace(/\n\s*server bank-3 [^\n]*/g, "")),
                expect: /the proxy of participant 'bank' does not route to bank-3/,
            },
            {
                name: "a proxy without the /health check",
                resources: withUpload(bigLb(), "bank-proxy", "/usr/local/etc/haproxy/haproxy.cfg", (t) => t.replace(/\n\s*option httpchk/g, "")),
                expect: /does not health-check the replicas' \/health/,
            },
            {
                name: "a replica without the is-active health check",
                resources: conf(bigLb(), "bank-2", (t) => replaceOnce(t, 'type = "is-active"', 'type = "ping"')),
                expect: /replica bank-2 of participant 'bank' has no is-active health check/,
            },
        ],
    },
};
