// The checks every Kubernetes stack passes under mocks, as one vitest suite per stack: the
// program runs once with the stack's config, then each check reads what it registered.
import { beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "../../components/config";
import { buildPlan } from "../../components/plan/build";
import type { Plan } from "../../components/plan/types";
import { INSTANCE_LABEL, REPLICA_LABEL } from "../../components/platform/kubernetes/labels";
import { resourceGraph } from "./graph";
import { allowedFlows, K8sObject, ofKind, plannedFlows, podTemplates, registeredObjects, schemaError, SECRET_MARKERS, selects } from "./k8s-manifests";
import { registered, setUpMocks, valueOf } from "./mocks";

/** What a check reads: the objects, the plan they came from, and texts that must stay in Secrets. */
export interface CheckContext {
  objs: K8sObject[];
  plan: Plan;
  instance: string;
  secretMarkers: RegExp[];
}

/** Every Kubernetes check, by title: run under mocks here, and on rendered manifests by the engine test. */
export const kubernetesChecks: [string, (c: CheckContext) => void | Promise<void>][] = [
  [
    "every object validates against the Kubernetes OpenAPI schema (kubernetes-models)",
    async ({ objs }: CheckContext) => {
      expect(objs.length).toBeGreaterThan(30);
      const errors = (await Promise.all(objs.map(schemaError))).filter((e) => e !== undefined);
      expect(errors).toEqual([]);
    },
  ],
  [
    "every object carries the label contract, and every pod is `restricted`",
    ({ objs, plan, instance }: CheckContext) => {
      for (const o of objs.filter((x) => x.kind !== "Namespace")) {
        expect(o.metadata.labels?.["app.kubernetes.io/part-of"], `${o.kind}/${o.metadata.name}`).toBe("canton-ha");
        expect(o.metadata.labels?.[INSTANCE_LABEL], `${o.kind}/${o.metadata.name}`).toBe(instance);
        expect(o.metadata.namespace, `${o.kind}/${o.metadata.name}`).toBe(plan.kubernetes!.namespace);
      }
      for (const pod of podTemplates(objs)) {
        expect(pod.spec.securityContext, pod.owner).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } });
        expect(pod.spec.automountServiceAccountToken, pod.owner).toBe(false);
        for (const c of pod.spec.containers) {
          expect(c.securityContext, `${pod.owner} ${c.name}`).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } });
        }
        expect(pod.spec.hostNetwork ?? false).toBe(false);
        expect((pod.spec.volumes ?? []).filter((v: any) => v.hostPath)).toEqual([]);
      }
    },
  ],
  [
    "every probe points at a port its container listens on",
    ({ objs }: CheckContext) => {
      let probes = 0;
      for (const pod of podTemplates(objs)) {
        for (const c of pod.spec.containers) {
          const ports = new Set((c.ports ?? []).map((p: any) => p.containerPort));
          for (const kind of ["startupProbe", "livenessProbe", "readinessProbe"]) {
            const probe = c[kind];
            if (!probe) continue;
            probes++;
            const port = probe.tcpSocket?.port ?? probe.httpGet?.port ?? probe.grpc?.port;
            expect(ports.has(port), `${pod.owner} ${kind} port ${port} (listens on ${[...ports].join(", ")})`).toBe(true);
          }
        }
      }
      expect(probes).toBeGreaterThan(20);
    },
  ],
  [
    "readiness means serving: a participant replica is ready once its Ledger API accepts, and no probe flaps on one slow answer",
    ({ objs, plan }: CheckContext) => {
      const replicas = plan.participants.flatMap((p) => p.replicas);
      expect(replicas.length).toBeGreaterThan(1);
      for (const r of replicas) {
        const pod = podTemplates(objs).find((t) => t.labels[REPLICA_LABEL] === r.host.id);
        expect(pod, `no pod for participant replica ${r.host.id}`).toBeDefined();
        // Canton opens the Ledger API on the active replica only, seconds after /health turns 200.
        expect(pod!.spec.containers[0].readinessProbe, r.host.id).toMatchObject({ tcpSocket: { port: r.ledgerApi.port } });
        expect(pod!.spec.containers[0].readinessProbe.httpGet, r.host.id).toBeUndefined();
      }
      let readiness = 0;
      for (const pod of podTemplates(objs)) {
        for (const c of pod.spec.containers) {
          const probe = c.readinessProbe;
          if (!probe) continue;
          readiness++;
          // Digital Asset's charts allow 3 s; one failure must not take a replica out of its Service.
          expect(probe.timeoutSeconds, `${pod.owner} readiness timeout`).toBeGreaterThanOrEqual(3);
          expect(probe.failureThreshold, `${pod.owner} readiness failureThreshold`).toBeGreaterThanOrEqual(2);
          // The stated failover target: the new active joins its Service within 2 s.
          expect(probe.periodSeconds * probe.successThreshold, `${pod.owner} readiness join time`).toBeLessThanOrEqual(2);
        }
      }
      expect(readiness).toBeGreaterThan(5);
    },
  ],
  [
    "every Service selects pods that have its target ports, and every PDB selects a whole HA group",
    ({ objs }: CheckContext) => {
      const pods = podTemplates(objs);
      for (const svc of ofKind(objs, "Service")) {
        const matched = pods.filter((p) => selects(svc.spec.selector, p.labels));
        expect(matched.length, `Service/${svc.metadata.name} selects no pod`).toBeGreaterThan(0);
        for (const port of svc.spec.ports) {
          for (const p of matched) {
            const names = p.spec.containers.flatMap((c: any) => (c.ports ?? []).map((x: any) => x.name));
            expect(names, `Service/${svc.metadata.name} port ${port.name} -> ${p.owner}`).toContain(port.targetPort);
          }
        }
      }
      for (const pdb of ofKind(objs, "PodDisruptionBudget")) {
        const pods = podTemplates(objs)
          .filter((p) => selects(pdb.spec.selector.matchLabels, p.labels))
          .reduce((n, p) => n + p.replicas, 0);
        expect(pods, `PodDisruptionBudget/${pdb.metadata.name}`).toBeGreaterThan(pdb.spec.minAvailable);
      }
    },
  ],
  [
    "every active/passive group with two replicas has a PDB, and its replicas are spread apart",
    ({ objs, plan }: CheckContext) => {
      const groups = [plan.domain.mediators.name, ...plan.participants.filter((p) => p.replicas.length > 1).map((p) => p.name)];
      if (plan.domain.sequencers.nodes.length > 1) groups.push("sequencer");
      for (const g of groups) {
        const pdb = ofKind(objs, "PodDisruptionBudget").find((x) => x.spec.selector.matchLabels["app.kubernetes.io/name"] === g);
        expect(pdb, `no PDB for group ${g}`).toBeDefined();
        for (const pod of podTemplates(objs).filter((p) => p.labels["app.kubernetes.io/name"] === g)) {
          expect(JSON.stringify(pod.spec.affinity.podAntiAffinity), pod.owner).toContain(g);
        }
      }
    },
  ],
  [
    "NetworkPolicies allow exactly the planned flows, in both directions, and deny everything else",
    ({ objs, plan, instance }: CheckContext) => {
      const planned = [...plannedFlows(plan)].sort();
      const { egress, ingress } = allowedFlows(objs, REPLICA_LABEL);
      expect(planned.length).toBeGreaterThan(20);
      expect([...egress].sort()).toEqual(planned);
      expect([...ingress].sort()).toEqual(planned);
      const deny = ofKind(objs, "NetworkPolicy").find((n) => n.metadata.name === "canton-ha-default-deny");
      expect(deny?.spec).toEqual({ podSelector: { matchLabels: { [INSTANCE_LABEL]: instance } }, policyTypes: ["Ingress", "Egress"] });
      // Every pod has its own egress policy (a NetworkPolicy for every workload).
      for (const pod of podTemplates(objs)) {
        const replica = pod.labels[REPLICA_LABEL];
        expect(
          ofKind(objs, "NetworkPolicy").some((n) => n.metadata.name === `${replica}-egress`),
          `${pod.owner} has no egress policy`,
        ).toBe(true);
      }
    },
  ],
  [
    "no key, password or token sits in a ConfigMap or an env literal; secret env comes from secretKeyRef",
    ({ objs, secretMarkers }: CheckContext) => {
      for (const cm of ofKind(objs, "ConfigMap")) {
        const text = JSON.stringify({ data: cm.data, binaryData: cm.binaryData });
        for (const m of secretMarkers) expect(m.test(text), `ConfigMap/${cm.metadata.name} matches ${m}`).toBe(false);
      }
      let fromSecrets = 0;
      const secrets = new Map(ofKind(objs, "Secret").map((s) => [s.metadata.name, new Set([...Object.keys(s.stringData ?? {}), ...Object.keys(s.data ?? {})])]));
      for (const pod of podTemplates(objs)) {
        for (const c of pod.spec.containers) {
          for (const e of c.env ?? []) {
            if (e.value !== undefined) for (const m of secretMarkers) expect(m.test(e.value), `${pod.owner} env ${e.name}`).toBe(false);
            if (e.valueFrom?.secretKeyRef) {
              fromSecrets++;
              expect(secrets.get(e.valueFrom.secretKeyRef.name)?.has(e.valueFrom.secretKeyRef.key), `${pod.owner} env ${e.name}`).toBe(true);
            }
          }
          expect(JSON.stringify([c.command, c.args]), `${pod.owner} command line`).not.toMatch(/password-of-|token-for-/);
        }
      }
      expect(fromSecrets).toBeGreaterThan(5);
    },
  ],
  [
    "standbys are awaited as started, never as ready; everything that serves at once is awaited as ready",
    ({ objs }: CheckContext) => {
      for (const d of [...ofKind(objs, "Deployment"), ...ofKind(objs, "StatefulSet")]) {
        const wait = d.metadata.annotations?.["pulumi.com/waitFor"];
        const component = d.metadata.labels!["app.kubernetes.io/component"];
        const activePassive = ["mediator", "domain-manager", "participant"].includes(component);
        expect(wait, `${d.kind}/${d.metadata.name}`).toBe(activePassive ? "jsonpath={.status.updatedReplicas}=1" : undefined);
      }
    },
  ],
];

export function kubernetesStackSuite(stack: string, config: Record<string, string>, opts: { golden?: boolean } = {}): void {
  let objs: K8sObject[];
  let plan: Plan;

  beforeAll(async () => {
    // @pulumi/kubernetes takes $KUBECONFIG as the provider's `kubeconfig` input when the stack
    // sets none: the objects (and the graph golden) must not depend on the test machine's cluster.
    delete process.env.KUBECONFIG;
    await setUpMocks(stack, config);
    plan = buildPlan(parseConfig(config), stack);
    const program = await import("../../index");
    await valueOf(program.caChains);
    objs = await registeredObjects();
  });

  describe(`kubernetes stack '${stack}' under mocks`, () => {
    for (const [title, check] of kubernetesChecks) it(title, () => check({ objs, plan, instance: `canton-ha-${stack}`, secretMarkers: SECRET_MARKERS }));

    if (opts.golden) {
      it(`Pulumi.${stack}.yaml: the resource graph matches golden/graph/${stack}.json`, async () => {
        const graph = resourceGraph(await registered());
        await expect(JSON.stringify(graph, null, 1) + "\n").toMatchFileSnapshot(`../unit/golden/graph/${stack}.json`);
      });
    }
  });
}
