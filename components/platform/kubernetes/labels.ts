// The label contract of every object the Kubernetes platform makes. Selectors, PDBs,
// NetworkPolicies and the policy pack all read these, so they are written in one place.
// `app.kubernetes.io/*` are the recommended labels (kubernetes.io/docs/concepts/overview/
// working-with-objects/common-labels); `canton-ha.io/replica` names one pod identity.
import type { WorkloadComponent } from "../types";

export const PART_OF = "canton-ha";
export const INSTANCE_LABEL = "app.kubernetes.io/instance";
export const GROUP_LABEL = "app.kubernetes.io/name";
export const COMPONENT_LABEL = "app.kubernetes.io/component";
/** One replica's identity (its host id): the same on every copy of a stateless proxy. */
export const REPLICA_LABEL = "canton-ha.io/replica";
/** Pods (in any namespace) that may call the ledger APIs: the cluster's Daml applications. */
export const LEDGER_CLIENT_LABEL = "canton-ha.io/ledger-api-client";
/** Pods (in any namespace) that may call the sequencer public API: other organisations' participants. */
export const SEQUENCER_CLIENT_LABEL = "canton-ha.io/sequencer-client";
/** A job's content hash, on the Job and its pod template. */
export const JOB_HASH_ANNOTATION = "canton-ha.io/job-content-hash";
/** sha256 of a workload's files and environment: a change rolls its pods. */
export const CHECKSUM_ANNOTATION = "canton-ha.io/config-checksum";

export interface Identity {
    instance: string;
    group: string;
    component: WorkloadComponent | "bootstrap";
    replica: string;
}

/** Every label of an object or pod. */
export function labelsOf(id: Identity, extra: Record<string, string> = {}): Record<string, string> {
    return {
        "app.kubernetes.io/part-of": PART_OF,
        "app.kubernetes.io/managed-by": "pulumi",
        [INSTANCE_LABEL]: id.instance,
        [GROUP_LABEL]: id.group,
        [COMPONENT_LABEL]: id.component,
        [REPLICA_LABEL]: id.replica,
        ...extra,
    };
}

/** The pods of one replica identity. */
export const replicaSelector = (instance: string, replica: string) => ({ [INSTANCE_LABEL]: instance, [REPLICA_LABEL]: replica });
/** The pods of one HA group. */
export const groupSelector = (instance: string, group: string) => ({ [INSTANCE_LABEL]: instance, [GROUP_LABEL]: group });
