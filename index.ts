// canton-ha: config -> plan -> components -> outputs. Everything interesting lives in components/.
import { loadPlan } from "./components/load-config";
import { stackOutputs } from "./components/outputs";
import { CantonHaTopology } from "./components/topology";

const plan = loadPlan();
const topology = new CantonHaTopology("canton-ha", { plan });
const outputs = stackOutputs(plan, topology);

export const endpoints = outputs.endpoints;
export const caChains = outputs.caChains;
export const rootCertificates = outputs.rootCertificates;
export const adminClients = outputs.adminClients;
export const tokens = outputs.tokens;
export const tokenExpiries = outputs.tokenExpiries;
export const jwks = outputs.jwks;
export const participantIds = outputs.participantIds;
export const partyIds = outputs.partyIds;
