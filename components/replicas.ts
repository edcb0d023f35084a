// One helper for active/passive replica sets (mediators, participants), built in one phase:
// replica 1 starts first; what must happen before the standbys start (the bootstrap that
// initialises replica 1) is created from replica 1's handle; then the standbys start. The
// walkthrough starts the second mediator and participant1b only after that step.
import type * as pulumi from "@pulumi/pulumi";
import type { Platform, WorkloadComponent, WorkloadHandle, WorkloadSpec } from "./platform/types";

interface ReplicaSetArgs<R> {
    group: string;
    component: WorkloadComponent;
    replicas: R[];
    workload: (replica: R) => WorkloadSpec;
    platform: Platform;
    /** Replica 1 starts after these. */
    dependsOn: pulumi.Resource[];
    /** Creates what the standbys wait for, once replica 1 exists (undefined where nothing runs). */
    afterPrimary?: (primary: WorkloadHandle | undefined) => pulumi.Resource[];
}

interface DeployedReplicas {
    primary: WorkloadHandle | undefined;
    standbys: WorkloadHandle[];
    /** What `afterPrimary` returned: the standbys started after it. */
    gate: pulumi.Resource[];
}

export function deployReplicas<R>(parent: pulumi.Resource, args: ReplicaSetArgs<R>): DeployedReplicas {
    const [first, ...rest] = args.replicas;
    const primary = args.platform.deploy(args.workload(first), { parent, dependsOn: args.dependsOn });
    const gate = args.afterPrimary?.(primary) ?? [];
    const standbys = rest.flatMap((r) => {
        const w = args.platform.deploy(args.workload(r), { parent, dependsOn: [...(primary ? [primary.resource] : []), ...gate] });
        return w ? [w] : [];
    });
    if (args.replicas.length > 1) {
        // Voluntary disruptions (node drains) may take one replica at a time, never both.
        args.platform.disruptionBudget({ group: args.group, component: args.component, minAvailable: 1 }, { parent });
    }
    return { primary, standbys, gate };
}
