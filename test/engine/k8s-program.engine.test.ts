// The canton-ha program on the Kubernetes platform under the real engine and the real
// kubernetes provider, in render mode (`kubernetes.renderYamlTo`): `pulumi up` of a stack that
// brings its own PKI (openssl, made by the test) and its database passwords (secret config)
// writes every manifest as YAML and talks to no cluster. The written manifests then pass the
// same checks as the objects registered under mocks (test/support/k8s-suite.ts).
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import * as yaml from "js-yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "../../components/config";
import { buildPlan } from "../../components/plan/build";
import type { Plan } from "../../components/plan/types";
import { rawExactly } from "../support/fixtures";
import type { K8sObject } from "../support/k8s-manifests";
import { kubernetesChecks } from "../support/k8s-suite";
import { makeFilesPki, type FilesPki } from "../support/pki-files";
import { exportedResources, isolateFromKubeconfig, makeProgramWorkspace, requireEngineBinaries, tearDown, type Workspace } from "./engine";

const STEP = 900_000;
const STACK = "k8srender";

function config(pkiDir: string, renderDir: string) {
  return {
    platform: "kubernetes",
    haMode: "loadbalancer",
    canton: { registry: "mirror.canton-ha.test" },
    pki: { source: "files", directory: pkiDir },
    postgres: { passwords: "config" },
    kubernetes: { namespace: "canton-render", renderYamlTo: renderDir },
    participants: [
      { name: "participant1", replicas: 2, users: ["alice"] },
      { name: "participant2", replicas: 1, users: ["bob"] },
    ],
  };
}

function stackYaml(entries: Record<string, unknown>): string {
  return ["config:", ...Object.entries(entries).map(([k, v]) => `  canton-ha:${k}: ${JSON.stringify(v)}`), ""].join("\n");
}

/** Every YAML document under dir. */
function manifestsUnder(dir: string): K8sObject[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith(".yaml"))
    .flatMap((e) => yaml.loadAll(readFileSync(path.join(e.parentPath, e.name), "utf8")) as K8sObject[])
    .filter((o) => o && typeof o === "object");
}

describe("the canton-ha program on Kubernetes, rendered by the real kubernetes provider", () => {
  let ws: Workspace;
  let plan: Plan;
  let files: FilesPki;
  let renderDir: string;
  let objs: K8sObject[];
  const passwords: string[] = [];

  beforeAll(async () => {
    requireEngineBinaries(["pulumi", "pulumi-language-nodejs", "pulumi-resource-pulumi-nodejs", "pulumi-resource-kubernetes"]);
    ws = await makeProgramWorkspace();
    await isolateFromKubeconfig(ws);
    const pkiDir = path.join(ws.programDir, "pki");
    renderDir = path.join(ws.dir, "rendered");
    const cfg = config(pkiDir, renderDir);
    plan = buildPlan(parseConfig(rawExactly(cfg)), STACK);
    files = await makeFilesPki(plan, { dir: pkiDir });
    await ws.pulumi(["stack", "init", STACK, "--non-interactive"]);
    writeFileSync(path.join(ws.programDir, `Pulumi.${STACK}.yaml`), stackYaml(cfg));
    for (const server of plan.databaseServers) {
      for (const user of [...server.databases.map((d) => d.user), "postgres"]) {
        const pw = `pw-${server.id}-${user}-${Math.random().toString(36).slice(2, 12)}`;
        passwords.push(pw);
        await ws.pulumi(["config", "set", "--secret", "--path", `canton-ha:dbPasswords.${server.id}.${user}`, pw, "--stack", STACK]);
      }
    }
  }, STEP);

  afterAll(async () => {
    await tearDown(ws, STACK);
    files?.remove();
  });

  it(
    "pulumi up writes every manifest, with no tls, random or docker resource in the stack",
    async () => {
      await ws.pulumi(["up", "--yes", "--skip-preview", "--non-interactive", "--stack", STACK], { timeoutMs: STEP });
      const exp = await ws.pulumi(["stack", "export", "--stack", STACK]);
      const types = new Set(exportedResources(exp.stdout).map((r) => r.type));
      expect([...types].filter((t) => /^(tls|random|docker):/.test(t))).toEqual([]);
      // Render mode runs nothing, so no job result is read.
      expect(types).not.toContain("pulumi-nodejs:dynamic/canton-ha:JobResult");
      objs = manifestsUnder(renderDir);
      const kinds = new Set(objs.map((o) => o.kind));
      for (const k of ["Namespace", "Deployment", "StatefulSet", "Service", "ConfigMap", "Secret", "Job", "PodDisruptionBudget", "NetworkPolicy", "PersistentVolumeClaim"])
        expect(kinds).toContain(k);
      expect(objs.length).toBeGreaterThan(100);
    },
    STEP,
  );

  it("keeps no private key, password or token in plain text in the state (the rendered Secrets are plain text, as documented)", async () => {
    const exp = (await ws.pulumi(["stack", "export", "--stack", STACK])).stdout;
    expect(exp).not.toMatch(/-----BEGIN [A-Z ]*PRIVATE KEY-----/);
    for (const pw of passwords) expect(exp).not.toContain(pw);
    const secrets = objs.filter((o) => o.kind === "Secret").map((o) => JSON.stringify(o));
    expect(secrets.some((s) => passwords.some((pw) => s.includes(pw) || s.includes(Buffer.from(pw).toString("base64"))))).toBe(true);
  });

  for (const [title, check] of kubernetesChecks) {
    it(`rendered manifests: ${title}`, () =>
      check({
        objs,
        plan,
        instance: `canton-ha-${STACK}`,
        secretMarkers: [/-----BEGIN [A-Z ]*PRIVATE KEY-----/, ...passwords.map((pw) => new RegExp(pw))],
      }));
  }

  it(
    "a second pulumi up changes nothing",
    async () => {
      await ws.pulumi(["up", "--yes", "--skip-preview", "--non-interactive", "--expect-no-changes", "--stack", STACK], { timeoutMs: STEP });
    },
    STEP,
  );
});
