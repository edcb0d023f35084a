// Engine test of policy runs: scripts/pulumi-policy.sh (the policy CLI bin/policy/pulumi, 3.170.0,
// which starts Node.js packs through bin/policy/pulumi-analyzer-policy) runs `pulumi preview
// --policy-pack` with the fixture pack (test/engine/fixture-policy, its own node_modules from
// scripts/setup.sh policies) on a program of ConfigMaps rendered by the kubernetes provider.
// The main CLI (3.248) cannot start a Node.js pack with the 3.68 language host built here
// (tools/engine/README.md). A missing binary or pack dependency fails the tests, never skips them.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { binDir, exportedResources, isolateFromKubeconfig, makeWorkspace, policyPackIn, requireEngineBinaries, tearDown, type RunResult, type Workspace } from "./engine";

const STEP = 600_000; // the engine is slow on 2 cores: generous timeouts everywhere
const STACK = "policytest";
const POLICY = "no-secrets-in-configmaps";

describe("policy pack under the policy CLI (scripts/pulumi-policy.sh)", () => {
  let ws: Workspace;
  let pack: string;
  let renderDir: string;

  const preview = (): Promise<RunResult> => ws.pulumiRaw([pack, "--non-interactive", "--stack", STACK], { wrapper: "policy" });
  const text = (r: RunResult) => `${r.stdout}\n${r.stderr}`;

  beforeAll(async () => {
    requireEngineBinaries(["pulumi", "pulumi-language-nodejs", "pulumi-resource-kubernetes", "policy/pulumi", "policy/pulumi-analyzer-policy"]);
    ws = await makeWorkspace("fixture-policy-program", ["@pulumi/pulumi", "@pulumi/kubernetes", "@types/node", "typescript"]);
    pack = await policyPackIn(ws, path.join(__dirname, "fixture-policy"));
    renderDir = path.join(ws.dir, "rendered");
    await isolateFromKubeconfig(ws);
    await ws.pulumi(["stack", "init", STACK, "--non-interactive"]);
    await ws.pulumi(["config", "set", "--stack", STACK, "renderDir", renderDir]);
  }, STEP);

  afterAll(() => tearDown(ws, STACK), STEP);

  it("the policy CLI is Pulumi 3.170.0", () => {
    expect(execFileSync(path.join(binDir, "policy", "pulumi"), ["version"], { encoding: "utf8" }).trim()).toBe("v3.170.0");
  });

  it(
    "a compliant program passes the preview, with the pack run",
    async () => {
      await ws.pulumi(["config", "set", "--stack", STACK, "withViolation", "false"]);
      const r = await preview();
      expect(r.code, text(r)).toBe(0);
      expect(r.stdout).toContain("engine-fixture-policy");
      expect(text(r)).not.toContain(POLICY);
    },
    STEP,
  );

  it(
    "a ConfigMap with a secret-like key fails the preview, naming the policy and the resource",
    async () => {
      await ws.pulumi(["config", "set", "--stack", STACK, "withViolation", "true"]);
      const r = await preview();
      const out = text(r);
      expect(r.code, out).not.toBe(0);
      expect(out).toContain(POLICY);
      expect(out).toContain("mandatory");
      expect(out).toContain('ConfigMap data key "dbPassword" looks like a secret');
      // the violation names the offending resource, and only that one
      const violations = out.split("\n").filter((l) => l.includes(POLICY));
      expect(violations.join("\n")).toContain("leaky");
      expect(violations.join("\n")).not.toContain("settings");
      expect(out).not.toContain("not supported"); // the 3.248-CLI failure mode
    },
    STEP,
  );

  it(
    "previews changed nothing: no resources in the state, nothing rendered",
    async () => {
      const exp = await ws.pulumi(["stack", "export", "--stack", STACK]);
      expect(exportedResources(exp.stdout)).toEqual([]);
      expect(existsSync(renderDir)).toBe(false);
    },
    STEP,
  );

  it(
    "a stack deployed by the main CLI (3.248) previews under the policy CLI",
    async () => {
      await ws.pulumi(["config", "set", "--stack", STACK, "withViolation", "false"]);
      await ws.pulumi(["up", "--yes", "--skip-preview", "--non-interactive", "--stack", STACK]);
      expect(existsSync(renderDir)).toBe(true);
      const r = await preview();
      expect(r.code, text(r)).toBe(0);
      expect(r.stdout).toContain("engine-fixture-policy");
      expect(r.stdout).toMatch(/3 unchanged/); // stack, provider, ConfigMap "settings"
    },
    STEP,
  );
});
