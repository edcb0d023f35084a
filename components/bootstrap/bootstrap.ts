// One bootstrap job: a console script, the remote config it runs against, and the
// credentials it needs, run once per distinct content on the platform (Docker: a one-shot
// container of the Canton image). A failed run fails `pulumi up` with the runner's log.
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { createHash } from "node:crypto";
import type { CertificateAuthority } from "../pki/certificate-authority";
import { DOMAIN_TRUST } from "../plan/build";
import type { Plan } from "../plan/types";
import type { JobRun, Platform, WorkloadFile } from "../platform/types";
import { ADMIN_TOKEN_ENV, PARTICIPANT_ID_LINE, PARTY_ID_LINE, REMOTE_CONFIG_FILE, runArgs, scriptFile, trustFiles } from "./layout";
import { RemoteScope, remoteConfig, trustDomainsOf } from "./remote-config";
import { renderScript } from "./script";
import type { ConsoleScript } from "./steps";

/** Default bound of every console wait (`wait_for_*`, `retry_until_true`), in seconds. */
export const BOOTSTRAP_TIMEOUT_SECONDS = 300;

export interface BootstrapArgs {
    plan: Plan;
    script: ConsoleScript;
    /** The nodes the script talks to; the remote config names exactly these. */
    scope: RemoteScope;
    /** The CA of a trust domain (its chain verifies the servers; its `admin-api` cert is the client). */
    ca: (trustDomain: string) => CertificateAuthority;
    platform: Platform;
    /** Every node the script touches: the job starts only once they are healthy. */
    dependsOn: pulumi.Resource[];
    timeoutSeconds?: number;
    /**
     * The participant_admin Ledger API token (secret) for a participant job: user management
     * goes over the JWT-protected Ledger API. A renewed token re-runs the job, which is
     * idempotent and then finds nothing to do.
     */
    adminToken?: pulumi.Input<string>;
}

export class Bootstrap extends pulumi.ComponentResource {
    static readonly TYPE = "canton-ha:bootstrap:Bootstrap";

    readonly job: string;
    /** The rendered console script and remote config (no secrets in either). */
    readonly scriptText: string;
    readonly remoteConfigText: string;
    /** sha256 of what the job does; a new value re-runs the job, the same value never does. */
    readonly contentHash: string;
    readonly run: JobRun | undefined;
    /**
     * Exists only once the run has exited 0. Depending on the Bootstrap component (which
     * owns this marker) therefore means "after a successful bootstrap", not merely "after
     * the runner container was created".
     */
    readonly succeeded: pulumi.Resource | undefined;
    /** `participant name -> participant id` as the script reported them. */
    readonly participantIds: pulumi.Output<Record<string, string>>;
    /** `participant name -> party hint -> party id` as the script reported them. */
    readonly partyIds: pulumi.Output<Record<string, Record<string, string>>>;

    constructor(name: string, args: BootstrapArgs, opts?: pulumi.ComponentResourceOptions) {
        super(Bootstrap.TYPE, name, {}, opts);
        const { plan, script } = args;
        const timeoutSeconds = args.timeoutSeconds ?? BOOTSTRAP_TIMEOUT_SECONDS;
        this.job = script.job;
        const header = `Rendered by canton-ha for stack '${plan.stack}'. Do not edit: \`pulumi up\` rewrites it.`;
        this.scriptText = renderScript(script, header);
        this.remoteConfigText = remoteConfig(plan, args.scope, timeoutSeconds, `bootstrap job '${script.job}'`);
        const command = runArgs(script.job);
        this.contentHash = contentHash([plan.cantonImage, ...command, this.scriptText, this.remoteConfigText]);

        this.run = args.platform.runOnce(
            {
                id: `bootstrap-${script.job}`,
                image: plan.cantonImage,
                command,
                env: args.adminToken === undefined ? undefined : { [ADMIN_TOKEN_ENV]: pulumi.secret(args.adminToken) },
                files: [
                    { path: scriptFile(script.job), content: this.scriptText },
                    { path: REMOTE_CONFIG_FILE, content: this.remoteConfigText },
                    ...trustFilesFor(plan, args.scope, args.ca),
                ],
                contentHash: this.contentHash,
                // Each step waits at most `timeoutSeconds`; leave room for the JVM to start.
                timeoutSeconds: script.steps.length * timeoutSeconds + 120,
            },
            { parent: this, dependsOn: args.dependsOn },
        );

        if (this.run) {
            const run = this.run;
            const verified = pulumi
                .all([run.exitCode, run.logs, run.resource.urn])
                .apply(([exitCode, logs, urn]) => {
                    checkRun(script.job, exitCode, logs, urn, this);
                    return String(exitCode);
                });
            this.succeeded = new random.RandomId(`${name}-succeeded`, { byteLength: 4, keepers: { job: this.contentHash, exitCode: verified } }, { parent: this });
            this.participantIds = run.logs.apply((logs) => parseParticipantIds(logs ?? ""));
            this.partyIds = run.logs.apply((logs) => parsePartyIds(logs ?? ""));
        } else {
            this.succeeded = undefined;
            this.participantIds = pulumi.output<Record<string, string>>({});
            this.partyIds = pulumi.output<Record<string, Record<string, string>>>({});
        }
        this.registerOutputs({ contentHash: this.contentHash, participantIds: this.participantIds, partyIds: this.partyIds });
    }
}

export function contentHash(parts: string[]): string {
    const h = createHash("sha256");
    for (const p of parts) h.update(`${p.length}:${p}`);
    return h.digest("hex");
}

/** Trust chains and admin client credentials of the scope, plus the domain chain (sequencer trust). */
function trustFilesFor(plan: Plan, scope: RemoteScope, ca: (id: string) => CertificateAuthority): WorkloadFile[] {
    const out: WorkloadFile[] = [];
    const ids = trustDomainsOf(plan, scope);
    for (const id of ids) {
        const t = trustFiles(id);
        const client = ca(id).get("admin-api");
        out.push({ path: t.caChain, content: ca(id).chainPem });
        out.push({ path: t.adminClientChain, content: client.chainPem });
        out.push({ path: t.adminClientKey, content: client.privateKeyPem });
    }
    if (!ids.includes(DOMAIN_TRUST)) out.push({ path: trustFiles(DOMAIN_TRUST).caChain, content: ca(DOMAIN_TRUST).chainPem });
    return out;
}

/** How much of the runner's log goes into the error message. */
export const LOG_TAIL_LINES = 120;

/** Throws when a run failed: the error carries the tail of the runner's log and the way out. */
export function checkRun(job: string, exitCode: number | undefined, logs: string | undefined, urn: string, resource?: pulumi.Resource): void {
    if (exitCode === 0) return;
    const lines = (logs ?? "").trimEnd().split("\n");
    const tail = lines.slice(-LOG_TAIL_LINES).join("\n");
    const message =
        `bootstrap job '${job}' failed (exit code ${exitCode ?? "unknown"}).\n` +
        `--- runner log${lines.length > LOG_TAIL_LINES ? ` (last ${LOG_TAIL_LINES} of ${lines.length} lines)` : ""} ---\n${tail}\n--- end of runner log ---\n` +
        "Every step checks state before it acts, so re-running is safe. Fix the cause, then run the job again with\n" +
        `  pulumi up --replace '${urn}'\n` +
        "(docs/bootstrap.md, \"Bootstrap failed halfway\").";
    throw resource ? new pulumi.ResourceError(message, resource) : new Error(message);
}

export function parsePartyIds(logs: string): Record<string, Record<string, string>> {
    const out: Record<string, Record<string, string>> = {};
    for (const m of logs.matchAll(PARTY_ID_LINE)) (out[m[1]] ??= {})[m[2]] = m[3];
    return out;
}

export function parseParticipantIds(logs: string): Record<string, string> {
    const out: Record<string, string> = {};
    for (const m of logs.matchAll(PARTICIPANT_ID_LINE)) out[m[1]] = m[2];
    return out;
}
