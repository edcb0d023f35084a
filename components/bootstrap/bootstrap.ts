// One bootstrap job: a console script, the remote config it runs against, and the
// credentials it needs, run once per distinct content on the platform (Docker: a one-shot
// container of the Canton image). A failed run fails `pulumi up` with the runner's log.
import * as pulumi from "@pulumi/pulumi";
import { createHash } from "node:crypto";
import type { Flow, JobResult, JobRun, Platform, WorkloadFile } from "../platform/types";
import { SuccessMarker } from "../guards/success-marker";
import { ADMIN_TOKEN_ENV, REMOTE_CONFIG_FILE, runArgs, scriptFile } from "./layout";

export { logTail, reportsOf } from "./log";
import { renderScript } from "./script";
import type { ConsoleScript } from "./steps";

/** Default bound of every console wait (`wait_for_*`, `retry_until_true`), in seconds. */
export const BOOTSTRAP_TIMEOUT_SECONDS = 300;

export interface BootstrapArgs {
    stack: string;
    image: string;
    script: ConsoleScript;
    /** The rendered remote config (remote-config.ts): it names exactly the nodes the script talks to. */
    remoteConfig: string;
    /** Trust chains and admin client credentials the remote config points at (layout.trustFiles). */
    trustFiles: WorkloadFile[];
    platform: Platform;
    /** Every node the script touches: the job starts only once they are up. */
    dependsOn: pulumi.Resource[];
    /** Every API the remote config names (remote-config.ts), as the job dials them. */
    connectsTo: Flow[];
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
     * Exists only once the run has exited 0 (see docs/decisions/bootstrap-succeeded-marker.md).
     * Depending on the Bootstrap component (which owns this marker) therefore means "after a
     * successful bootstrap", not merely "after the runner was created".
     */
    readonly succeeded: pulumi.Resource | undefined;
    /** The lines the script reported (`CANTON_HA <report>`), once it succeeded. */
    readonly reports: pulumi.Output<string[]>;

    constructor(name: string, args: BootstrapArgs, opts?: pulumi.ComponentResourceOptions) {
        super(Bootstrap.TYPE, name, {}, opts);
        const { script } = args;
        const timeoutSeconds = args.timeoutSeconds ?? BOOTSTRAP_TIMEOUT_SECONDS;
        this.job = script.job;
        this.scriptText = renderScript(script, args.stack);
        this.remoteConfigText = args.remoteConfig;
        const command = runArgs(script.job);
        this.contentHash = contentHash([args.image, ...command, this.scriptText, this.remoteConfigText]);

        this.run = args.platform.runOnce(
            {
                id: `bootstrap-${script.job}`,
                image: args.image,
                command,
                env: args.adminToken === undefined ? undefined : { [ADMIN_TOKEN_ENV]: { value: args.adminToken, sensitive: true } },
                files: [
                    { path: scriptFile(script.job), content: this.scriptText, sensitive: false },
                    { path: REMOTE_CONFIG_FILE, content: this.remoteConfigText, sensitive: false },
                    ...args.trustFiles,
                ],
                contentHash: this.contentHash,
                connectsTo: args.connectsTo,
                // The console's temp files and its home (the Ammonite cache): HOME is set to /tmp.
                writablePaths: ["/tmp"],
                // Each step waits at most `timeoutSeconds`; leave room for the JVM to start.
                timeoutSeconds: script.steps.length * timeoutSeconds + 120,
            },
            { parent: this, dependsOn: args.dependsOn },
        );

        if (this.run) {
            const run = this.run;
            const verified = pulumi.all([run.result, run.resource.urn]).apply(([result, urn]) => {
                checkRun(script.job, result, urn, this);
                return String(result.exitCode);
            });
            this.succeeded = new SuccessMarker(`${name}-succeeded`, { job: script.job, contentHash: this.contentHash, exitCode: verified }, { parent: this });
            this.reports = run.result.apply((r) => r.reports);
        } else {
            this.succeeded = undefined;
            this.reports = pulumi.output<string[]>([]);
        }
        this.registerOutputs({ contentHash: this.contentHash, reports: this.reports });
    }
}

export function contentHash(parts: string[]): string {
    const h = createHash("sha256");
    for (const p of parts) h.update(`${p.length}:${p}`);
    return h.digest("hex");
}

/** Throws when a run failed: the error carries the tail of the runner's log and the way out. */
export function checkRun(job: string, result: Pick<JobResult, "exitCode" | "logTail">, urn: string, resource?: pulumi.Resource): void {
    if (result.exitCode === 0) return;
    const message =
        `bootstrap job '${job}' failed (exit code ${result.exitCode ?? "unknown"}).\n` +
        `--- runner log ---\n${result.logTail}\n--- end of runner log ---\n` +
        "Every step checks state before it acts, so re-running is safe. Fix the cause, then run the job again with\n" +
        `  pulumi up --replace '${urn}'\n` +
        '(docs/bootstrap.md, "Bootstrap failed halfway").';
    throw resource ? new pulumi.ResourceError(message, resource) : new Error(message);
}

/** `participant-id <name> <id>` reports. */
export function participantIdsOf(reports: string[]): Record<string, string> {
    const out: Record<string, string> = {};
    for (const r of reports) {
        const m = /^participant-id (\S+) (\S+)$/.exec(r);
        if (m) out[m[1]] = m[2];
    }
    return out;
}

/** `party-id <participant> <hint> <id>` reports. */
export function partyIdsOf(reports: string[]): Record<string, Record<string, string>> {
    const out: Record<string, Record<string, string>> = {};
    for (const r of reports) {
        const m = /^party-id (\S+) (\S+) (\S+)$/.exec(r);
        if (m) (out[m[1]] ??= {})[m[2]] = m[3];
    }
    return out;
}
