// canton-ha as a library: the components and their arguments, the config parser and plan
// builders, the platforms, and the renderers behind them. `index.ts` at the repository root
// is one program built from these; examples/ has others.

// Config and planning (pure).
export {
    configSchema,
    parseConfig,
    validateConfig,
    ConfigError,
    PROJECT,
    CONFIG_KEYS,
    SECRET_CONFIG_KEYS,
    SUPPORTED_PROTOCOL_VERSIONS,
    DEFAULT_TOTAL_NODE_COUNT,
    MAX_SEQUENCER_NODES,
    MAX_PARTICIPANT_REPLICAS,
    CANTON_ENTERPRISE_IMAGE,
    DEFAULT_LB_IMAGES,
} from "./config";
export type { CantonHaConfig, ConfigProblem, KubernetesConfig, LoadBalancerConfig, ParticipantConfig } from "./config";
export { loadPlan, loadStack, readCaChain, readDatabasePasswords } from "./load-config";
export type { DatabasePasswords, StackInputs } from "./load-config";
export { buildPlan, planDomain, planParticipants, connectionOf, cantonImageRef } from "./plan/build";
export { dockerNaming, kubernetesNaming, namingFor } from "./plan/naming";
export type { NamingPolicy, PortPolicy, HostNames } from "./plan/naming";
export type * from "./plan/types";

// Components.
export { CantonHaTopology } from "./topology";
export type { TopologyArgs } from "./topology";
export { CantonDomain } from "./domain/domain";
export type { CantonDomainArgs, DomainConnection } from "./domain/domain";
export { SequencerTier } from "./domain/sequencer-tier";
export type { SequencerTierArgs } from "./domain/sequencer-tier";
export { MediatorPair } from "./domain/mediator-pair";
export type { MediatorPairArgs } from "./domain/mediator-pair";
export { DomainManager } from "./domain/domain-manager";
export type { DomainManagerArgs } from "./domain/domain-manager";
export { CantonParticipant } from "./participant/participant";
export type { CantonParticipantArgs } from "./participant/participant";
export { ParticipantReplicaSet } from "./participant/replica-set";
export type { ParticipantReplicaSetArgs } from "./participant/replica-set";
export { ParticipantAuth } from "./auth/participant-auth";
export { JwksDocument, JwtToken } from "./auth/providers";
export type { ParticipantAuthArgs } from "./auth/participant-auth";
export { LoadBalancer } from "./lb/load-balancer";
export type { LoadBalancerArgs } from "./lb/load-balancer";
export { Bootstrap } from "./bootstrap/bootstrap";
export type { BootstrapArgs } from "./bootstrap/bootstrap";
export { ExternalDatabase, PlatformDatabase } from "./database";
export type { Database, DatabaseConnection, ExternalDatabaseArgs, PlatformDatabaseArgs } from "./database";
export { CertificateAuthority } from "./pki/certificate-authority";
export type { CertificateAuthorityArgs } from "./pki/certificate-authority";
export type { LeafMaterial, TrustDomainPki } from "./pki/pki";
export { FilePki, readFilesPki } from "./pki/files";
export type { FilesRead, TrustDomainFiles } from "./pki/files";
export { stackOutputs } from "./outputs";

// Platforms.
export { createPlatform } from "./platform";
export { DockerPlatform } from "./platform/docker";
export { NonePlatform } from "./platform/none";
export { KubernetesPlatform } from "./platform/kubernetes/platform";
export type { KubernetesPlatformArgs } from "./platform/kubernetes/platform";
export * as kubernetesLabels from "./platform/kubernetes/labels";
export type * from "./platform/types";
