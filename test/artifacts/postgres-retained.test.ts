// The rendered password re-sync (components/postgres/render.ts, renderPasswordSync) against a
// real PostgreSQL 15 run with the rendered pg_hba and settings. A data volume kept across
// `pulumi destroy` (postgres.retainData) holds the users the init script created with the old
// passwords; the next `pulumi up` has new ones, and the container's entrypoint runs the sync
// script (as the postgres OS user, over the local socket) before Canton connects. So: after a
// sync with B, B gets in and the old A does not; a repeated sync still works; users that do not
// exist (yet) are skipped without an error; a missing password stops the sync before it changes
// anything.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DatabaseServer } from "../../components/plan/types";
import * as render from "../../components/postgres/render";
import { generatePki, type Pki } from "../support/pki";
import { passwordEnvs, startRenderedPostgres, type RenderedPostgres } from "../support/rendered-postgres";
import { devPlan } from "../support/fixtures";

const server: DatabaseServer = devPlan().databaseServers[0];
const users = server.databases.map((d) => ({ user: d.user, database: d.database }));
/** The first `pulumi up`'s passwords (the init script's), and the next one's (the sync's). */
const A = Object.fromEntries(users.map(({ user }) => [user, `a-${user}-0123456789abcdef`]));
const B = Object.fromEntries(users.map(({ user }) => [user, `b-${user}-fedcba9876543210`]));

let pki: Pki;
let pg: RenderedPostgres;

beforeAll(async () => {
    pki = await generatePki({ name: "domain", domain: "domain.canton.local", servers: ["db"], clients: users.map((u) => u.user) });
    pg = await startRenderedPostgres({ server, pki });
});

afterAll(async () => {
    await pg?.stop();
    pki?.remove();
});

const sync = (passwords: Record<string, string>) => pg.runScript("sync-passwords.sh", render.renderPasswordSync(server), passwordEnvs(passwords));
/** psql's command tags for the statements \gexec ran. */
const altered = (stdout: string) => stdout.split("\n").filter((l) => l.trim() === "ALTER ROLE").length;
const plannedRoles = () => pg.adminQuery(`SELECT rolname FROM pg_roles WHERE rolname IN (${users.map((u) => `'${u.user}'`).join(",")}) ORDER BY 1`);
/** How each planned role's password is stored: `user=SCRAM-SHA-256` for a SCRAM verifier. */
const verifiers = () =>
    pg.adminQuery(
        `SELECT rolname || '=' || coalesce(split_part(rolpassword, '$', 1), 'NULL') FROM pg_authid WHERE rolname IN (${users.map((u) => `'${u.user}'`).join(",")}) ORDER BY 1`,
    );
const allScram = () =>
    users
        .map((u) => `${u.user}=SCRAM-SHA-256`)
        .sort()
        .join("\n");

/** Each user with `password`: over TLS 1.3 with its client cert (Canton's way in) and over the local socket. */
async function logins(passwords: Record<string, string>): Promise<Record<string, { tls: string; local: string }>> {
    const out: Record<string, { tls: string; local: string }> = {};
    for (const { user, database } of users) {
        out[user] = {
            tls: await pg.connect({ user, database, password: passwords[user] }),
            local: await pg.connectLocal({ user, database, password: passwords[user] }),
        };
    }
    return out;
}
const admitted = () => Object.fromEntries(users.map(({ user }) => [user, { tls: `${user} over TLSv1.3`, local: user }]));
const refused = () =>
    Object.fromEntries(
        users.map(({ user }) => {
            const failed = expect.stringMatching(new RegExp(`^rejected: password authentication failed for user "${user}"`));
            return [user, { tls: failed, local: failed }];
        }),
    );

describe("rendered password re-sync on a real server with a retained data directory", () => {
    it("on a fresh server, before the init script, the sync succeeds and creates or changes nobody", () => {
        const r = sync(B);
        expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: "" });
        expect(altered(r.stdout)).toBe(0);
        expect(plannedRoles()).toBe("");
    });

    it("the init script creates each user with password A (stored as SCRAM), A gets in", async () => {
        const r = pg.runScript("init.sh", render.renderInitScript(server), passwordEnvs(A));
        expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: "" });
        expect(verifiers()).toBe(allScram());
        expect(await logins(A)).toEqual(admitted());
    }, 60_000);

    it("a sync with B (the next pulumi up) lets B in and refuses A, and prints no password", async () => {
        const r = sync(B);
        expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: "" });
        expect(altered(r.stdout)).toBe(users.length);
        for (const pw of [...Object.values(A), ...Object.values(B)]) expect(r.stdout + r.stderr).not.toContain(pw);
        expect(verifiers()).toBe(allScram());
        expect(await logins(B)).toEqual(admitted());
        expect(await logins(A)).toEqual(refused());
    }, 60_000);

    it("a second sync with B (a restart) succeeds and leaves B in, A out", async () => {
        const r = sync(B);
        expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: "" });
        expect(altered(r.stdout)).toBe(users.length);
        expect(verifiers()).toBe(allScram());
        expect(await logins(B)).toEqual(admitted());
        expect(await logins(A)).toEqual(refused());
    }, 60_000);

    it("a missing or empty password variable stops the sync before it changes any password", async () => {
        const [first, ...rest] = users.map((u) => u.user);
        const partial = Object.fromEntries(rest.map((u) => [u, A[u]]));
        const r = sync(partial);
        expect(r.code).not.toBe(0);
        expect(r.stderr).toContain(`canton-ha: ${render.passwordEnv(first)} is empty`);
        // An empty value would make Postgres clear the password; it is refused the same way.
        const empty = sync({ ...partial, [first]: "" });
        expect(empty.code).not.toBe(0);
        expect(empty.stderr).toContain(`canton-ha: ${render.passwordEnv(first)} is empty`);
        expect(altered(empty.stdout)).toBe(0);
        expect(altered(r.stdout)).toBe(0);
        expect(await logins(B)).toEqual(admitted());
    }, 60_000);

    it("passwords with quotes, backslashes, spaces, % and $ survive both quoting layers (psql :'var', format %L)", async () => {
        const odd = Object.fromEntries(users.map(({ user }) => [user, `o'Brien \\ "${user}" 100% $HOME :x`]));
        const r = sync(odd);
        expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: "" });
        expect(await logins(odd)).toEqual(admitted());
        expect(await logins(B)).toEqual(refused());
        // back to B for the next case
        expect(sync(B).code).toBe(0);
    }, 60_000);

    it("a user that no longer exists is skipped; the others are still synced", async () => {
        const [gone, ...kept] = users;
        pg.adminQuery(`DROP DATABASE "${gone.database}"`);
        pg.adminQuery(`DROP ROLE "${gone.user}"`);
        const C = Object.fromEntries(users.map(({ user }) => [user, `c-${user}-0011223344556677`]));
        const r = sync(C);
        expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: "" });
        expect(altered(r.stdout)).toBe(kept.length);
        expect(plannedRoles()).toBe(
            kept
                .map((u) => u.user)
                .sort()
                .join("\n"),
        );
        for (const { user, database } of kept) {
            expect(await pg.connect({ user, database, password: C[user] })).toBe(`${user} over TLSv1.3`);
            expect(await pg.connect({ user, database, password: B[user] })).toMatch(/^rejected: password authentication failed/);
        }
    }, 60_000);
});
