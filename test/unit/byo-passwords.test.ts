// Database passwords from secret stack config (`postgres.passwords: config`): every user of
// every database server, named with the exact command to set it; plain text refused.
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../components/config";
import { readDatabasePasswords } from "../../components/load-config";
import { buildPlan } from "../../components/plan/build";
import { raw } from "../support/fixtures";

const plan = buildPlan(parseConfig(raw({ platform: "none", postgres: { passwords: "config" } })), "byo");
const complete = {
    "domain-db": { sequencer: "s1", mediator: "m1", domain: "d1", postgres: "p0" },
    "participant1-db": { participant1: "a1", postgres: "p1" },
    "participant2-db": { participant2: "b1", postgres: "p2" },
};
const KEY = "canton-ha:dbPasswords";

describe("database passwords from config", () => {
    it("reads every user's password of every server, the superuser's included", () => {
        const r = readDatabasePasswords(plan, { [KEY]: JSON.stringify(complete) }, () => true);
        expect(r.problems).toEqual([]);
        expect(r.passwords).toEqual(complete);
        expect(plan.databasePasswords).toBe("config");
    });

    it("names each missing entry with the command to set it", () => {
        const partial = { ...complete, "domain-db": { sequencer: "s1", postgres: "p0", mediator: "" } };
        const r = readDatabasePasswords(plan, { [KEY]: JSON.stringify(partial) }, () => true);
        expect(r.problems).toEqual([
            {
                key: "canton-ha:dbPasswords.domain-db.mediator",
                message: "is missing; set it with `pulumi config set --secret --path 'canton-ha:dbPasswords.domain-db.mediator' <password>`",
            },
            {
                key: "canton-ha:dbPasswords.domain-db.domain",
                message: "is missing; set it with `pulumi config set --secret --path 'canton-ha:dbPasswords.domain-db.domain' <password>`",
            },
        ]);
    });

    it("refuses the key when it is absent, in plain text, not an object, or names an unknown server", () => {
        expect(readDatabasePasswords(plan, {}, () => true).problems[0]).toEqual({
            key: KEY,
            message:
                "is required with postgres.passwords config; set one password per database user, e.g. `pulumi config set --secret --path 'canton-ha:dbPasswords.domain-db.sequencer' <password>` (8 in all)",
        });
        expect(readDatabasePasswords(plan, { [KEY]: JSON.stringify(complete) }, () => false).problems[0].message).toMatch(/is stored in plain text in the stack file/);
        expect(readDatabasePasswords(plan, { [KEY]: "hunter2" }, () => true).problems[0].message).toBe("must be an object: database server id -> user -> password");
        const extra = readDatabasePasswords(plan, { [KEY]: JSON.stringify({ ...complete, "old-db": { x: "y" } }) }, () => true);
        expect(extra.problems).toEqual([
            { key: "canton-ha:dbPasswords.old-db", message: "is not a database server of this stack (domain-db, participant1-db, participant2-db); remove it" },
        ]);
    });

    it("keeps the secret key out of the parsed config, and the pki keys checked together", () => {
        expect(JSON.stringify(parseConfig({ ...raw({}), [KEY]: JSON.stringify(complete) }))).not.toContain("s1");
        expect(() => parseConfig(raw({ pki: { source: "files" } }))).toThrow(/canton-ha:pki\.directory: is required with pki\.source files/);
        expect(() => parseConfig(raw({ pki: { directory: "pki" } }))).toThrow(/canton-ha:pki\.directory: is set but pki\.source is 'generated'/);
    });
});
