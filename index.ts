// The canton-ha program: one stack's config -> plan -> the topology -> stack outputs. It uses
// the canton-ha library (components/) by its package name, as any other program would.
import { CantonHaTopology, loadStack, stackOutputs } from "canton-ha";

const { plan, pkiFiles, databasePasswords, externalDatabaseCaChain } = loadStack();
const topology = new CantonHaTopology("canton-ha", { plan, pkiFiles, databasePasswords, externalDatabaseCaChain });
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
export const configs = outputs.configs;
