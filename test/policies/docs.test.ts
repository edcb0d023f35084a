// docs/policies.md lists every policy of the pack, at its level, with its config keys.
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ruleInfo } from "../../policies/lib/policy";
import { policies } from "../../policies/policies";

const doc = readFileSync(path.join(__dirname, "../../docs/policies.md"), "utf8");
const rows = new Map(
    doc
        .split("\n")
        .map((l) => /^\| `([a-z0-9-]+)` \| (mandatory|advisory) \| (stack|resource) \|(.*)$/.exec(l))
        .filter((m): m is RegExpExecArray => m !== null)
        .map((m) => [m[1], { level: m[2], scope: m[3], rest: m[4] }]),
);

describe("docs/policies.md", () => {
    it("has one row per policy and no row for a policy that does not exist", () => {
        expect([...rows.keys()].sort()).toEqual(policies.map((p) => p.name).sort());
    });

    for (const info of ruleInfo) {
        it(`${info.name}: level, scope and config keys`, () => {
            const row = rows.get(info.name);
            expect(row?.level).toBe(info.enforcementLevel);
            expect(row?.scope).toBe(info.scope);
            for (const key of Object.keys(info.config)) expect(row?.rest, key).toContain(`\`${key}\``);
        });
    }

    it("counts the policies right", () => {
        const mandatory = policies.filter((p) => p.enforcementLevel === "mandatory").length;
        expect(doc).toContain(`of ${policies.length} policies`);
        expect(doc).toContain(`${mandatory} **mandatory**`);
        expect(doc).toContain(`${policies.length - mandatory} **advisory**`);
    });
});
