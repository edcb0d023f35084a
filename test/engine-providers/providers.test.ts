// Engine tests that need the tls and random provider plugins. The module proxy these
// machines use refuses every version of those provider modules (tools/engine/README.md),
// so scripts/test.sh runs this file only when bin/ holds the plugins and says loudly
// when it cannot. Run it alone with `npm run test:engine:providers`.
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exportedResources, makeWorkspace, requireEngineBinaries, type Workspace, upAndExport, upExpectingNoChanges, destroyAndListLeftovers, tearDown } from "../engine/engine";

const execFileP = promisify(execFile);
const STEP = 600_000; // the engine is slow on 2 cores: generous timeouts everywhere
const STACK = "enginetest";

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
        await tearDown(ws, STACK);
        if (pemDir) await rm(pemDir, { recursive: true, force: true });
    }, STEP);

    it(
        "pulumi up creates real keys, certificates and a password",
        async () => {
            ({ outputs, exportText } = await upAndExport(ws, STACK));
            for (const k of ["rootCertPem", "intermediateCertPem", "leafCertPem"]) {
                expect(outputs[k]).toMatch(/^-----BEGIN CERTIFICATE-----\n/);
            }
            for (const k of ["rootKeyPem", "intermediateKeyPem", "leafKeyPem"]) {
                expect(outputs[k]).toMatch(/-----BEGIN (RSA |EC )?PRIVATE KEY-----\n/);
            }
            expect(outputs.adminPassword).toEqual(expect.any(String));
            expect((outputs.adminPassword as string).length).toBe(32);
        },
        STEP,
    );

    it(
        "pulumi stack export has no private key or password in plaintext",
        async () => {
            expect(exportText).not.toContain("PRIVATE KEY");
            const secrets = ["rootKeyPem", "intermediateKeyPem", "leafKeyPem", "adminPassword"].map((k) => outputs[k] as string);
            for (const secret of secrets) {
                expect(exportText).not.toContain(secret);
                // also the PEM body alone, in case it were stored re-wrapped or escaped
                const body = secret
                    .split("\n")
                    .filter((l) => l && !l.startsWith("-----"))
                    .join("");
                expect(exportText.replace(/\\n|\s/g, "")).not.toContain(body);
            }
            // JSON-escaped forms (newlines as \n) too
            for (const secret of secrets) expect(exportText).not.toContain(JSON.stringify(secret).slice(1, -1));
            const types = exportedResources(exportText).map((r) => r.type);
            expect(types).toEqual(expect.arrayContaining(["tls:index/privateKey:PrivateKey", "random:index/randomPassword:RandomPassword"]));
        },
        STEP,
    );

    it(
        "the certificates verify against the chain with openssl",
        async () => {
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
