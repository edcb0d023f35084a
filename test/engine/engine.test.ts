// Engine tests: the real Pulumi CLI, language host and provider plugins from
// bin/ (tools/engine/build.sh), run through scripts/pulumi.sh against a
// temporary local backend. Nothing here is mocked. A missing binary makes the
// tests fail, never skip.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exportedResources, makeWorkspace, requireEngineBinaries, type Workspace, upAndExport, upExpectingNoChanges, destroyAndListLeftovers, tearDown } from "./engine";

const STEP = 600_000; // the engine is slow on 2 cores: generous timeouts everywhere
const STACK = "enginetest";

describe("engine basics: CLI + Node.js language host + dynamic provider", () => {
  let ws: Workspace;
  let outputs: Record<string, unknown>;
  let exportText: string;

  beforeAll(async () => {
    requireEngineBinaries(["pulumi", "pulumi-language-nodejs", "pulumi-resource-pulumi-nodejs"]);
    ws = await makeWorkspace("fixture-dynamic", ["@pulumi/pulumi", "@types/node", "typescript"]);
    await ws.pulumi(["stack", "init", STACK, "--non-interactive"]);
  }, STEP);

  afterAll(() => tearDown(ws, STACK), STEP);

  it(
    "pulumi up creates the resource and a secret output",
    async () => {
      ({ outputs, exportText } = await upAndExport(ws, STACK));
      expect(outputs.tokenLength).toBe(24);
      expect(outputs.apiToken).toMatch(/^[0-9a-f]{48}$/);
    },
    STEP,
  );

  it(
    "the state holds the secret only in encrypted form",
    async () => {
      const token = outputs.apiToken as string;
      expect(exportText).not.toContain(token);
      // the engine did encrypt something (the token, as output and resource output)
      expect(exportText).toContain("4dabf18193072939515e22adb298388d"); // secret signature
      expect(exportedResources(exportText).map((r) => r.type)).toContain("pulumi-nodejs:dynamic:Resource");
    },
    STEP,
  );

  it(
    "a second pulumi up changes nothing",
    async () => {
      await upExpectingNoChanges(ws, STACK);
    },
    STEP,
  );

  it(
    "pulumi destroy leaves no resources",
    async () => {
      expect(await destroyAndListLeftovers(ws, STACK)).toEqual([]);
    },
    STEP,
  );
});
