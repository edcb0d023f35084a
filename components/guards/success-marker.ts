// A record in the stack's state that exists only once a one-shot job exited 0: resources that
// must wait for the job's success depend on the component that owns it. It is a dynamic
// resource (no provider plugin), so it also runs where the random/tls plugins cannot be had.
// docs/decisions/bootstrap-succeeded-marker.md says why it exists.
import * as pulumi from "@pulumi/pulumi";

interface SuccessMarkerInputs {
    job: string;
    contentHash: string;
    /** Resolves only once the run was checked; its value is always "0". */
    exitCode: string;
}

const successMarkerProvider: pulumi.dynamic.ResourceProvider = {
    async create(inputs: SuccessMarkerInputs) {
        return { id: `${inputs.job}@${inputs.contentHash.slice(0, 12)}`, outs: inputs };
    },
    async diff(_id: string, olds: SuccessMarkerInputs, news: SuccessMarkerInputs) {
        return { changes: olds.contentHash !== news.contentHash || olds.exitCode !== news.exitCode };
    },
    async update(_id: string, _olds: SuccessMarkerInputs, news: SuccessMarkerInputs) {
        return { outs: news };
    },
};

export class SuccessMarker extends pulumi.dynamic.Resource {
    constructor(name: string, inputs: pulumi.Inputs, opts?: pulumi.CustomResourceOptions) {
        super(successMarkerProvider, name, inputs, opts, "canton-ha", "SuccessMarker");
    }
}
