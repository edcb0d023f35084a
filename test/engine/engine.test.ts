// Engine tests: the real Pulumi CLI, language host and provider plugins from
// bin/ (tools/engine/build.sh), run through scripts/pulumi.sh against a
// temporary local backend. Nothing here is mocked. A missing binary makes the
// tests fail, never skip.
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exportedResources, makeWorkspace, requireEngineBinaries, type Workspace } from "./engine";

const execFileP = promisify(execFile);
const STEP = 600_000; // the engine is slow on 2 cores: generous timeouts everywhere
const STACK = "enginetest";

async function upAndExport(ws: Workspace): Promise<{ outputs: Record<string, unknown>; exportText: string }> {
  await ws.pulumi(["up", "--yes", "--skip-preview", "--non-interactive", "--stack", STACK]);
  const out = await ws.pulumi(["stack", "output", "--json", "--show-secrets", "--stack", STACK]);
  const outputs = JSON.parse(out.stdout) as Record<string, unknown>;
  const exp = await ws.pulumi(["stack", "export", "--stack", STACK]);
  return { outputs, exportText: exp.stdout };
}

describe("engine basics: CLI + Node.js language host + dynamic provider", () => {
  let ws: Workspace;
  let outputs: Record<string, unknown>;
  let exportText: string;

  beforeAll(async () => {
    requireEngineBinaries(["pulumi", "pulumi-language-nodejs", "pulumi-resource-pulumi-nodejs"]);
    ws = await makeWorkspace("fixture-dynamic", ["@pulumi/pulumi", "@types/node", "typescript"]);
    await ws.pulumi(["stack", "init", STACK, "--non-interactive"]);
  }, STEP);

  afterAll(async () => {
    if (ws) {
      await ws.pulumiRaw(["destroy", "--yes", "--skip-preview", "--non-interactive", "--stack", STACK]);
      await ws.cleanup();
    }
  }, STEP);

  it("pulumi up creates the resource and a secret output", async () => {
    ({ outputs, exportText } = await upAndExport(ws));
    expect(outputs.tokenLength).toBe(24);
    expect(outputs.apiToken).toMatch(/^[0-9a-f]{48}$/);
  }, STEP);

  it("the state holds the secret only in encrypted form", async () => {
    const token = outputs.apiToken as string;
    expect(exportText).not.toContain(token);
    // the engine did encrypt something (the token, as output and resource output)
    expect(exportText).toContain("4dabf18193072939515e22adb298388d"); // secret signature
    expect(exportedResources(exportText).map((r) => r.type)).toContain("pulumi-nodejs:dynamic:Resource");
  }, STEP);

  it("a second pulumi up changes nothing", async () => {
    await ws.pulumi(["up", "--yes", "--skip-preview", "--non-interactive", "--expect-no-changes", "--stack", STACK]);
  }, STEP);

  it("pulumi destroy leaves no resources", async () => {
    await ws.pulumi(["destroy", "--yes", "--skip-preview", "--non-interactive", "--stack", STACK]);
    const exp = await ws.pulumi(["stack", "export", "--stack", STACK]);
    expect(exportedResources(exp.stdout)).toEqual([]);
  }, STEP);
});

describe("engine with the tls and random providers", () => {
  let ws: Workspace;
  let pemDir: string;
  let outputs: Record<string, unknown>;
  let exportText: string;

  beforeAll(async () => {
    requireEngineBinaries(["pulumi", "pulumi-language-nodejs", "pulumi-resource-tls", "pulumi-resource-random"]);
    ws = await makeWorkspace("fixture", ["@pulumi/pulumi", "@pulumi/tls", "@pulumi/random", "@types/node", "typescript"]);
    pemDir = await mkdtemp(path.join(tmpdir(), "canton-ha-engine-pem-"));
    await ws.pulumi(["stack", "init", STACK, "--non-interactive"]);
  }, STEP);

  afterAll(async () => {
    if (ws) {
      await ws.pulumiRaw(["destroy", "--yes", "--skip-preview", "--non-interactive", "--stack", STACK]);
      await ws.cleanup();
    }
    if (pemDir) await rm(pemDir, { recursive: true, force: true });
  }, STEP);

  it("pulumi up creates real keys, certificates and a password", async () => {
    ({ outputs, exportText } = await upAndExport(ws));
    for (const k of ["rootCertPem", "intermediateCertPem", "leafCertPem"]) {
      expect(outputs[k]).toMatch(/^-----BEGIN CERTIFICATE-----\n/);
    }
    for (const k of ["rootKeyPem", "intermediateKeyPem", "leafKeyPem"]) {
      expect(outputs[k]).toMatch(/-----BEGIN (RSA |EC )?PRIVATE KEY-----\n/);
    }
    expect(outputs.adminPassword).toEqual(expect.any(String));
    expect((outputs.adminPassword as string).length).toBe(32);
  }, STEP);

  it("pulumi stack export has no private key or password in plaintext", async () => {
    expect(exportText).not.toContain("PRIVATE KEY");
    const secrets = ["rootKeyPem", "intermediateKeyPem", "leafKeyPem", "adminPassword"].map((k) => outputs[k] as string);
    for (const secret of secrets) {
      expect(exportText).not.toContain(secret);
      // also the PEM body alone, in case it were stored re-wrapped or escaped
      const body = secret.split("\n").filter((l) => l && !l.startsWith("-----")).join("");
      expect(exportText.replace(/\\n|\s/g, "")).not.toContain(body);
    }
    // JSON-escaped forms (newlines as \n) too
    for (const secret of secrets) expect(exportText).not.toContain(JSON.stringify(secret).slice(1, -1));
    const types = exportedResources(exportText).map((r) => r.type);
    expect(types).toEqual(expect.arrayContaining(["tls:index/privateKey:PrivateKey", "random:index/randomPassword:RandomPassword"]));
  }, STEP);

  it("the certificates verify against the chain with openssl", async () => {
    const root = path.join(pemDir, "root.pem");
    const intermediate = path.join(pemDir, "intermediate.pem");
    const leaf = path.join(pemDir, "leaf.pem");
    await writeFile(root, outputs.rootCertPem as string);
    await writeFile(intermediate, outputs.intermediateCertPem as string);
    await writeFile(leaf, outputs.leafCertPem as string);
    const { stdout } = await execFileP("openssl", ["verify", "-CAfile", root, "-untrusted", intermediate, leaf]);
    expect(stdout.trim()).toBe(`${leaf}: OK`);
    // and the leaf does not verify against the root alone
    await expect(execFileP("openssl", ["verify", "-CAfile", root, leaf])).rejects.toThrow();
  }, STEP);

  it("a second pulumi up changes nothing", async () => {
    await ws.pulumi(["up", "--yes", "--skip-preview", "--non-interactive", "--expect-no-changes", "--stack", STACK]);
  }, STEP);

  it("pulumi destroy leaves no resources", async () => {
    await ws.pulumi(["destroy", "--yes", "--skip-preview", "--non-interactive", "--stack", STACK]);
    const exp = await ws.pulumi(["stack", "export", "--stack", STACK]);
    expect(exportedResources(exp.stdout)).toEqual([]);
  }, STEP);
});
