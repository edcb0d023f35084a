import { describe, expect, it } from "vitest";
import { ConfigError, parseConfig } from "../../components/config";
import { buildPlan } from "../../components/plan/build";
import * as yaml from "js-yaml";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { raw, rawExactly, TEST_REGISTRY } from "../support/fixtures";

/** Parses and plans, as `pulumi up` does, and returns the error text (or fails). */
function errorOf(entries: Record<string, unknown>, exactly = false): string {
    try {
        buildPlan(parseConfig((exactly ? rawExactly : raw)(entries)), "test");
    } catch (e) {
        expect(e).toBeInstanceOf(ConfigError);
        return (e as Error).message;
    }
    throw new Error(`config was accepted: ${JSON.stringify(entries)}`);
}

const p = (name: string, extra: Record<string, unknown> = {}) => ({ name, ...extra });

describe("stack config validation", () => {
    const cases: [string, Record<string, unknown>, string][] = [
        ["unknown platform", { platform: "nomad" }, "canton-ha:platform: must be one of 'docker', 'kubernetes', 'none', got \"nomad\""],
        [
            "unknown k8s exposure",
            { platform: "kubernetes", kubernetes: { exposure: "Ingress" } },
            "canton-ha:kubernetes.exposure: must be one of 'none', 'LoadBalancer', 'NodePort', got \"Ingress\"",
        ],
        ["k8s namespace not a label", { platform: "kubernetes", kubernetes: { namespace: "Canton_Prod" } }, "canton-ha:kubernetes.namespace: namespace must be a DNS label"],
        [
            "k8s memory not a quantity",
            { platform: "kubernetes", kubernetes: { resources: { canton: { memory: "4 GB" } } } },
            "canton-ha:kubernetes.resources.canton.memory: memory must be a Kubernetes quantity",
        ],
        ["render dir off kubernetes", { platform: "docker", kubernetes: { renderYamlTo: "out" } }, "canton-ha:kubernetes.renderYamlTo: is set but canton-ha:platform is 'docker'"],
        ["unknown HA mode", { haMode: "active-active" }, "canton-ha:haMode: must be one of 'clientside', 'loadbalancer', got \"active-active\""],
        ["unknown LB kind", { loadBalancer: { kind: "envoy" } }, "canton-ha:loadBalancer.kind: must be one of 'haproxy', 'nginx', got \"envoy\""],
        ["unknown LB key", { loadBalancer: { kind: "nginx", health: 1 } }, "canton-ha:loadBalancer: unknown key 'health'; allowed here: kind"],
        ["LB check interval zero", { loadBalancer: { healthCheck: { intervalMs: 0 } } }, "canton-ha:loadBalancer.healthCheck.intervalMs: must be at least 10, got 0"],
        ["LB fall as text", { loadBalancer: { healthCheck: { fall: "two" } } }, 'canton-ha:loadBalancer.healthCheck.fall: must be a number, got "two"'],
        ["LB rise over 10", { loadBalancer: { healthCheck: { rise: 11 } } }, "canton-ha:loadBalancer.healthCheck.rise: must be at most 10, got 11"],
        [
            "LB unknown health-check key",
            { loadBalancer: { healthCheck: { interval: 100 } } },
            "canton-ha:loadBalancer.healthCheck: unknown key 'interval'; allowed here: intervalMs, downIntervalMs, timeoutMs, fall, rise",
        ],
        ["LB fractional connect timeout", { loadBalancer: { connectTimeoutMs: 2.5 } }, "canton-ha:loadBalancer.connectTimeoutMs: must be a whole number, got 2.5"],
        ["LB too many retries", { loadBalancer: { retries: 11 } }, "canton-ha:loadBalancer.retries: must be at most 10, got 11"],
        ["LB idle timeout too short", { loadBalancer: { idleTimeoutSeconds: 5 } }, "canton-ha:loadBalancer.idleTimeoutSeconds: must be at least 10, got 5"],
        ["LB nginx fail timeout zero", { loadBalancer: { kind: "nginx", failTimeoutSeconds: 0 } }, "canton-ha:loadBalancer.failTimeoutSeconds: must be at least 1, got 0"],
        ["LB hold over 10 s", { loadBalancer: { holdWhileUnavailableMs: 10_001 } }, "canton-ha:loadBalancer.holdWhileUnavailableMs: must be at most 10000, got 10001"],
        ["LB image with a space", { loadBalancer: { image: "haproxy 2.6" } }, "canton-ha:loadBalancer.image: 'haproxy 2.6' must not contain spaces"],
        ["LB empty image", { loadBalancer: { image: "" } }, "canton-ha:loadBalancer.image: must name an image such as 'haproxy:2.6', got \"\""],
        ["unknown top-level key", { sequencers: 3 }, "canton-ha:sequencers: unknown key; allowed keys are platform, haMode"],
        ["unknown domain key", { domain: { sequencer: 3 } }, "canton-ha:domain: unknown key 'sequencer'; allowed here: name, dnsDomain, sequencers, mediators, totalNodeCount"],
        [
            "replication timeout not in whole seconds",
            { canton: { replication: { healthCheckTimeoutMs: 1500 } } },
            "canton-ha:canton.replication.healthCheckTimeoutMs: is 1500 but Canton reads it in whole seconds; use a multiple of 1000",
        ],
        [
            "replication passive check too fast",
            { canton: { replication: { passiveCheckPeriodMs: 10 } } },
            "canton-ha:canton.replication.passiveCheckPeriodMs: must be at least 100, got 10",
        ],
        [
            "replication unknown keep-alive key",
            { canton: { replication: { keepAlive: { idle: 3 } } } },
            "canton-ha:canton.replication.keepAlive: unknown key 'idle'; allowed here: idleSeconds, intervalSeconds, count",
        ],
        ["zero sequencers", { domain: { sequencers: 0 } }, "canton-ha:domain.sequencers: must be at least 1, got 0"],
        ["fractional sequencers", { domain: { sequencers: 2.5 } }, "canton-ha:domain.sequencers: must be a whole number, got 2.5"],
        ["sequencers as text", { domain: { sequencers: "two" } }, 'canton-ha:domain.sequencers: must be a number, got "two"'],
        ["sequencers over totalNodeCount", { domain: { sequencers: 4, totalNodeCount: 3 } }, "canton-ha:domain.sequencers: is 4 but domain.totalNodeCount is 3"],
        ["totalNodeCount over 31", { domain: { totalNodeCount: 32 } }, "canton-ha:domain.totalNodeCount: must be at most 31, got 32"],
        ["three mediators", { domain: { mediators: 3 } }, "canton-ha:domain.mediators: must be at most 2, got 3"],
        ["domain name not a DNS label", { domain: { name: "My_Domain" } }, "canton-ha:domain.name: domain name must be a DNS label"],
        ["bad DNS domain", { domain: { dnsDomain: "Domain..local" } }, "canton-ha:domain.dnsDomain: must be a lower-case DNS name"],
        ["empty participants", { participants: [] }, "canton-ha:participants: must list at least one participant, got []"],
        ["participants not a list", { participants: { name: "p1" } }, 'canton-ha:participants: must be a list, got {"name":"p1"}'],
        ["participant name upper-case", { participants: [p("Participant1")] }, "canton-ha:participants[0].name: participant name must be a DNS label"],
        ["participant name missing", { participants: [{ replicas: 2 }] }, "canton-ha:participants[0].name: is required (text)"],
        ["duplicate participant", { participants: [p("p1"), p("p2"), p("p1")] }, "canton-ha:participants[2].name: 'p1' is already used by participants[0]"],
        ["participant named like the domain", { participants: [p("domain")] }, "canton-ha:participants[0].name: 'domain' is also the domain name"],
        ["zero replicas", { participants: [p("p1", { replicas: 0 })] }, "canton-ha:participants[0].replicas: must be at least 1, got 0"],
        [
            "too many replicas for Docker's ports",
            { participants: [p("p1", { replicas: 5 })] },
            "canton-ha:participants[0].replicas: must be at most 4 on the docker platform (its host-unique port scheme has room for 4 replicas per participant), got 5",
        ],
        ["too many replicas anywhere", { participants: [p("p1", { replicas: 10 })] }, "canton-ha:participants[0].replicas: must be at most 9, got 10"],
        [
            "unknown participant key",
            { participants: [p("p1", { replica: 2 })] },
            "canton-ha:participants[0]: unknown key 'replica'; allowed here: name, dnsDomain, replicas, users",
        ],
        ["duplicate user", { participants: [p("p1", { users: ["alice", "alice"] })] }, "canton-ha:participants[0].users[1]: 'alice' is listed twice"],
        ["reserved admin user", { participants: [p("p1", { users: ["participant_admin"] })] }, "canton-ha:participants[0].users[0]: 'participant_admin' is created automatically"],
        ["bad user id", { participants: [p("p1", { users: ["Alice Smith"] })] }, "canton-ha:participants[0].users[0]: user ids may use"],
        ["bad user id in the object form", { participants: [p("p1", { users: [{ id: "Bob B" }] })] }, "canton-ha:participants[0].users[0].id: user ids may use"],
        [
            "bad party hint",
            { participants: [p("p1", { users: [{ id: "bob", readAs: ["a::b"] }] })] },
            "canton-ha:participants[0].users[0].readAs[0]: party hints may use A-Z, a-z, 0-9, '_' and '-' only",
        ],
        ["unknown user key", { participants: [p("p1", { users: [{ id: "bob", canActAs: ["bob"] }] })] }, "canton-ha:participants[0].users[0]: unknown key 'canActAs'"],
        // A valid user id that is not a valid party hint: Canton's Identifier.tryCreate throws on every run.
        [
            "user id that cannot be its own party hint (short form)",
            { participants: [p("p1", { users: ["bob.smith"] })] },
            `canton-ha:participants[0].users[0]: user id 'bob.smith' is also its party hint, and party hints may use A-Z, a-z, 0-9, '_' and '-' only (1 to 185 characters); name its party: { id: "bob.smith", primaryParty: "bob_smith" }`,
        ],
        [
            "user id that cannot be its own party hint (object form without primaryParty and actAs)",
            { participants: [p("p1", { users: [{ id: "ops@bank", readAs: ["alice"] }] })] },
            `canton-ha:participants[0].users[0]: user id 'ops@bank' is also its party hint`,
        ],
        [
            "primary party it cannot act as",
            { participants: [p("p1", { users: [{ id: "bob", primaryParty: "bob", actAs: ["desk"] }] })] },
            "canton-ha:participants[0].users[0].actAs: does not include the primary party 'bob' of user 'bob'",
        ],
        ["domain.admit entry that is no participant id", { domain: { admit: ["bank::1220ab"] } }, "canton-ha:domain.admit[0]: must be a participant id such as PAR::bank::1220ab…"],
        ["domain.open not a boolean", { domain: { open: "yes" } }, "canton-ha:domain.open: "],
        ["bad bind address", { network: { bindAddress: "localhost" } }, 'canton-ha:network.bindAddress: must be an IPv4 address such as 127.0.0.1, got "localhost"'],
        ["bad canton version", { canton: { version: "3.1.0" } }, 'canton-ha:canton.version: must be a Canton 2.x version such as 2.9.4, got "3.1.0"'],
        ["unknown Canton release line", { canton: { version: "2.7.9" } }, "canton-ha:canton.version: Canton 2.7.9 is not a release line canton-ha knows (2.8, 2.9, 2.10)"],
        [
            "protocol 7 on Canton 2.9",
            { canton: { version: "2.9.4", protocolVersion: 7 } },
            "canton-ha:canton.protocolVersion: is 7 but canton-ha:canton.version 2.9.4 supports protocol version 5 only; set canton-ha:canton.protocolVersion to 5",
        ],
        [
            "protocol 4 on Canton 2.10",
            { canton: { version: "2.10.1", protocolVersion: 4 } },
            "canton-ha:canton.protocolVersion: is 4 but canton-ha:canton.version 2.10.1 supports protocol version 5 and 7 only",
        ],
        ["image with a tag", { canton: { image: "canton-enterprise:2.9.4" } }, "canton-ha:canton.image: must be an image path without a tag (the tag is canton.version)"],
        ["registry with a scheme", { canton: { registry: "https://mirror.example" } }, "canton-ha:canton.registry: must be a registry host such as"],
        [
            "registry user without a registry",
            { canton: '{"image":"mirror.example/canton","registryUsername":"ci"}' },
            "canton-ha:canton.registryUsername: is set but canton.registry is not",
        ],
        ["empty postgres image", { postgres: { image: "" } }, "canton-ha:postgres.image: must name an image such as 'postgres:15', got \"\""],
        [
            "renewal window as long as validity",
            { pki: { leafValidityHours: 48, earlyRenewalHours: 48 } },
            "canton-ha:pki.earlyRenewalHours: must be shorter than pki.leafValidityHours (48)",
        ],
        ["token lifetime 0", { auth: { tokenLifetimeHours: 0 } }, "canton-ha:auth.tokenLifetimeHours: must be at least 1 hour (the default is 24), got 0"],
        ["token lifetime over 30 days", { auth: { tokenLifetimeHours: 721 } }, "canton-ha:auth.tokenLifetimeHours: must be at most 720 hours (30 days)"],
        ["token lifetime as text", { auth: { tokenLifetimeHours: "1d" } }, 'canton-ha:auth.tokenLifetimeHours: must be a number, got "1d"'],
        [
            "renewal window as long as the token lifetime",
            { auth: { tokenLifetimeHours: 24, renewalWindowHours: 24 } },
            "canton-ha:auth.renewalWindowHours: is 24 but auth.tokenLifetimeHours is 24; the renewal window must be shorter than the lifetime",
        ],
        [
            "renewal window longer than the default lifetime",
            { auth: { renewalWindowHours: 48 } },
            "canton-ha:auth.renewalWindowHours: is 48 but auth.tokenLifetimeHours is 24; the renewal window must be shorter than the lifetime, or every `pulumi up` would re-mint every token: lower auth.renewalWindowHours (e.g. a quarter of the lifetime) or raise auth.tokenLifetimeHours",
        ],
        ["empty issuer", { auth: { issuer: "" } }, "canton-ha:auth.issuer: must not be empty"],
        ["unknown auth key", { auth: { lifetime: 24 } }, "canton-ha:auth: unknown key 'lifetime'; allowed here: issuer, tokenLifetimeHours, renewalWindowHours"],
        [
            "token reissue for an unknown user",
            { participants: [p("p1", { users: ["alice"], tokenReissue: { carol: 1 } })] },
            "canton-ha:participants[0].tokenReissue.carol: unknown user 'carol' of participant 'p1' (its users: alice, participant_admin); add 'carol' to participants[0].users or remove this entry",
        ],
        [
            "retiring the signing key",
            { participants: [p("p1", { jwtKeyGeneration: 2, jwtKeysRetiredThrough: 2 })] },
            "canton-ha:participants[0].jwtKeysRetiredThrough: is 2 but jwtKeyGeneration is 2: the current signing key cannot be retired",
        ],
        ["key generation 0", { participants: [p("p1", { jwtKeyGeneration: 0 })] }, "canton-ha:participants[0].jwtKeyGeneration: must be at least 1, got 0"],
        [
            "participant named like the domain's trust domain",
            { domain: { name: "sync" }, participants: [p("domain")] },
            "canton-ha:participants[0].name: makes the trust domain 'domain', which canton-ha:domain already makes; pick another name",
        ],
        [
            "participant whose proxy would be the sequencer proxy",
            { haMode: "loadbalancer", participants: [p("sequencer", { replicas: 2 })] },
            "canton-ha:participants[0].name: makes the workload 'sequencer-proxy', which canton-ha:domain already makes; pick another name",
        ],
        // 20 sequencers: sequencer20's admin API would take mediator1's port 4602.
        [
            "host-port collision",
            { domain: { sequencers: 20, totalNodeCount: 31 } },
            "canton-ha:domain.mediators: port 4602 of mediator1 admin-api collides with sequencer20 admin-api",
        ],
    ];

    it.each(cases)("%s", (_name, entries, expected) => {
        expect(errorOf(entries)).toContain(expected);
    });

    it("accepts a user id that is no party hint once its party is named", () => {
        const users = parseConfig(
            raw({
                participants: [
                    p("p1", {
                        users: [
                            { id: "bob.smith", primaryParty: "bob_smith" },
                            { id: "ops@bank", actAs: [] },
                        ],
                    }),
                ],
            }),
        ).participants[0].users;
        expect(users).toEqual([
            { id: "bob.smith", primaryParty: "bob_smith", actAs: ["bob_smith"], readAs: [] },
            { id: "ops@bank", primaryParty: undefined, actAs: [], readAs: [] },
        ]);
    });

    it("requires the Canton image's registry where images are pulled, naming the key and the manual", () => {
        expect(errorOf({}, true)).toContain(
            'canton-ha:canton.registry: is required: the Canton Enterprise image is published in Digital Asset\'s own registry (Canton 2.9 manual, "Docker")',
        );
        expect(() => parseConfig(rawExactly({ platform: "none" }))).not.toThrow();
        expect(() => parseConfig(rawExactly({ canton: { image: "localhost/canton-standin" } }))).not.toThrow();
        expect(parseConfig(raw({})).canton.registry).toBe(TEST_REGISTRY);
    });

    it("names a different problem in every case, each under its key", () => {
        expect(new Set(cases.map(([, , expected]) => expected)).size).toBe(cases.length);
        for (const [name, , expected] of cases) expect(expected, name).toMatch(/^canton-ha:\S+: /);
    });

    it("reports every problem at once, each with the fix command", () => {
        const text = errorOf({ haMode: "x", domain: { sequencers: 0 }, bogus: 1 });
        expect(text).toMatch(/3 problems/);
        expect(text).toContain("canton-ha:haMode");
        expect(text).toContain("canton-ha:domain.sequencers");
        expect(text).toContain("canton-ha:bogus");
        expect(text).toContain("pulumi config set --path");
    });

    it("fills defaults that reproduce the walkthrough topology", () => {
        const cfg = parseConfig(raw({}));
        expect(cfg.platform).toBe("docker");
        expect(cfg.haMode).toBe("clientside");
        expect(cfg.loadBalancer.kind).toBe("haproxy");
        expect(cfg.domain).toEqual({
            name: "domain",
            dnsDomain: "domain.canton.local",
            sequencers: 2,
            mediators: 2,
            totalNodeCount: 10,
            allowTotalNodeCountChange: false,
            open: false, // closed unless chosen (Canton's own default is open)
            admit: [],
        });
        expect(cfg.participants.map((x) => [x.name, x.replicas])).toEqual([
            ["participant1", 2],
            ["participant2", 1],
        ]);
        expect(cfg.network.bindAddress).toBe("127.0.0.1");
    });

    it("ignores other namespaces (provider config such as docker:host)", () => {
        expect(() => parseConfig({ ...raw({}), "docker:host": "unix:///var/run/docker.sock" })).not.toThrow();
    });

    it("reads scalars given as text by `pulumi config set`", () => {
        const cfg = parseConfig(raw({ domain: { sequencers: 3 }, haMode: "loadbalancer", network: '{"publishPorts":false}' }));
        expect(cfg.domain.sequencers).toBe(3);
        expect(cfg.haMode).toBe("loadbalancer");
        expect(cfg.network.publishPorts).toBe(false);
    });
});

describe("Pulumi.yaml config declarations", () => {
    it("declare the same defaults as the schema (the engine requires declared keys without one)", () => {
        const project = yaml.load(readFileSync(join(__dirname, "..", "..", "Pulumi.yaml"), "utf8")) as { config: Record<string, { default?: unknown }> };
        const defaults = parseConfig(raw({})) as Record<string, unknown>;
        expect(Object.keys(project.config).length).toBeGreaterThan(0);
        for (const [key, decl] of Object.entries(project.config)) {
            expect(decl.default, key).toBeDefined();
            expect(decl.default, key).toEqual(defaults[key]);
        }
    });
});
