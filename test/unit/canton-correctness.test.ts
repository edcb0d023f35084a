// Canton 2.9 facts the deployment must honour (issue "Canton 2.9 correctness"), each checked on
// the plan, the rendered files or the program under mocks. Sources are cited in the code.
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "../../components/config";
import { changeFailure, recordedSettingProvider, RecordedSettingInputs } from "../../components/guards/recorded-setting";
import { buildPlan } from "../../components/plan/build";
import { secretKeyProblems, secretKeysOf } from "../../components/secret-config";
import { bigPlan, devPlan, raw, stackFileConfig, TEST_REGISTRY } from "../support/fixtures";
import { Registered, registered, setUpMocks, valueOf, ofType } from "../support/mocks";

describe("participant server certificates cover the address its admin workflows dial", () => {
    // The ping service connects to the participant's own Ledger API at `ledger-api.address`,
    // 0.0.0.0, verifying the server certificate against that IP (AdminWorkflowServices.scala).
    it("every participant replica's certificate has IP:0.0.0.0; other nodes' do not", () => {
        for (const plan of [devPlan(), bigPlan("loadbalancer")]) {
            for (const p of plan.participants) {
                const td = p.trustDomain;
                for (const r of p.replicas) {
                    expect(r.host.serverCert.ipAddresses).toContain("0.0.0.0");
                    expect(td.certificates).toContain(r.host.serverCert); // the one the CA issues
                }
                expect(p.db.server.host.serverCert!.ipAddresses).not.toContain("0.0.0.0");
            }
            const domain = plan.trustDomains.find((t) => t.id === "domain")!;
            for (const c of domain.certificates) expect(c.ipAddresses).not.toContain("0.0.0.0");
        }
    });
});

describe("sequencer total-node-count is recorded and may not change (Canton 2.9 manual, HA)", () => {
    const inputs = (value: number, allowChange = false): RecordedSettingInputs => ({
        key: "canton-ha:domain.totalNodeCount",
        value: String(value),
        overrideKey: "canton-ha:domain.allowTotalNodeCountChange",
        why: "because.",
        allowChange,
    });

    it("defaults to 10 everywhere", () => {
        expect(devPlan().domain.sequencers.totalNodeCount).toBe(10);
        expect(bigPlan().domain.sequencers.totalNodeCount).toBe(10);
        expect(buildPlan(parseConfig(stackFileConfig("prod")), "prod").domain.sequencers.totalNodeCount).toBe(10);
    });

    it("accepts the first value and an unchanged one; refuses a change, naming both keys and the way back", async () => {
        const check = recordedSettingProvider.check!;
        expect((await check({}, inputs(10))).failures).toBeUndefined();
        expect((await check(inputs(10), inputs(10))).failures).toBeUndefined();
        const refused = await check(inputs(10), inputs(12));
        expect(refused.failures).toEqual([{ property: "value", reason: changeFailure(inputs(10), inputs(12)) }]);
        expect(refused.failures![0].reason).toMatch(
            /canton-ha:domain\.totalNodeCount was 10 when this stack was first deployed and is now 12\. because\. Set it back to 10 \(`pulumi config set --path 'canton-ha:domain\.totalNodeCount' 10`\), or, .* set canton-ha:domain\.allowTotalNodeCountChange to true/,
        );
        expect((await check(inputs(10), inputs(12, true))).failures).toBeUndefined();
    });

    it("records a change that was allowed, so the next run compares with the new value", async () => {
        const p = recordedSettingProvider;
        expect((await p.diff!("k", inputs(10) as never, inputs(12, true))).changes).toBe(true);
        expect((await p.update!("k", inputs(10) as never, inputs(12, true))).outs).toMatchObject({ value: "12" });
        expect((await p.diff!("k", inputs(12, true) as never, inputs(12, true))).changes).toBe(false);
    });
});

describe("secret stack config", () => {
    const withUser = parseConfig(raw({ canton: { registryUsername: "ci" } }));

    it("a registry user needs its password as a secret key", () => {
        expect(secretKeysOf(withUser).map((k) => k.key)).toEqual(["cantonRegistryPassword"]);
        expect(secretKeysOf(parseConfig(raw({})))).toEqual([]);
    });

    it("names the key and the command when it is missing or in plain text", () => {
        const keys = secretKeysOf(withUser);
        expect(secretKeyProblems(keys, {}, () => false)).toEqual([
            {
                key: "canton-ha:cantonRegistryPassword",
                message: `is required (the password of canton.registryUsername 'ci' at ${TEST_REGISTRY}); set it with \`pulumi config set --secret canton-ha:cantonRegistryPassword <value>\``,
            },
        ]);
        expect(secretKeyProblems(keys, { "canton-ha:cantonRegistryPassword": "pw" }, () => false)[0].message).toMatch(
            /is stored in plain text in the stack file; set it again with `pulumi config set --secret/,
        );
        expect(secretKeyProblems(keys, { "canton-ha:cantonRegistryPassword": "pw" }, (k) => k === "canton-ha:cantonRegistryPassword")).toEqual([]);
    });

    it("keeps the secret key out of the parsed config", () => {
        const cfg = parseConfig({ ...raw({}), "canton-ha:cantonRegistryPassword": "pw" }) as unknown as Record<string, unknown>;
        expect(JSON.stringify(cfg)).not.toContain('pw"');
    });
});

describe("dev stack on Docker with registry credentials, under mocks", () => {
    let resources: Registered[];
    const typed = (t: string) => ofType(resources, t);

    beforeAll(async () => {
        const cfg = stackFileConfig("dev");
        const canton = { ...JSON.parse(cfg["canton-ha:canton"]), registryUsername: "ci" };
        const config = { ...cfg, "canton-ha:canton": JSON.stringify(canton), "canton-ha:cantonRegistryPassword": "s3cret-registry-pw" };
        await setUpMocks("dev", {});
        pulumi.runtime.setAllConfig(config, ["canton-ha:cantonRegistryPassword"]);
        const program = await import("../../index");
        await valueOf(program.caChains);
        resources = await registered();
    });

    it("pulls the Canton image through a provider logged in to canton.registry; containers keep the default provider", () => {
        const providers = typed("pulumi:providers:docker");
        expect(providers.map((p) => p.name)).toEqual(["registry-login"]);
        const auth = providers[0].state.registryAuth;
        expect(JSON.stringify(auth)).toContain(TEST_REGISTRY);
        const canton = typed("docker:index/remoteImage:RemoteImage").find((i) => i.state.name.startsWith(`${TEST_REGISTRY}/`))!;
        expect(canton.state.name).toBe(`${TEST_REGISTRY}/canton-enterprise:2.9.4`);
    });

    it("gives every Postgres container 256 MB of /dev/shm and the derived max_connections", () => {
        const dbs = typed("docker:index/container:Container").filter((c) => c.name.endsWith("-db"));
        expect(dbs.map((c) => c.name).sort()).toEqual(["domain-db", "participant1-db", "participant2-db"]);
        const planned = Object.fromEntries(devPlan().databaseServers.map((d) => [d.id, d.maxConnections]));
        for (const c of dbs) {
            expect(c.state.shmSize).toBe(256);
            expect(/-c max_connections=(\d+)\b/.exec(c.state.entrypoints.join(" "))?.[1]).toBe(String(planned[c.name]));
        }
    });
});
