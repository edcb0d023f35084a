// The canton-ha program under the real engine. Provider plugins cannot be built here
// (tools/engine/README.md), but config validation runs before any resource exists, so the
// engine can show what an operator sees for bad input: one clear error, nothing created.
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exportedResources, makeProgramWorkspace, requireEngineBinaries, type Workspace } from "./engine";

const STEP = 600_000;
const STACK = "badconfig";

describe("the canton-ha program under the real engine: bad config", () => {
  let ws: Workspace;

  beforeAll(async () => {
    requireEngineBinaries(["pulumi", "pulumi-language-nodejs"]);
    ws = await makeProgramWorkspace();
    await ws.pulumi(["stack", "init", STACK, "--non-interactive"]);
    // Written as an operator would with `pulumi config set`, into the stack's own file.
    await writeFile(
      path.join(ws.programDir, `Pulumi.${STACK}.yaml`),
      [
        "config:",
        "  canton-ha:haMode: active-active",
        "  canton-ha:domain:",
        "    sequencers: 4",
        "    totalNodeCount: 3",
        "  canton-ha:participants:",
        "    - name: participant1",
        "      replica: 2",
        "",
      ].join("\n"),
    );
  }, STEP);

  afterAll(async () => {
    await ws?.cleanup();
  });

  it(
    "pulumi preview fails with every problem named, and no stack trace",
    async () => {
      const r = await ws.pulumiRaw(["preview", "--non-interactive", "--stack", STACK], { timeoutMs: STEP });
      const text = r.stdout + r.stderr;
      expect(r.code).not.toBe(0);
      expect(text).toContain("Invalid stack configuration (2 problems)");
      expect(text).toContain("canton-ha:haMode: must be one of 'clientside', 'loadbalancer', got \"active-active\"");
      expect(text).toContain("canton-ha:participants[0]: unknown key 'replica'; allowed here: name, dnsDomain, replicas");
      expect(text).toContain("pulumi config set --path");
      expect(text).not.toMatch(/at \S+ \(.*components\/config\.ts:\d+/); // RunError: no stack trace
    },
    STEP,
  );

  it(
    "pulumi up creates nothing",
    async () => {
      const r = await ws.pulumiRaw(["up", "--yes", "--skip-preview", "--non-interactive", "--stack", STACK], { timeoutMs: STEP });
      expect(r.code).not.toBe(0);
      const exp = await ws.pulumi(["stack", "export", "--stack", STACK]);
      // At most the stack resource itself; no certificate, password or container.
      expect(exportedResources(exp.stdout).filter((x) => x.type !== "pulumi:pulumi:Stack")).toEqual([]);
    },
    STEP,
  );

  it(
    "a cross-field problem is reported once the basic ones are fixed",
    async () => {
      await writeFile(path.join(ws.programDir, `Pulumi.${STACK}.yaml`), ["config:", "  canton-ha:domain:", "    sequencers: 4", "    totalNodeCount: 3", ""].join("\n"));
      const r = await ws.pulumiRaw(["preview", "--non-interactive", "--stack", STACK], { timeoutMs: STEP });
      expect(r.code).not.toBe(0);
      expect(r.stdout + r.stderr).toContain("canton-ha:domain.sequencers: is 4 but domain.totalNodeCount is 3");
    },
    STEP,
  );
});
