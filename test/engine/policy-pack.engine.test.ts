// The canton-ha policy pack (policies/) under the real engine: scripts/pulumi-policy.sh runs
// `pulumi preview --policy-pack` with the policy CLI (3.170, tools/engine/README.md) on the
// canton-ha program itself, for bring-your-own stacks (own PKI made with openssl, passwords as
// secret config) on the `none` platform (no provider plugin) and on the Kubernetes platform in
// render mode (the kubernetes provider writes YAML, no cluster). Each passes; a broken config
// fails, naming the policy and the resource. A missing binary or pack dependency fails the
// tests, never skips them.
import { writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "../../components/config";
import { buildPlan } from "../../components/plan/build";
import { rawExactly } from "../support/fixtures";
import { makeFilesPki, type FilesPki } from "../support/pki-files";
import { isolateFromKubeconfig, makeProgramWorkspace, policyPackIn, repoRoot, requireEngineBinaries, tearDown, type RunResult, type Workspace } from "./engine";
import { TEST_REGISTRY } from "../support/fixtures";

const STEP = 600_000;
/** Not a dev stack: the data-protection policy applies. */
const STACK = "policyprod";

const config = (mediators: number, dir: string) => ({
  platform: "none",
  domain: { sequencers: 2, mediators },
  pki: { source: "files", directory: dir },
  postgres: { passwords: "config" },
  participants: [
    { name: "participant1", replicas: 2, users: ["alice"] },
    { name: "participant2", replicas: 1, users: ["bob"] },
  ],
});

/** Generated database passwords for every user of the plan, as one object. */
const passwordsFor = (plan: ReturnType<typeof buildPlan>) =>
  Object.fromEntries(
    plan.databaseServers.map((s) => [
      s.id,
      Object.fromEntries([...s.databases.map((d) => d.user), "postgres"].map((u) => [u, `pw-${s.id}-${u}-${Math.random().toString(36).slice(2, 12)}`])),
    ]),
  );

const stackYaml = (c: Record<string, unknown>) => ["config:", ...Object.entries(c).map(([k, v]) => `  canton-ha:${k}: ${JSON.stringify(v)}`), ""].join("\n");

describe("the canton-ha policy pack under the policy CLI, on the program (platform none, own PKI and passwords)", () => {
  let ws: Workspace;
  let pack: string;
  let files: FilesPki;
  let pkiDir: string;

  const preview = (): Promise<RunResult> => ws.pulumiRaw([pack, "--non-interactive", "--stack", STACK], { wrapper: "policy", timeoutMs: STEP });
  const text = (r: RunResult) => `${r.stdout}\n${r.stderr}`;

  beforeAll(async () => {
    requireEngineBinaries(["pulumi", "pulumi-language-nodejs", "pulumi-resource-pulumi-nodejs", "policy/pulumi", "policy/pulumi-analyzer-policy"]);
    ws = await makeProgramWorkspace();
    pack = await policyPackIn(ws, path.join(repoRoot, "policies"));
    pkiDir = path.join(ws.programDir, "pki");
    // Two mediators and one have the same trust domains and certificates.
    const plan = buildPlan(parseConfig(rawExactly(config(2, pkiDir))), STACK);
    files = await makeFilesPki(plan, { dir: pkiDir });
    await ws.pulumi(["stack", "init", STACK, "--non-interactive"]);
    writeFileSync(path.join(ws.programDir, `Pulumi.${STACK}.yaml`), stackYaml(config(2, pkiDir)));
    // One secret value for the whole object: CLI 3.170 does not report an object whose entries
    // were set with `--secret --path` as a secret key, and the program refuses plain passwords.
    await ws.pulumi(["config", "set", "--secret", "canton-ha:dbPasswords", JSON.stringify(passwordsFor(plan)), "--stack", STACK]);
  }, STEP);

  afterAll(async () => {
    await tearDown(ws, STACK);
    files?.remove();
  }, STEP);

  it(
    "the stack passes the preview with the pack run: no mandatory violation",
    async () => {
      const r = await preview();
      const out = text(r);
      expect(r.code, out).toBe(0);
      expect(out).toMatch(/canton-ha@v0\.1\.0/); // the pack ran (it is in the policy summary)
      expect(out).not.toMatch(/mandatory/);
      expect(out).not.toContain("not supported"); // the 3.248-CLI failure mode
      expect(out).not.toContain("can't run policy"); // no policy stopped on an unknown value
    },
    STEP,
  );

  it(
    "with one mediator the preview fails, naming the policy, the node and the resource",
    async () => {
      await ws.pulumi(["config", "set", "--path", "canton-ha:domain.mediators", "1", "--stack", STACK]);
      const r = await preview();
      const out = text(r);
      expect(r.code, out).not.toBe(0);
      expect(out).toMatch(new RegExp(`\\[mandatory\\]\\s+ha-min-mediators\\s+\\(pulumi:pulumi:Stack: canton-ha-${STACK}\\)`));
      expect(out).toContain("the mediator 'mediator' has 1 replica (mediator1)");
      expect(out).toContain("stack output configs.mediator1");
      expect(out).toContain("Fix: run 2 replicas: pulumi config set --path 'canton-ha:domain.mediators' 2");
      // Only that policy fails.
      expect(out.match(/\[mandatory\]/g)).toHaveLength(1);
    },
    STEP,
  );
});

const K8S_STACK = "policyk8s";

/** A production-shaped stack on Kubernetes, rendered: protected, data retained, proxies in front. */
const k8sConfig = (dir: string, renderDir: string) => ({
  platform: "kubernetes",
  haMode: "loadbalancer",
  protect: true,
  canton: { registry: TEST_REGISTRY },
  pki: { source: "files", directory: dir },
  postgres: { passwords: "config", retainData: true },
  kubernetes: { namespace: "canton-policy", renderYamlTo: renderDir },
  participants: [
    { name: "participant1", replicas: 2, users: ["alice"] },
    { name: "participant2", replicas: 1, users: ["bob"] },
  ],
});

describe("the canton-ha policy pack under the policy CLI, on the Kubernetes platform in render mode", () => {
  let ws: Workspace;
  let pack: string;
  let files: FilesPki;
  let packConfig: string;

  const preview = (): Promise<RunResult> =>
    ws.pulumiRaw([pack, "--policy-pack-config", packConfig, "--non-interactive", "--stack", K8S_STACK], { wrapper: "policy", timeoutMs: STEP });
  const text = (r: RunResult) => `${r.stdout}\n${r.stderr}`;

  beforeAll(async () => {
    requireEngineBinaries(["pulumi", "pulumi-language-nodejs", "pulumi-resource-pulumi-nodejs", "pulumi-resource-kubernetes", "policy/pulumi", "policy/pulumi-analyzer-policy"]);
    ws = await makeProgramWorkspace();
    await isolateFromKubeconfig(ws);
    pack = await policyPackIn(ws, path.join(repoRoot, "policies"));
    // The operator's pack config: the registry their images come from.
    packConfig = path.join(ws.dir, "policy-config.json");
    writeFileSync(packConfig, JSON.stringify({ "image-allowed-registries": { allowedRegistries: [TEST_REGISTRY] } }));
    const cfg = k8sConfig(path.join(ws.programDir, "pki"), path.join(ws.dir, "rendered"));
    const plan = buildPlan(parseConfig(rawExactly(cfg)), K8S_STACK);
    files = await makeFilesPki(plan, { dir: cfg.pki.directory });
    await ws.pulumi(["stack", "init", K8S_STACK, "--non-interactive"]);
    writeFileSync(path.join(ws.programDir, `Pulumi.${K8S_STACK}.yaml`), stackYaml(cfg));
    await ws.pulumi(["config", "set", "--secret", "canton-ha:dbPasswords", JSON.stringify(passwordsFor(plan)), "--stack", K8S_STACK]);
  }, STEP);

  afterAll(async () => {
    await tearDown(ws, K8S_STACK);
    files?.remove();
  }, STEP);

  it(
    "the stack passes the preview with the pack run over its Deployments, Services, PDBs and NetworkPolicies",
    async () => {
      const r = await preview();
      const out = text(r);
      expect(r.code, out).toBe(0);
      expect(out).toMatch(/canton-ha@v0\.1\.0/);
      expect(out).toContain("kubernetes:apps/v1:Deployment");
      expect(out).not.toMatch(/mandatory/);
      expect(out).not.toContain("can't run policy");
    },
    STEP,
  );

  it(
    "with NodePort exposure the preview fails, naming the policy and the Service",
    async () => {
      await ws.pulumi(["config", "set", "--path", "canton-ha:kubernetes.exposure", "NodePort", "--stack", K8S_STACK]);
      const r = await preview();
      const out = text(r);
      expect(r.code, out).not.toBe(0);
      expect(out).toMatch(/\[mandatory\]\s+k8s-external-services\s+\(kubernetes:core\/v1:Service: sequencer-proxy-external\)/);
      expect(out).toContain("Service 'sequencer-proxy-external': the Service is of type NodePort (allowed: ClusterIP, LoadBalancer)");
    },
    STEP,
  );
});
