// Every policy, called directly (validateResource / validateStack with the arguments the
// analyzer server builds): compliant fixtures raise none of its violations, violating ones
// raise it with the expected message, at the policy's level. Every message says where, what
// and how to fix it ("<resource>: <problem>. Fix: <fix>").
import { describe, expect, it } from "vitest";
import { ruleInfo } from "../../policies/lib/policy";
import { policies } from "../../policies/policies";
import { cantonCases } from "./cases/canton";
import { exposureCases } from "./cases/exposure";
import { dataCases } from "./cases/data";
import { haCases } from "./cases/ha";
import { k8sCases } from "./cases/k8s";
import { pkiCases } from "./cases/pki";
import { secretCases } from "./cases/secrets";
import type { CaseTable } from "./cases/types";
import { mandatory, policyNamed, runPack, runPolicy, show, type WireResource } from "./support/run";
import { devCantonContainers, edit, k8sParticipantPair, UNKNOWN_VALUE } from "./support/wire";

const CASES: CaseTable = { ...cantonCases, ...secretCases, ...pkiCases, ...exposureCases, ...haCases, ...k8sCases, ...dataCases };

describe("the pack", () => {
    it("has at least 15 policies, each with a unique name, a description and a level", () => {
        expect(policies.length).toBeGreaterThanOrEqual(15);
        expect(new Set(policies.map((p) => p.name)).size).toBe(policies.length);
        for (const p of policies) {
            expect(p.description.length, p.name).toBeGreaterThan(20);
            expect(["mandatory", "advisory"], p.name).toContain(p.enforcementLevel);
        }
        expect(ruleInfo.map((r) => r.name).sort()).toEqual(policies.map((p) => p.name).sort());
    });

    it("has compliant and violating fixtures for every policy", () => {
        const missing = policies.filter((p) => !(CASES[p.name]?.compliant.length > 0 && CASES[p.name]?.violating.length > 0)).map((p) => p.name);
        expect(missing).toEqual([]);
    });
});

for (const [name, cases] of Object.entries(CASES)) {
    describe(name, () => {
        for (const c of cases.compliant) {
            it(`passes: ${c.name}`, async () => {
                const vs = await runPolicy(policyNamed(name), c.resources, c.config);
                expect(vs, show(vs)).toEqual([]);
            });
        }
        for (const c of cases.violating) {
            it(`fails: ${c.name}`, async () => {
                const policy = policyNamed(name);
                const vs = await runPolicy(policy, c.resources, c.config);
                expect(vs.length, `no violation of ${name}`).toBeGreaterThan(0);
                for (const v of vs) {
                    expect(v.level).toBe(policy.enforcementLevel);
                    expect(v.message, "names where, what and the fix").toMatch(/^[^:]+'?[^:]*: .+\. Fix: .+/s);
                    expect(v.urn, "attached to a resource").toMatch(/^urn:pulumi:/);
                }
                if (c.expect) expect(vs.map((v) => v.message).join("\n")).toMatch(c.expect);
            });
        }
    });
}

describe("a preview, before values are known", () => {
    const SIG = "4dabf18193072939515e22adb298388d"; // secret markers stay markers
    /** Every string of the fixture's properties replaced by the unknown sentinel. */
    const unknownStrings = (rs: WireResource[]): WireResource[] => {
        const blank = (v: unknown): unknown =>
            typeof v === "string"
                ? UNKNOWN_VALUE
                : Array.isArray(v)
                  ? v.map(blank)
                  : v !== null && typeof v === "object"
                    ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, k === SIG ? x : blank(x)]))
                    : v;
        return rs.map((r) => ({ ...r, inputs: blank(r.inputs) as Record<string, unknown> }));
    };

    it("a stack whose every string is unknown raises no mandatory violation and no error", async () => {
        const vs = await runPack(unknownStrings([...devCantonContainers(), ...k8sParticipantPair()]));
        expect(mandatory(vs), show(vs)).toEqual([]);
    });

    it("a policy that cannot decide on an unknown value says so, as an advisory", async () => {
        const rs = edit(k8sParticipantPair(), "participant1-1", "kubernetes:apps/v1:Deployment", (i) => (i.spec.template.spec.securityContext.seccompProfile.type = UNKNOWN_VALUE));
        const vs = await runPolicy(policyNamed("k8s-pod-security-context"), rs);
        expect(vs.map((v) => `${v.level} ${v.message}`)).toEqual([expect.stringMatching(/^advisory can't run during preview: .* can't be known during preview$/)]);
    });
});
