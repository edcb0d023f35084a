// Everything a stack brings from outside, read and checked before any resource exists: the
// config, the secret keys it asks for, the operator's PKI files and database passwords. A bad
// value stops the run here with every problem named, so nothing is ever half-created.
import * as pulumi from "@pulumi/pulumi";
import { X509Certificate } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { ConfigError, ConfigProblem, parseConfig, PROJECT } from "./config";
import { buildPlan } from "./plan/build";
import type { Plan } from "./plan/types";
import { readFilesPki, TrustDomainFiles } from "./pki/files";
import { isStackConfigSecret, secretKeyProblems, secretKeysOf } from "./secret-config";

/** Database passwords from config: server id -> user -> password (secret). */
export type DatabasePasswords = Record<string, Record<string, pulumi.Output<string>>>;

export interface StackInputs {
    plan: Plan;
    /** With `pki.source: files`: what was read, per trust domain. */
    pkiFiles?: Map<string, TrustDomainFiles>;
    /** With `postgres.passwords: config`. */
    databasePasswords?: DatabasePasswords;
    /** With `postgres.external`: the PEM chain that verifies the managed server. */
    externalDatabaseCaChain?: string;
}

const DB_PASSWORDS_KEY = `${PROJECT}:dbPasswords`;

/** The users every database server needs a password for: its databases' owners and `postgres`. */
function passwordUsers(plan: Plan): [string, string[]][] {
    return plan.databaseServers.map((s) => [s.id, [...s.databases.map((d) => d.user), "postgres"]]);
}

/** Reads `canton-ha:dbPasswords` (a secret object), naming every missing entry with the command to set it. */
export function readDatabasePasswords(
    plan: Plan,
    raw: Record<string, string>,
    isSecret: (key: string) => boolean,
): { passwords?: Record<string, Record<string, string>>; problems: ConfigProblem[] } {
    const text = raw[DB_PASSWORDS_KEY];
    const setCommand = (server: string, user: string) => `pulumi config set --secret --path '${DB_PASSWORDS_KEY}.${server}.${user}' <password>`;
    const all = passwordUsers(plan).flatMap(([server, users]) => users.map((u) => [server, u] as const));
    if (text === undefined) {
        return {
            problems: [
                {
                    key: DB_PASSWORDS_KEY,
                    message: `is required with postgres.passwords config; set one password per database user, e.g. \`${setCommand(all[0][0], all[0][1])}\` (${all.length} in all)`,
                },
            ],
        };
    }
    if (!isSecret(DB_PASSWORDS_KEY)) {
        return {
            problems: [
                {
                    key: DB_PASSWORDS_KEY,
                    message: "is stored in plain text in the stack file; set each entry again with `pulumi config set --secret --path ...` so it is encrypted",
                },
            ],
        };
    }
    let value: unknown;
    try {
        value = JSON.parse(text);
    } catch {
        value = undefined;
    }
    if (typeof value !== "object" || value === null) return { problems: [{ key: DB_PASSWORDS_KEY, message: "must be an object: database server id -> user -> password" }] };
    const byServer = value as Record<string, Record<string, unknown>>;
    const problems: ConfigProblem[] = [];
    const passwords: Record<string, Record<string, string>> = {};
    for (const [server, user] of all) {
        const pw = byServer[server]?.[user];
        if (typeof pw !== "string" || pw.length === 0)
            problems.push({ key: `${DB_PASSWORDS_KEY}.${server}.${user}`, message: `is missing; set it with \`${setCommand(server, user)}\`` });
        else (passwords[server] ??= {})[user] = pw;
    }
    for (const server of Object.keys(byServer)) {
        if (!plan.databaseServers.some((s) => s.id === server)) {
            problems.push({
                key: `${DB_PASSWORDS_KEY}.${server}`,
                message: `is not a database server of this stack (${plan.databaseServers.map((s) => s.id).join(", ")}); remove it`,
            });
        }
    }
    return { passwords, problems };
}

/** A PEM file of CA certificates, checked: it exists, holds certificates, and they are CAs. */
export function readCaChain(file: string, key: string): { pem: string } | { problem: ConfigProblem } {
    if (!existsSync(file)) return { problem: { key, message: `${file} is missing; name the PEM chain that issued the database server's certificate` } };
    const text = readFileSync(file, "utf8");
    const pems = text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
    try {
        const certs = pems.map((p) => new X509Certificate(p));
        if (certs.length === 0) return { problem: { key, message: `${file} holds no PEM certificate` } };
        const notCa = certs.filter((c) => !c.ca);
        if (notCa.length > 0)
            return { problem: { key, message: `${file}: ${notCa[0].subject.replace(/\n/g, ", ")} is not a CA certificate; name the CA chain, not the server's certificate` } };
    } catch (e) {
        return { problem: { key, message: `${file} is not a readable PEM certificate chain (${(e as Error).message})` } };
    }
    return { pem: pems.join("\n") + "\n" };
}

export function loadStack(): StackInputs {
    try {
        const raw = pulumi.runtime.allConfig();
        const config = parseConfig(raw);
        const problems = secretKeyProblems(secretKeysOf(config), raw, isStackConfigSecret);
        const plan = buildPlan(config, pulumi.getStack());
        let pkiFiles: StackInputs["pkiFiles"];
        if (plan.pki.source === "files") {
            const read = readFilesPki(plan.trustDomains, plan.pki.directory, { key: `${PROJECT}:pki.directory`, earlyRenewalHours: config.pki.earlyRenewalHours });
            problems.push(...read.problems);
            for (const w of read.warnings) pulumi.log.warn(w);
            pkiFiles = new Map(read.trustDomains.map((t) => [t.trustDomain.id, t]));
        }
        let databasePasswords: DatabasePasswords | undefined;
        if (plan.databasePasswords === "config") {
            const read = readDatabasePasswords(plan, raw, isStackConfigSecret);
            problems.push(...read.problems);
            databasePasswords = Object.fromEntries(
                Object.entries(read.passwords ?? {}).map(([s, users]) => [s, Object.fromEntries(Object.entries(users).map(([u, pw]) => [u, pulumi.secret(pw)]))]),
            );
        }
        let externalDatabaseCaChain: string | undefined;
        if (config.postgres.external) {
            const read = readCaChain(config.postgres.external.caChainFile, `${PROJECT}:postgres.external.caChainFile`);
            if ("problem" in read) problems.push(read.problem);
            else externalDatabaseCaChain = read.pem;
        }
        if (problems.length > 0) throw new ConfigError(problems);
        return { plan, pkiFiles, databasePasswords, externalDatabaseCaChain };
    } catch (e) {
        // RunError prints the message alone, without a stack trace: the message is the fix.
        if (e instanceof ConfigError) throw new pulumi.RunError(e.message);
        throw e;
    }
}

/** The plan alone, for programs that bring nothing from outside. */
export function loadPlan(): Plan {
    return loadStack().plan;
}
