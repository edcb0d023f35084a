// One domain and two participants of different organisations, composed from the canton-ha
// library by hand instead of through CantonHaTopology:
// - "Market Infra" runs the domain and its own participant `operator`;
// - "Example Bank" runs participant `bank` with its own PKI and database, and joins the
//   domain knowing only what Market Infra publishes: the alias, the sequencer URLs and the
//   domain's CA chain (here handed over in-process; across organisations, a stack reference
//   or a file).
import * as pulumi from "@pulumi/pulumi";
import {
    CantonDomain,
    CantonParticipant,
    CertificateAuthority,
    connectionOf,
    dockerNaming,
    DockerPlatform,
    validateConfig,
    planDomain,
    planParticipants,
    PlatformDatabase,
    type DomainConnection,
} from "canton-ha";

const stack = pulumi.getStack();
// Each organisation validates its own settings with the library's schema (errors name the key).
// The image is a full path into a mirror of Digital Asset's registry (see the README, "Pulling the Canton image").
const common = { platform: "docker", haMode: "clientside", canton: { image: "mirror.example/canton/canton-enterprise", version: "2.9.4" } };
const marketInfra = validateConfig({
    ...common,
    domain: { name: "market", dnsDomain: "market.example", sequencers: 2 },
    participants: [{ name: "operator", replicas: 2, users: ["ops"] }],
    pki: { organization: "Market Infra" },
});
const exampleBank = validateConfig({
    ...common,
    participants: [{ name: "bank", dnsDomain: "bank.example", replicas: 2, users: ["trader", { id: "auditor", actAs: [], readAs: ["trader"] }] }],
    pki: { organization: "Example Bank" },
});

// Market Infra: the domain and its participant.
const naming = dockerNaming(marketInfra);
const { domain: domainPlan, databaseServer: domainDb } = planDomain(marketInfra, naming);
const {
    participants: [operatorPlan],
    databaseServers: [operatorDb],
} = planParticipants(marketInfra, naming, connectionOf(domainPlan));
// Both organisations' containers on one Docker host for the example, on one network, with no
// host ports published (each organisation's port scheme starts at the same numbers).
// `new NonePlatform()` would render everything and run nothing.
const platform = new DockerPlatform({ namePrefix: `multi-org-${stack}` });

const domainPki = new CertificateAuthority("market-domain-ca", { trustDomain: domainPlan.trustDomain });
const domain = new CantonDomain("market", {
    domain: domainPlan,
    stack,
    pki: domainPki,
    platform,
    database: new PlatformDatabase(domainDb.id, { server: domainDb, pki: domainPki, platform, protect: false }),
});
const operatorPki = new CertificateAuthority("operator-ca", { trustDomain: operatorPlan.trustDomain });
const operator = new CantonParticipant("operator", {
    participant: operatorPlan,
    stack,
    pki: operatorPki,
    platform,
    domain: domain.connection,
    database: new PlatformDatabase(operatorDb.id, { server: operatorDb, pki: operatorPki, platform, protect: false }),
});

// Example Bank: joins with only the published connection. Its port block is its own (index 1
// in its config), so it runs on another host than Market Infra's nodes.
const published: DomainConnection = {
    alias: domainPlan.alias,
    sequencerUrls: domainPlan.sequencerClientUrls,
    caChainPem: domain.connection.caChainPem,
    started: [],
    ready: domain.connection.ready,
};
const {
    participants: [bankPlan],
    databaseServers: [bankDb],
} = planParticipants(exampleBank, dockerNaming(exampleBank), {
    alias: domainPlan.alias,
    sequencerUrls: domainPlan.sequencerClientUrls,
    haMode: domainPlan.haMode,
});
const bankPki = new CertificateAuthority("bank-ca", { trustDomain: bankPlan.trustDomain });
const bank = new CantonParticipant("bank", {
    participant: bankPlan,
    stack,
    pki: bankPki,
    platform,
    domain: published,
    database: new PlatformDatabase(bankDb.id, { server: bankDb, pki: bankPki, platform, protect: false }),
});

export const domainAlias = domainPlan.alias;
export const sequencerUrls = domainPlan.sequencerClientUrls;
export const domainCaChain = domainPki.chainPem;
export const participants = { operator: operator.urn, bank: bank.urn };
