// A setting that must keep its first value for the life of the stack, recorded in the
// stack's state. A changed value fails `pulumi preview` and `pulumi up` in the provider's
// `check`, before any resource that depends on it is touched, unless the operator says the
// change is deliberate. Needs no provider plugin beyond the Node.js dynamic provider, so it
// also runs where the tls/random/docker plugins cannot be had.
import * as pulumi from "@pulumi/pulumi";

export interface RecordedSettingInputs {
    /** The config key, for the error message: `canton-ha:domain.totalNodeCount`. */
    key: string;
    value: string;
    /** The config key that accepts a change, and why a change is dangerous. */
    overrideKey: string;
    why: string;
    allowChange: boolean;
}

/** The failure `check` reports for a changed value, or undefined when the change is fine. */
export function changeFailure(olds: Partial<RecordedSettingInputs>, news: RecordedSettingInputs): string | undefined {
    if (olds.value === undefined || olds.value === news.value || news.allowChange) return undefined;
    return (
        `${news.key} was ${olds.value} when this stack was first deployed and is now ${news.value}. ${news.why} ` +
        `Set it back to ${olds.value} (\`pulumi config set --path '${news.key}' ${olds.value}\`), ` +
        `or, if you really are rebuilding what depends on it, set ${news.overrideKey} to true for one \`pulumi up\` (README, runbooks).`
    );
}

export const recordedSettingProvider: pulumi.dynamic.ResourceProvider = {
    async check(olds: Partial<RecordedSettingInputs>, news: RecordedSettingInputs) {
        const reason = changeFailure(olds, news);
        return reason ? { inputs: news, failures: [{ property: "value", reason }] } : { inputs: news };
    },
    async create(inputs: RecordedSettingInputs) {
        return { id: inputs.key, outs: inputs };
    },
    async diff(_id: string, olds: RecordedSettingInputs, news: RecordedSettingInputs) {
        return { changes: olds.value !== news.value || olds.allowChange !== news.allowChange };
    },
    async update(_id: string, _olds: RecordedSettingInputs, news: RecordedSettingInputs) {
        return { outs: news };
    },
};

/** Records `value` at the first `pulumi up`; later runs fail on a change (see {@link changeFailure}). */
export class RecordedSetting extends pulumi.dynamic.Resource {
    declare readonly value: pulumi.Output<string>;
    constructor(name: string, inputs: RecordedSettingInputs, opts?: pulumi.CustomResourceOptions) {
        super(recordedSettingProvider, name, inputs, opts);
    }
}
