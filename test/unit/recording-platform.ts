// A platform that records what it is asked to run, so tests can inspect specs and the
// dependsOn graph directly. Its workloads register like containers, so dependsOn is real.
import * as pulumi from "@pulumi/pulumi";
import { Bootstrap } from "../../components/bootstrap/bootstrap";
import { RecordedSetting } from "../../components/guards/recorded-setting";
import type { JobRun, JobSpec, Platform, WorkloadSpec } from "../../components/platform/types";

class Workload extends pulumi.CustomResource {
    constructor(name: string, opts: pulumi.CustomResourceOptions) {
        super("test:index:Workload", name, {}, opts);
    }
}

export class RecordingPlatform implements Platform {
    readonly name = "recording";
    readonly deployed = new Map<string, { spec: WorkloadSpec; dependsOn: string[]; resource: pulumi.Resource }>();
    readonly jobs = new Map<string, { spec: JobSpec; dependsOn: string[]; resource: pulumi.Resource }>();

    /** @param jobLog what a finished job printed, by job id (default: a plain success line). */
    constructor(private readonly jobLog: (jobId: string) => string = () => "CANTON_HA done\n") {}

    deploy(spec: WorkloadSpec, opts: pulumi.CustomResourceOptions): pulumi.Resource {
        const resource = new Workload(spec.host.id, opts);
        this.deployed.set(spec.host.id, { spec, dependsOn: this.names(opts), resource });
        return resource;
    }

    runOnce(spec: JobSpec, opts: pulumi.CustomResourceOptions): JobRun {
        const resource = new Workload(spec.id, opts);
        this.jobs.set(spec.id, { spec, dependsOn: this.names(opts), resource });
        return { resource, exitCode: pulumi.output(0), logs: pulumi.output(this.jobLog(spec.id)) };
    }

    /** Workloads by host id, bootstrap components as `bootstrap:<job>`, recorded settings as `recorded`. */
    private names(opts: pulumi.CustomResourceOptions): string[] {
        const deps = (opts.dependsOn ?? []) as pulumi.Resource[];
        return deps.map((d) => {
            if (d instanceof Bootstrap) return `bootstrap:${d.job}`;
            if (d instanceof RecordedSetting) return "recorded";
            return [...this.deployed.entries()].find(([, v]) => v.resource === d)?.[0] ?? "?";
        });
    }
}
