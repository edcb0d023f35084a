// The canton-ha program itself under the real engine: `pulumi up` of a stack that brings its
// own PKI (`pki.source: files`, made with openssl by the test) and its database passwords
// (secret config), on the `none` platform. Such a stack needs no provider plugin beyond the
// Node.js dynamic one, so it runs here end to end: up, state scanned for secrets, outputs
// checked against the files with openssl, a no-op second up, one leaf replaced, destroy.
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "../../components/config";
import { buildPlan } from "../../components/plan/build";
import type { Plan } from "../../components/plan/types";
import { rawExactly } from "../support/fixtures";
import { defects, makeFilesPki, type FilesPki } from "../support/pki-files";
import { exportedResources, makeProgramWorkspace, requireEngineBinaries, tearDown, type Workspace } from "./engine";

const STEP = 600_000;
const STACK = "byo";

const config = {
  platform: "none",
  pki: { source: "files", directory: "PKI_DIR" },
  postgres: { passwords: "config" },
  participants: [
    { name: "participant1", replicas: 2, users: ["alice"] },
    { name: "participant2", replicas: 1, users: ["bob"] },
  ],
};

/** The stack file, as an operator writes it (the passwords go in with `config set --secret`). */
function stackYaml(dir: string): string {
  const withDir = JSON.stringify(config).replace("PKI_DIR", dir);
  const entries = Object.entries(JSON.parse(withDir) as Record<string, unknown>).map(([k, v]) => `  canton-ha:${k}: ${JSON.stringify(v)}`);
  return ["config:", ...entries, ""].join("\n");
}

function outputsOf(ws: Workspace) {
  return ws.pulumi(["stack", "output", "--json", "--show-secrets", "--stack", STACK]).then((r) => JSON.parse(r.stdout) as Record<string, any>);
}

describe("the canton-ha program under the real engine: own PKI, passwords from config, platform none", () => {
  let ws: Workspace;
  let plan: Plan;
  let files: FilesPki;
  const passwords: string[] = [];

  beforeAll(async () => {
    requireEngineBinaries(["pulumi", "pulumi-language-nodejs", "pulumi-resource-pulumi-nodejs"]);
    ws = await makeProgramWorkspace();
    const dir = path.join(ws.programDir, "pki");
    plan = buildPlan(parseConfig(rawExactly(JSON.parse(JSON.stringify(config).replace("PKI_DIR", dir)))), STACK);
    files = await makeFilesPki(plan, { dir });
    await ws.pulumi(["stack", "init", STACK, "--non-interactive"]);
    writeFileSync(path.join(ws.programDir, `Pulumi.${STACK}.yaml`), stackYaml(dir));
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
    "pulumi up succeeds, with no tls, random or docker resource in the stack",
    async () => {
      await ws.pulumi(["up", "--yes", "--skip-preview", "--non-interactive", "--stack", STACK]);
      const exp = await ws.pulumi(["stack", "export", "--stack", STACK]);
      const types = new Set(exportedResources(exp.stdout).map((r) => r.type));
      expect([...types].filter((t) => /^(tls|random|docker):/.test(t) || /^pulumi:providers:(tls|random|docker)$/.test(t))).toEqual([]);
      expect(types).toContain("canton-ha:participant:Participant");
      expect(types).toContain("pulumi-nodejs:dynamic/canton-ha:JwtToken");
    },
    STEP,
  );

  it(
    "keeps no private key, password or token in plain text in the state",
    async () => {
      const exp = (await ws.pulumi(["stack", "export", "--stack", STACK])).stdout;
      expect(exp).not.toMatch(/-----BEGIN [A-Z ]*PRIVATE KEY-----/);
      for (const pw of passwords) expect(exp, "a database password").not.toContain(pw);
      const out = await outputsOf(ws);
      const tokens = Object.values(out.tokens as Record<string, Record<string, string>>).flatMap((byUser) => Object.values(byUser));
      expect(tokens.length).toBe(4); // alice, bob, and each participant's participant_admin
      for (const t of tokens) expect(exp, "a token").not.toContain(t.split(".")[2]);
    },
    STEP,
  );

  it(
    "outputs the files' certificates, which verify with openssl, and the rendered configs",
    async () => {
      const out = await outputsOf(ws);
      for (const td of plan.trustDomains) {
        const chain = readFileSync(files.caChain(td.id), "utf8");
        expect(out.caChains[td.id].trim()).toBe(chain.trim());
        const admin = readFileSync(files.leaf(td.id, "admin-api").crt, "utf8");
        expect(out.adminClients[td.id].certChainPem.startsWith(admin.trim())).toBe(true);
        const leafFile = path.join(ws.dir, `${td.id}-admin.pem`);
        writeFileSync(leafFile, admin);
        const root = path.join(ws.dir, `${td.id}-root.pem`);
        writeFileSync(root, out.rootCertificates[td.id]);
        const verified = execFileSync("openssl", ["verify", "-CAfile", root, "-untrusted", files.caChain(td.id), leafFile], { encoding: "utf8" });
        expect(verified.trim()).toBe(`${leafFile}: OK`);
      }
      // The JWKS publishes the files' signing certificate.
      const jwtCert = readFileSync(files.leaf("participant1", "jwt-signing-g1").crt, "utf8");
      const x5c = out.jwks.participant1.keys[0].x5c[0] as string;
      expect(jwtCert.replace(/-----[A-Z ]+-----|\s/g, "")).toBe(x5c);
      // Every node's HOCON, for deployment by other means.
      expect(Object.keys(out.configs).sort()).toEqual(
        ["domain-manager", "mediator1", "mediator2", "participant1-1", "participant1-2", "participant2-1", "sequencer1", "sequencer2"].sort(),
      );
      expect(out.configs["participant1-2"]).toContain('databaseName = "participant1"');
    },
    STEP,
  );

  it(
    "a second pulumi up changes nothing",
    async () => {
      await ws.pulumi(["up", "--yes", "--skip-preview", "--non-interactive", "--expect-no-changes", "--stack", STACK]);
    },
    STEP,
  );

  it(
    "a replaced leaf (participant1's JWT signing key) changes exactly what depends on it",
    async () => {
      await files.apply("participant1", "jwt-signing-g1", defects.weakKey(2048)); // a new RSA 2048 key and certificate
      const r = await ws.pulumi(["preview", "--json", "--non-interactive", "--stack", STACK]);
      const steps = (JSON.parse(r.stdout).steps ?? []) as Array<{ op: string; urn: string }>;
      const changed = steps.filter((s) => s.op !== "same").map((s) => `${s.op} ${s.urn.split("::").pop()}`);
      expect(changed.sort()).toEqual(["update participant1-jwks", "update participant1-token-alice", "update participant1-token-participant_admin"]);
      await ws.pulumi(["up", "--yes", "--skip-preview", "--non-interactive", "--stack", STACK]);
      const out = await outputsOf(ws);
      const x5c = out.jwks.participant1.keys[0].x5c[0] as string;
      expect(readFileSync(files.leaf("participant1", "jwt-signing-g1").crt, "utf8").replace(/-----[A-Z ]+-----|\s/g, "")).toBe(x5c);
    },
    STEP,
  );

  it(
    "pulumi destroy leaves an empty stack",
    async () => {
      await ws.pulumi(["destroy", "--yes", "--skip-preview", "--non-interactive", "--stack", STACK]);
      const exp = await ws.pulumi(["stack", "export", "--stack", STACK]);
      expect(exportedResources(exp.stdout).filter((x) => x.type !== "pulumi:pulumi:Stack")).toEqual([]);
    },
    STEP,
  );
});
