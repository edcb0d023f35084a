// The canton-ha policies, kept apart from the pack's entry point: constructing a
// PolicyPack starts a gRPC server, so tests import this module, never index.ts.
// Each policy lives in rules/; docs/policies.md describes every one.
import type { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { intermediatePathLength, rootPathLength } from "./rules/ca-path-length";
import { cantonApiClientAuth } from "./rules/canton-api-client-auth";
import { cantonApiTls } from "./rules/canton-api-tls";
import { cantonOpenDomain } from "./rules/canton-open-domain";
import { cantonStorageTls } from "./rules/canton-storage-tls";
import { noSecretsOnCommandLines } from "./rules/command-line-secrets";
import { noSecretsInConfigMaps } from "./rules/configmap-secrets";
import { dataProtection } from "./rules/data-protection";
import { dockerSecretsInEnv } from "./rules/docker-env-advisory";
import { dockerSecretInputs } from "./rules/docker-secret-inputs";
import { envSecretsFromSecretRefs } from "./rules/env-secret-refs";
import { haMinMediators, haMinSequencers } from "./rules/ha-counts";
import { haParticipantProxy } from "./rules/ha-participant-proxy";
import { haReplicasConsistent } from "./rules/ha-replicas";
import { haSequencerConnections } from "./rules/ha-sequencer-connections";
import { haSequencersSharedDatabase } from "./rules/ha-sequencer-database";
import { hostPortsLoopback } from "./rules/host-ports";
import { imageAllowedRegistries, imageExactVersion, imagePinned } from "./rules/images";
import { k8sAntiAffinity } from "./rules/k8s-anti-affinity";
import { k8sDisruptionBudgets } from "./rules/k8s-disruption-budgets";
import { k8sExternalServices, k8sPublicAdminApi } from "./rules/k8s-external-services";
import { k8sLabels } from "./rules/k8s-labels";
import { k8sNetworkPolicies } from "./rules/k8s-network-policies";
import { k8sNoHostAccess, k8sPodSecurity } from "./rules/k8s-pod-security";
import { k8sResources } from "./rules/k8s-resources";
import { k8sSingleWriter } from "./rules/k8s-single-writer";
import { keyStrength } from "./rules/key-strength";
import { leafValidity } from "./rules/leaf-validity";
import { ledgerApiAuth } from "./rules/ledger-api-auth";
import { noPlaintextSecretsInOutputs } from "./rules/output-secrets";
import { postgresServerTls } from "./rules/postgres-server-tls";
import { proxyTls } from "./rules/proxy-tls";
import { tokenLifetime } from "./rules/token-lifetime";

export const policies: (ResourceValidationPolicy | StackValidationPolicy)[] = [
    // Security: TLS, mTLS and auth of every API
    cantonApiTls,
    cantonApiClientAuth,
    ledgerApiAuth,
    cantonStorageTls,
    postgresServerTls,
    proxyTls,
    // Security: secrets
    noSecretsInConfigMaps,
    envSecretsFromSecretRefs,
    noSecretsOnCommandLines,
    dockerSecretInputs,
    noPlaintextSecretsInOutputs,
    // Security: PKI
    keyStrength,
    leafValidity,
    intermediatePathLength,
    // Security: exposure and workloads
    hostPortsLoopback,
    k8sExternalServices,
    k8sPodSecurity,
    k8sNoHostAccess,
    imagePinned,
    imageAllowedRegistries,
    // HA correctness
    haMinSequencers,
    haMinMediators,
    haSequencersSharedDatabase,
    cantonOpenDomain,
    haReplicasConsistent,
    haSequencerConnections,
    haParticipantProxy,
    k8sDisruptionBudgets,
    k8sAntiAffinity,
    k8sNetworkPolicies,
    k8sSingleWriter,
    // Data safety
    dataProtection,
    // Hygiene (advisory)
    dockerSecretsInEnv,
    rootPathLength,
    k8sPublicAdminApi,
    imageExactVersion,
    k8sLabels,
    k8sResources,
    tokenLifetime,
];
