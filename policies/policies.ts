// The canton-ha policies, kept apart from the pack's entry point: constructing a
// PolicyPack starts a gRPC server, so tests import this module, never index.ts.
import type { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";

/** Filled by the policy-pack issue; the pack is wired end to end already. */
export const policies: (ResourceValidationPolicy | StackValidationPolicy)[] = [];
