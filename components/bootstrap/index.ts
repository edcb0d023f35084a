export { Bootstrap, BOOTSTRAP_TIMEOUT_SECONDS, checkRun, contentHash, parseParticipantIds } from "./bootstrap";
export { allNodes, remoteConfig } from "./remote-config";
export type { RemoteScope } from "./remote-config";
export { renderScript } from "./script";
export { domainScript, participantScript, MUTATING_CONSOLE_CALLS } from "./steps";
export type { ConsoleScript, Step } from "./steps";
