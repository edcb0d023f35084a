// The result channel of a bootstrap Job: once the Job has finished, read its pod's exit code
// and log through the API server, with the deployer's own kubeconfig (the provider's). The
// Job itself needs no API access, so its pod runs without a service-account token. The log
// is what a real run prints; the report lines in it (`CANTON_HA ...`) become stack outputs,
// and a failed run fails `pulumi up` with its tail (bootstrap.ts checkRun).
//
// The provider's own Job await is skipped (`pulumi.com/skipAwait`): it would fail `pulumi up`
// on a failed Job before the log could be read and shown.
import * as pulumi from "@pulumi/pulumi";
import { logTail, reportsOf } from "../../bootstrap/log";
import type { JobResult } from "../types";
import { kubeAccess, kubeGet } from "./kube-api";

interface JobResultInputs {
    namespace: string;
    job: string;
    /** The Job's uid: a new Job (a re-run) is a new result. */
    uid: string;
    container: string;
    kubeconfig?: string;
    context?: string;
    timeoutSeconds: number;
}

type Outs = JobResultInputs & JobResult;

async function waitForJob(inputs: JobResultInputs): Promise<JobResult> {
    const access = kubeAccess(inputs.kubeconfig, inputs.context);
    const ns = encodeURIComponent(inputs.namespace);
    const deadline = Date.now() + inputs.timeoutSeconds * 1000;
    for (;;) {
        const job = await kubeGet(access, `/apis/batch/v1/namespaces/${ns}/jobs/${encodeURIComponent(inputs.job)}`);
        const conditions: { type: string; status: string }[] = job.status?.conditions ?? [];
        const finished = conditions.some((c) => (c.type === "Complete" || c.type === "Failed") && c.status === "True");
        if (finished || Date.now() > deadline) {
            const pods = await kubeGet(access, `/api/v1/namespaces/${ns}/pods?labelSelector=${encodeURIComponent(`batch.kubernetes.io/controller-uid=${inputs.uid}`)}`);
            const items: any[] = pods.items ?? [];
            items.sort((a, b) => String(a.metadata.creationTimestamp).localeCompare(String(b.metadata.creationTimestamp)));
            const pod = items[items.length - 1];
            if (!pod) return { exitCode: undefined, logTail: `job ${inputs.job} has no pod (conditions: ${JSON.stringify(conditions)})`, reports: [] };
            const status = (pod.status?.containerStatuses ?? []).find((c: any) => c.name === inputs.container);
            const exitCode: number | undefined = status?.state?.terminated?.exitCode;
            let logs: string;
            try {
                logs = await kubeGet(access, `/api/v1/namespaces/${ns}/pods/${encodeURIComponent(pod.metadata.name)}/log?container=${encodeURIComponent(inputs.container)}`, true);
            } catch (e) {
                // Without its log the run's reports are unknown: that is a failed run, not an empty one.
                const why = `(the log of pod ${pod.metadata.name} could not be read: ${(e as Error).message}; \`kubectl logs -n ${inputs.namespace} ${pod.metadata.name}\` shows it)`;
                return { exitCode: undefined, logTail: why, reports: [] };
            }
            const timedOut = !finished ? `\n(canton-ha stopped waiting after ${inputs.timeoutSeconds} s; the job had not finished)` : "";
            return { exitCode: finished ? exitCode : undefined, logTail: logTail(logs) + timedOut, reports: reportsOf(logs) };
        }
        await new Promise((r) => setTimeout(r, 2000));
    }
}

const jobResultProvider: pulumi.dynamic.ResourceProvider = {
    async create(inputs: JobResultInputs) {
        const result = await waitForJob(inputs);
        return { id: `${inputs.namespace}/${inputs.job}@${inputs.uid}`, outs: { ...inputs, ...result } satisfies Outs };
    },
    async diff(_id: string, olds: Outs, news: JobResultInputs) {
        // Only a new Job is a new result; a changed kubeconfig path is not.
        const replace = olds.uid !== news.uid || olds.namespace !== news.namespace || olds.job !== news.job;
        return { changes: replace, replaces: replace ? ["uid"] : [], deleteBeforeReplace: true };
    },
};

/** The finished Job's exit code, log tail and report lines, as outputs. */
export class JobResultReader extends pulumi.dynamic.Resource {
    declare readonly exitCode: pulumi.Output<number | undefined>;
    declare readonly logTail: pulumi.Output<string>;
    declare readonly reports: pulumi.Output<string[]>;

    constructor(name: string, inputs: { [K in keyof JobResultInputs]: pulumi.Input<JobResultInputs[K]> }, opts?: pulumi.CustomResourceOptions) {
        super(jobResultProvider, name, { ...inputs, exitCode: undefined, logTail: undefined, reports: undefined }, opts, "canton-ha", "JobResult");
    }
}
