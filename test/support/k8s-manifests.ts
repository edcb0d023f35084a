// What the Kubernetes platform registered under mocks, as plain Kubernetes objects, and the
// checks every Kubernetes stack must pass: schema, probes, selectors, NetworkPolicy flows
// against the plan, no secret outside a Secret. Used by the test/unit/k8s-*.test.ts suites
// (one stack per file: the program module runs once per process) and the render test.
import type { Plan } from "../../components/plan/types";
import { registered, reveal } from "./mocks";

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: any;
  data?: Record<string, string>;
  stringData?: Record<string, string>;
  binaryData?: Record<string, string>;
  [key: string]: unknown;
}

/** Every Kubernetes object the program registered, secrets revealed (the mocks hold placeholders only). */
export async function registeredObjects(): Promise<K8sObject[]> {
  const all = await registered();
  return all.filter((r) => r.type.startsWith("kubernetes:")).map((r) => stripPulumiFields(reveal(r.state)) as K8sObject);
}

/** Drops what the mocks add to inputs (ids, urns), so the object is what would be applied. */
function stripPulumiFields(o: any): any {
  const { id: _id, urn: _urn, status: _status, ...rest } = o;
  return rest;
}

export const ofKind = (objs: K8sObject[], kind: string) => objs.filter((o) => o.kind === kind);

/** Validates an object against the kubernetes-models schema of its kind; returns the error text, if any. */
export async function schemaError(o: K8sObject): Promise<string | undefined> {
  const [group, version] = o.apiVersion.includes("/") ? o.apiVersion.split("/") : ["core", o.apiVersion];
  const mod = await import(`kubernetes-models/${group === "core" ? "v1" : `${group}/${version}`}/${o.kind}`);
  const Model = mod[o.kind] ?? mod.default;
  try {
    new Model(o).validate();
    return undefined;
  } catch (e) {
    return `${o.kind}/${o.metadata.name}: ${(e as Error).message}`;
  }
}

export interface PodTemplate {
  owner: string;
  kind: string;
  labels: Record<string, string>;
  spec: any;
  replicas: number;
}

/** Pod templates of Deployments, StatefulSets and Jobs. */
export function podTemplates(objs: K8sObject[]): PodTemplate[] {
  return objs
    .filter((o) => ["Deployment", "StatefulSet", "Job"].includes(o.kind))
    .map((o) => ({ owner: `${o.kind}/${o.metadata.name}`, kind: o.kind, labels: o.spec.template.metadata.labels, spec: o.spec.template.spec, replicas: o.spec.replicas ?? 1 }));
}

export const selects = (selector: Record<string, string>, labels: Record<string, string>) => Object.entries(selector).every(([k, v]) => labels[k] === v);

/** `from>to:port` for every pod-to-pod flow the NetworkPolicies allow, read from egress and ingress separately. */
export function allowedFlows(objs: K8sObject[], replicaLabel: string): { egress: Set<string>; ingress: Set<string> } {
  const egress = new Set<string>();
  const ingress = new Set<string>();
  for (const np of ofKind(objs, "NetworkPolicy")) {
    const self = np.spec.podSelector?.matchLabels?.[replicaLabel];
    for (const rule of np.spec.egress ?? []) {
      for (const peer of rule.to ?? []) {
        const to = peer.podSelector?.matchLabels?.[replicaLabel];
        if (self && to && !peer.namespaceSelector) for (const p of rule.ports ?? []) egress.add(`${self}>${to}:${p.port}`);
      }
    }
    for (const rule of np.spec.ingress ?? []) {
      for (const peer of rule.from ?? []) {
        const from = peer.podSelector?.matchLabels?.[replicaLabel];
        if (self && from && !peer.namespaceSelector) for (const p of rule.ports ?? []) ingress.add(`${from}>${self}:${p.port}`);
      }
    }
  }
  return { egress, ingress };
}

/** The flows the plan implies, computed from the plan alone (not from the platform's specs). */
export function plannedFlows(plan: Plan): Set<string> {
  const out = new Set<string>();
  const add = (from: string, to: string, port: number) => out.add(`${from}>${to}:${port}`);
  const d = plan.domain;
  const seqFront = d.sequencerProxy;
  const toSequencers = (from: string) => {
    if (seqFront) add(from, seqFront.host.id, seqFront.listeners[0].port);
    else for (const s of d.sequencers.nodes) add(from, s.host.id, s.publicApi.port);
  };
  const toDb = (from: string, db: Plan["databaseServers"][number]) => {
    if (!db.external) add(from, db.host.id, db.port);
  };
  const domainDb = d.sequencers.db.server;
  for (const s of d.sequencers.nodes) toDb(s.host.id, domainDb);
  for (const m of d.mediators.replicas) {
    toDb(m.host.id, domainDb);
    toSequencers(m.host.id);
  }
  toDb(d.domainManager.host.id, domainDb);
  toSequencers(d.domainManager.host.id);
  if (seqFront) for (const s of d.sequencers.nodes) add(seqFront.host.id, s.host.id, s.publicApi.port);
  toSequencers("bootstrap-domain");
  for (const s of d.sequencers.nodes) add("bootstrap-domain", s.host.id, s.adminApi.port);
  for (const m of d.mediators.replicas) add("bootstrap-domain", m.host.id, m.adminApi.port);
  add("bootstrap-domain", d.domainManager.host.id, d.domainManager.adminApi.port);
  for (const p of plan.participants) {
    for (const r of p.replicas) {
      toDb(r.host.id, p.db.server);
      toSequencers(r.host.id);
      add(`bootstrap-participant-${p.name}`, r.host.id, r.adminApi.port);
      add(`bootstrap-participant-${p.name}`, r.host.id, r.ledgerApi.port);
      if (p.proxy) for (const port of [r.ledgerApi.port, r.adminApi.port, r.health.port]) add(p.proxy.host.id, r.host.id, port);
    }
    // A closed domain of this stack: the participant's job admits it on the domain manager.
    if (p.domain.admission) add(`bootstrap-participant-${p.name}`, d.domainManager.host.id, d.domainManager.adminApi.port);
  }
  return out;
}

/** Texts that must never appear outside a Secret: key headers and the mocks' passwords and tokens. */
export const SECRET_MARKERS = [/-----BEGIN [A-Z ]*PRIVATE KEY-----/, /password-of-/, /token-for-/];
