// `pki.source: files`: every check on openssl-made inputs, good and bad. The generator
// (test/support/pki-files.ts) makes a complete directory for a plan in the reference profile;
// each case breaks one file of a copy and expects the problem named with the key and the file.
import * as fs from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "../../components/config";
import { readFilesPki } from "../../components/pki/files";
import { buildPlan } from "../../components/plan/build";
import { rawExactly } from "../support/fixtures";
import { PKCS8_KEY_HEADER } from "../support/mocks";
import { defects, makeFilesPki, variants, type Defect, type FilesPki } from "../support/pki-files";

const KEY = "canton-ha:pki.directory";
const plan = buildPlan(parseConfig(rawExactly({ platform: "none", pki: { source: "files", directory: "x" } })), "files");
let good: FilesPki;

beforeAll(async () => {
    good = await makeFilesPki(plan);
}, 300_000);

afterAll(() => good?.remove());

const read = (dir: string, earlyRenewalHours = 24 * 30) => readFilesPki(plan.trustDomains, dir, { key: KEY, earlyRenewalHours });

/** Breaks one leaf of a copy and returns what the reader says. */
async function withDefect(td: string, id: string, ...d: Defect[]) {
    const copy = good.clone();
    const leaf = await copy.apply(td, id, ...d);
    try {
        return { ...read(copy.dir), leaf };
    } finally {
        copy.remove();
    }
}

describe("a complete files directory", () => {
    it("reads every trust domain and certificate, with no problem and no warning", () => {
        const r = read(good.dir);
        expect(r.problems).toEqual([]);
        expect(r.warnings).toEqual([]);
        expect(r.trustDomains.map((t) => t.trustDomain.id)).toEqual(plan.trustDomains.map((t) => t.id));
        for (const t of r.trustDomains) expect([...t.leaves.keys()].sort()).toEqual(t.trustDomain.certificates.map((c) => c.id).sort());
        // Keys come out as PKCS#8, whatever form the file had.
        expect(r.trustDomains[0].leaves.get("admin-api")!.keyPem.startsWith(PKCS8_KEY_HEADER)).toBe(true);
    });

    it("accepts a PKCS#1 key and a chain appended to the certificate", async () => {
        const r = await withDefect("participant1", "participant1-1", variants.pkcs1Key(), variants.chainInCrt());
        expect(r.problems).toEqual([]);
        expect(
            r.trustDomains
                .find((t) => t.trustDomain.id === "participant1")!
                .leaves.get("participant1-1")!
                .keyPem.startsWith(PKCS8_KEY_HEADER),
        ).toBe(true);
    });
});

describe("each problem, named with the config key and the file", () => {
    const cases: [string, string, string, Defect[], RegExp][] = [
        ["missing key file", "domain", "sequencer1", [defects.missing("key")], /domain\/sequencer1\.key: is missing$/],
        ["missing certificate file", "participant2", "admin-api", [defects.missing("crt")], /participant2\/admin-api\.crt: is missing$/],
        ["a certificate that is not PEM (DER)", "domain", "mediator1", [defects.notPem("crt", "der")], /domain\/mediator1\.crt: is not a readable PEM certificate/],
        ["a key that is not PEM", "domain", "db-sequencer", [defects.notPem("key", "text")], /domain\/db-sequencer\.key: is not a readable PEM private key/],
        [
            "a key that does not match its certificate",
            "participant1",
            "participant1-2",
            [defects.mismatchedKey()],
            /participant1\/participant1-2\.key: does not match the certificate participant1-2\.crt/,
        ],
        [
            "a chain that does not verify to the root",
            "domain",
            "domain-manager",
            [defects.foreignIssuer()],
            /domain\/domain-manager\.crt: is not issued by the trust domain's CA .*the chain does not verify to its root/,
        ],
        [
            "a missing SAN",
            "domain",
            "sequencer2",
            [defects.missingSan()],
            /domain\/sequencer2\.crt: lacks the SANs DNS:sequencer2\.domain\.canton\.local \(the host is reached by them\)/,
        ],
        [
            "another sequencer's client name (client-side mode: one channel over every sequencer)",
            "domain",
            "sequencer1",
            [defects.missingSan("sequencer2.domain.canton.local")],
            /domain\/sequencer1\.crt: lacks the SANs DNS:sequencer2\.domain\.canton\.local \(the host is reached by them\)/,
        ],
        ["the listen-address SAN of a participant", "participant1", "participant1-1", [defects.missingSan("0.0.0.0")], /participant1-1\.crt: lacks the SANs IP:0\.0\.0\.0/],
        ["serverAuth on a client certificate", "domain", "admin-api", [defects.wrongEku()], /domain\/admin-api\.crt: extended key usage lacks clientAuth/],
        [
            "a JWT signing key that may encipher",
            "participant1",
            "jwt-signing-g1",
            [defects.wrongKeyUsage(["digitalSignature", "keyCertSign"])],
            /jwt-signing-g1\.crt: keyUsage allows keyCertSign/,
        ],
        ["an RSA 1024 key", "participant2", "participant2-1", [defects.weakKey(1024)], /participant2-1\.key: is a RSA 1024 key; the profile asks for RSA 2048 or more/],
        ["an expired certificate", "domain", "sequencer1", [defects.expired()], /domain\/sequencer1\.crt: expired on \d{4}-\d\d-\d\dT/],
    ];

    it.each(cases)(
        "%s",
        async (_name, td, id, d, expected) => {
            const r = await withDefect(td, id, ...d);
            expect(r.problems.length, JSON.stringify(r.problems)).toBeGreaterThan(0);
            for (const p of r.problems) expect(p.key).toBe(KEY);
            expect(r.problems.map((p) => p.message)).toEqual(expect.arrayContaining([expect.stringMatching(expected)]));
        },
        120_000,
    );

    it("a database client certificate whose CN is not the user", async () => {
        const copy = good.clone();
        try {
            // participant1's certificate as participant2's database client: right CA, wrong CN.
            fs.copyFileSync(copy.leaf("participant2", "admin-api").crt, copy.leaf("participant2", "db-participant2").crt);
            fs.copyFileSync(copy.leaf("participant2", "admin-api").key, copy.leaf("participant2", "db-participant2").key);
            const r = read(copy.dir);
            expect(r.problems.map((p) => p.message)).toEqual([
                expect.stringMatching(/participant2\/db-participant2\.crt: has CN admin-api; a database client certificate's CN must be the user, participant2$/),
            ]);
        } finally {
            copy.remove();
        }
    }, 120_000);

    it("lists every problem at once", async () => {
        const copy = good.clone();
        try {
            await copy.apply("domain", "sequencer1", defects.missing("key"));
            await copy.apply("participant2", "participant2-1", defects.weakKey(1024));
            const r = read(copy.dir);
            expect(r.problems.map((p) => p.message.replace(copy.dir, "<dir>"))).toEqual([
                "<dir>/domain/sequencer1.key: is missing",
                "<dir>/participant2/participant2-1.key: is a RSA 1024 key; the profile asks for RSA 2048 or more (or EC P-256 and up)",
            ]);
        } finally {
            copy.remove();
        }
    }, 120_000);

    it("warns, with the date, about a certificate that expires inside pki.earlyRenewalHours, and still reads it", async () => {
        const r = await withDefect("domain", "sequencer2", defects.expiringWithin(48));
        expect(r.problems).toEqual([]);
        expect(r.warnings).toEqual([expect.stringMatching(/domain\/sequencer2\.crt expires on \d{4}-\d\d-\d\dT.*within pki\.earlyRenewalHours \(720 h\): replace the file/)]);
    }, 120_000);
});
