// Engine test of Ledger API auth: canton-ha's Jwks/JwtToken dynamic providers under the real
// CLI, language host and dynamic provider host (bin/, tools/engine/build.sh). The tls and
// random providers cannot be built here (tools/engine/README.md), so the signing chain is made
// with openssl and handed to the fixture as config; the fixture imports the provider modules
// through the library's package name (its compiled dist/). A missing binary fails the tests, never skips them.
import { realpathSync } from "node:fs";
import path from "node:path";
import * as jose from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { derBase64ToPem, makeSigningChain, opensslVerify, type SigningChain } from "../support/auth-support";
import { exportedResources, makeWorkspace, repoRoot, requireEngineBinaries, type Workspace, tearDown } from "./engine";

const STEP = 600_000;
const STACK = "authtest";
const AUD = "https://participant1.canton.local/ledger-api";

describe("auth providers under the real engine", () => {
  let ws: Workspace;
  let chain: SigningChain;
  let first: { tokens: Record<string, string>; jwks: string; issuedAt: Record<string, number> };

  const b64 = (s: string) => Buffer.from(s).toString("base64");
  const up = (extra: string[] = []) => ws.pulumi(["up", "--yes", "--skip-preview", "--non-interactive", "--stack", STACK, ...extra]);
  const config = (key: string, value: string, secret = false) => ws.pulumi(["config", "set", "--stack", STACK, ...(secret ? ["--secret"] : []), key, value]);
  const outputs = async () => JSON.parse((await ws.pulumi(["stack", "output", "--json", "--show-secrets", "--stack", STACK])).stdout);

  beforeAll(async () => {
    requireEngineBinaries(["pulumi", "pulumi-language-nodejs", "pulumi-resource-pulumi-nodejs"]);
    chain = makeSigningChain("participant1", [1, 2]);
    ws = await makeWorkspace("fixture-auth", ["@pulumi/pulumi", "canton-ha", "jose", "zod", "@types/node", "typescript"]);
    // The fixture gets the library by its package name: the compiled components/dist.
    expect(realpathSync(path.join(ws.programDir, "node_modules", "canton-ha"))).toBe(path.join(repoRoot, "components"));
    await ws.pulumi(["stack", "init", STACK, "--non-interactive"]);
    await config("signingChainsB64", b64(chain.leaves[1].chainPem));
    await config("signingKeyB64", b64(chain.leaves[1].keyPem), true);
    await config("lifetimeSeconds", "3600");
    await config("renewalWindowSeconds", "600");
  }, STEP);

  afterAll(() => tearDown(ws, STACK), STEP);

  it(
    "pulumi up mints tokens that verify against the JWKS it publishes",
    async () => {
      await up();
      first = await outputs();
      const set = jose.createLocalJWKSet(JSON.parse(first.jwks));
      const alice = await jose.jwtVerify(first.tokens.alice, set, { audience: AUD, issuer: "engine-test", algorithms: ["RS256"] });
      expect(alice.payload.scope).toBe("daml_ledger_api");
      expect(alice.payload.exp! - alice.payload.iat!).toBe(3600);
      // participant_admin's token carries the audience too: the participant checks it on every token.
      const admin = await jose.jwtVerify(first.tokens.participant_admin, set, { audience: AUD, algorithms: ["RS256"] });
      expect(admin.payload.sub).toBe("participant_admin");
    },
    STEP,
  );

  it("the JWKS x5c chain verifies with openssl", () => {
    const [key] = JSON.parse(first.jwks).keys;
    const [leaf, intermediate, root] = key.x5c.map(derBase64ToPem);
    expect(opensslVerify(leaf, intermediate, root)).toMatch(/: OK$/);
  });

  it(
    "the state holds tokens and the signing key only encrypted",
    async () => {
      const exportText = (await ws.pulumi(["stack", "export", "--stack", STACK])).stdout;
      for (const t of Object.values(first.tokens)) expect(exportText).not.toContain(t);
      expect(exportText).not.toContain("PRIVATE KEY");
      expect(exportText).not.toContain(chain.leaves[1].keyPem.split("\n")[1]);
      const types = exportedResources(exportText).map((r) => r.type);
      expect(types.filter((t) => t === "pulumi-nodejs:dynamic/canton-ha:JwtToken")).toHaveLength(2);
      expect(types).toContain("pulumi-nodejs:dynamic/canton-ha:Jwks");
    },
    STEP,
  );

  it(
    "a second pulumi up inside the validity period is a no-op and keeps the tokens",
    async () => {
      await up(["--expect-no-changes"]);
      expect((await outputs()).tokens).toEqual(first.tokens);
    },
    STEP,
  );

  it(
    "inside the renewal window pulumi up re-mints the tokens",
    async () => {
      // a window of lifetime - 1 s puts the tokens minted above inside it
      await config("renewalWindowSeconds", "3599");
      await new Promise((r) => setTimeout(r, 2_000));
      const preview = await ws.pulumiRaw(["preview", "--non-interactive", "--expect-no-changes", "--stack", STACK]);
      expect(preview.code).not.toBe(0);
      await up();
      const renewed = await outputs();
      expect(renewed.tokens.alice).not.toBe(first.tokens.alice);
      expect(renewed.issuedAt.alice).toBeGreaterThan(first.issuedAt.alice);
      await jose.jwtVerify(renewed.tokens.alice, jose.createLocalJWKSet(JSON.parse(renewed.jwks)), { audience: AUD });
      await config("renewalWindowSeconds", "600");
      await up(["--expect-no-changes"]);
    },
    STEP,
  );

  it(
    "rotation: publishing g2 and signing with it keeps g1 tokens valid during the overlap",
    async () => {
      const before = await outputs();
      await config("signingChainsB64", [chain.leaves[1].chainPem, chain.leaves[2].chainPem].map(b64).join(","));
      await config("signingKeyB64", b64(chain.leaves[2].keyPem), true);
      await up();
      const after = await outputs();
      const set = jose.createLocalJWKSet(JSON.parse(after.jwks));
      expect(JSON.parse(after.jwks).keys).toHaveLength(2);
      await jose.jwtVerify(before.tokens.alice, set, { audience: AUD }); // old token, old key: still accepted
      const fresh = await jose.jwtVerify(after.tokens.alice, set, { audience: AUD });
      expect(fresh.protectedHeader.kid).toBe(JSON.parse(after.jwks).keys[0].kid); // newest key signs
      expect(fresh.protectedHeader.kid).not.toBe(jose.decodeProtectedHeader(before.tokens.alice).kid);
    },
    STEP,
  );
});
