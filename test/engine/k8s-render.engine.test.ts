// Engine test of the kubernetes provider plugin (bin/pulumi-resource-kubernetes, built from
// the v4.25.0 release commit by tools/engine/build.sh) under the real CLI and Node.js language
// host: a provider in render mode (renderYamlToDirectory) writes a ConfigMap's manifest as YAML
// and talks to no cluster. A missing binary fails the tests, never skips them.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import * as yaml from "js-yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  destroyAndListLeftovers,
  exportedResources,
  isolateFromKubeconfig,
  makeWorkspace,
  requireEngineBinaries,
  tearDown,
  upAndExport,
  upExpectingNoChanges,
  type Workspace,
} from "./engine";

const STEP = 600_000; // the engine is slow on 2 cores: generous timeouts everywhere
const STACK = "k8srender";

/** Every file under dir, relative to it. */
function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
    .sort();
}

describe("kubernetes provider plugin: render a ConfigMap to YAML", () => {
  let ws: Workspace;
  let renderDir: string;
  let manifest: string;
  let outputs: Record<string, unknown>;
  let exportText: string;

  beforeAll(async () => {
    requireEngineBinaries(["pulumi", "pulumi-language-nodejs", "pulumi-resource-kubernetes"]);
    ws = await makeWorkspace("fixture-k8s", ["@pulumi/pulumi", "@pulumi/kubernetes", "@types/node", "typescript"]);
    renderDir = path.join(ws.dir, "rendered");
    // the provider's file name scheme: <dir>/1-manifest/<apiVersion>-<kind>-<namespace>-<name>.yaml
    manifest = path.join(renderDir, "1-manifest", "v1-configmap-canton-canton-ha-settings.yaml");
    await isolateFromKubeconfig(ws);
    await ws.pulumi(["stack", "init", STACK, "--non-interactive"]);
    await ws.pulumi(["config", "set", "--stack", STACK, "renderDir", renderDir]);
  }, STEP);

  afterAll(() => tearDown(ws, STACK), STEP);

  it(
    "pulumi up writes the ConfigMap's manifest into renderYamlToDirectory",
    async () => {
      expect(existsSync(renderDir)).toBe(false);
      ({ outputs, exportText } = await upAndExport(ws, STACK));
      expect(outputs).toEqual({ configMapName: "canton-ha-settings", configMapNamespace: "canton" });
      expect(filesUnder(renderDir)).toEqual([path.relative(renderDir, manifest)]);
      const doc = yaml.load(readFileSync(manifest, "utf8")) as Record<string, any>;
      expect(doc.apiVersion).toBe("v1");
      expect(doc.kind).toBe("ConfigMap");
      expect(doc.metadata.name).toBe("canton-ha-settings");
      expect(doc.metadata.namespace).toBe("canton");
      expect(doc.data).toEqual({ topology: "ha", replicas: "2" });
    },
    STEP,
  );

  it("the state holds the render-mode provider (4.25.0) and the ConfigMap", () => {
    const resources = exportedResources(exportText) as Array<{ urn: string; type: string; inputs?: Record<string, unknown> }>;
    const provider = resources.find((r) => r.type === "pulumi:providers:kubernetes");
    expect(provider?.inputs?.renderYamlToDirectory).toBe(renderDir);
    expect(provider?.inputs?.version).toBe("4.25.0");
    expect(resources.map((r) => r.type)).toContain("kubernetes:core/v1:ConfigMap");
  });

  it(
    "a second pulumi up changes nothing",
    async () => {
      await upExpectingNoChanges(ws, STACK);
    },
    STEP,
  );

  it(
    "pulumi destroy removes the manifest and leaves no resources",
    async () => {
      expect(await destroyAndListLeftovers(ws, STACK)).toEqual([]);
      expect(existsSync(manifest)).toBe(false);
    },
    STEP,
  );
});
