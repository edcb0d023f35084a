// examples/multi-org under mocks: a program that imports the library by its package name and
// composes one domain and two participants of different organisations.
import { beforeAll, describe, expect, it } from "vitest";
import { Registered, registered, setUpMocks, valueOf, ofType, uploadsOf } from "../support/mocks";

let resources: Registered[];
let example: typeof import("../../examples/multi-org/index");
const typed = (t: string) => ofType(resources, t);

beforeAll(async () => {
    await setUpMocks("example", {});
    example = await import("../../examples/multi-org/index");
    await valueOf(example.domainCaChain);
    resources = await registered();
});

describe("examples/multi-org", () => {
    it("builds one domain and a participant per organisation, each with its own PKI and database", () => {
        expect(typed("canton-ha:domain:Domain").map((r) => r.name)).toEqual(["market"]);
        expect(
            typed("canton-ha:participant:Participant")
                .map((r) => r.name)
                .sort(),
        ).toEqual(["bank", "operator"]);
        expect(
            typed("canton-ha:pki:CertificateAuthority")
                .map((r) => r.name)
                .sort(),
        ).toEqual(["bank-ca", "market-domain-ca", "operator-ca"]);
        expect(
            typed("canton-ha:data:Database")
                .map((r) => r.name)
                .sort(),
        ).toEqual(["bank-db", "market-db", "operator-db"]);
    });

    it("gives each organisation its own subjects", () => {
        const orgOf = (name: string) => typed("tls:index/certRequest:CertRequest").find((r) => r.name === name)?.state.subject.organization;
        expect(orgOf("bank-bank-1")).toBe("Example Bank");
        expect(orgOf("operator-operator-1")).toBe("Market Infra");
        expect(orgOf("domain-sequencer1")).toBe("Market Infra");
    });

    it("connects the joining bank with only the domain's published URLs and CA chain", async () => {
        expect(await valueOf(example.sequencerUrls)).toEqual(["https://sequencer1.market.example:4401", "https://sequencer2.market.example:4421"]);
        const containers = typed("docker:index/container:Container");
        const uploads = (name: string) => uploadsOf(containers.find((c) => c.name === name)!);
        // The bank's replicas verify the sequencers with the domain's chain, and their own clients with the bank's.
        expect(uploads("bank-1")["/canton/tls/domain-ca-chain.pem"]).toContain("market-domain-ca-intermediate");
        expect(uploads("bank-1")["/canton/tls/ca-chain.pem"]).toContain("bank-ca-intermediate");
        // Its bootstrap job joins the domain by the published URLs, trusting the domain's chain.
        const job = uploads("bootstrap-participant-bank");
        expect(job["/canton/bootstrap/participant-bank.canton"]).toContain(
            'connect_multi("market", Seq("https://sequencer1.market.example:4401", "https://sequencer2.market.example:4421").map(',
        );
        expect(job["/canton/bootstrap/tls/domain/ca-chain.pem"]).toContain("market-domain-ca-intermediate");
        // No host ports: both organisations' port schemes start at the same numbers.
        for (const c of containers) expect(c.state.ports ?? [], c.name).toEqual([]);
    });
});
