// A platform that records what it is asked to run, so tests can inspect specs and the
// dependsOn graph directly. Its workloads register like containers, so dependsOn is real.
// Exposure goes through the project's proxy tier, as on Docker.
import * as pulumi from "@pulumi/pulumi";
import { Bootstrap, reportsOf } from "../../components/bootstrap/bootstrap";
import { RecordedSetting } from "../../components/guards/recorded-setting";
import { exposeThroughProxy } from "../../components/platform/expose";
import type { DisruptionBudget, ExposeRequest, Exposure, JobRun, JobSpec, Platform, WorkloadHandle, WorkloadSpec } from "../../components/platform/types";

class Workload extends pulumi.CustomResource {
  constructor(name: string, opts: pulumi.CustomResourceOptions) {
    super("test:index:Workload", name, {}, opts);
  }
}

export class RecordingPlatform implements Platform {
  readonly name = "recording";
  readonly nonRoot = false;
  readonly deployed = new Map<string, { spec: WorkloadSpec; dependsOn: string[]; resource: pulumi.Resource }>();
  readonly jobs = new Map<string, { spec: JobSpec; dependsOn: string[]; resource: pulumi.Resource }>();
  readonly budgets: DisruptionBudget[] = [];

  /** @param jobLog what a finished job printed, by job id (default: a plain success line). */
  constructor(private readonly jobLog: (jobId: string) => string = () => "CANTON_HA done\n") {}

  deploy(spec: WorkloadSpec, opts: pulumi.CustomResourceOptions): WorkloadHandle {
    const resource = new Workload(spec.host.id, opts);
    this.deployed.set(spec.host.id, { spec, dependsOn: this.names(opts), resource });
    return { resource, address: (l) => `${spec.host.fqdn}:${spec.listeners.find((x) => x.name === l)!.port}` };
  }

  runOnce(spec: JobSpec, opts: pulumi.CustomResourceOptions): JobRun {
    const resource = new Workload(spec.id, opts);
    this.jobs.set(spec.id, { spec, dependsOn: this.names(opts), resource });
    const log = this.jobLog(spec.id);
    return { resource, result: pulumi.output({ exitCode: 0, logTail: log, reports: reportsOf(log) }) };
  }

  expose(req: ExposeRequest, opts: pulumi.ComponentResourceOptions): Exposure {
    return exposeThroughProxy(this, req, opts);
  }

  disruptionBudget(budget: DisruptionBudget): void {
    this.budgets.push(budget);
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
