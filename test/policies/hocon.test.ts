// The pack's own HOCON reader against a real parser (@pushcorn/hocon-parser, test only) on every
// rendered Canton config of the golden tests, and on the HOCON forms it must handle.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { isSubstitution, parseHocon } from "../../policies/lib/hocon";
import { parseHocon as realParse } from "../support/hocon-support";

const goldens = path.join(__dirname, "../unit/golden");
const confs = readdirSync(goldens, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith(".conf") && readFileSync(path.join(e.parentPath, e.name), "utf8").includes("canton {"))
    .map((e) => path.join(e.parentPath, e.name));

/** Substitutions resolved the way hocon-support resolves them: the password from its env, an optional one without a value left out. */
const resolved = (v: unknown): unknown =>
    isSubstitution(v)
        ? "pw-from-env"
        : Array.isArray(v)
          ? v.map(resolved)
          : v !== null && typeof v === "object"
            ? Object.fromEntries(
                  Object.entries(v)
                      .filter(([, x]) => !(isSubstitution(x) && x.optional))
                      .map(([k, x]) => [k, resolved(x)]),
              )
            : v;

describe("the pack's HOCON reader", () => {
    it("finds the rendered configs", () => expect(confs.length).toBeGreaterThan(20));

    for (const file of confs) {
        it(`reads ${path.relative(goldens, file)} as a real parser does`, async () => {
            const text = readFileSync(file, "utf8");
            expect(resolved(parseHocon(text))).toEqual(await realParse(text));
        });
    }

    it("reads dotted keys, merges, arrays, comments, quoted keys, unquoted values and +=", () => {
        const doc = parseHocon(`
            # comment
            a.b.c = 1 // trailing
            a { b { d = "x" }, e: true }
            "quoted.key" = yes
            list = [ 1, "two", { three = 3 } ]
            list2 = [1]
            list2 += 2
            plain = some text here
            pw = \${?DB_PASSWORD}
            include "other.conf"
        `);
        expect(doc).toEqual({
            a: { b: { c: 1, d: "x" }, e: true },
            "quoted.key": true,
            list: [1, "two", { three: 3 }],
            list2: [[1], 2].flat(),
            plain: "some text here",
            pw: { substitution: "DB_PASSWORD", optional: true },
        });
    });

    it("rejects what it cannot read, with the line", () => {
        expect(() => parseHocon("canton {\n  a = 1\n")).toThrow(/missing '}'/);
        expect(() => parseHocon("canton {\n  = 1\n}")).toThrow(/empty key at line 2/);
    });
});
