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
import { policyNamed, runPolicy, show } from "./support/run";

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
