// Test support for the auth tests: real RSA keys and a real 2-tier chain with a JWT signing
// leaf (keyUsage critical digitalSignature), made with the openssl CLI in a temp dir.
// RSA 2048 everywhere to keep it fast; keys live only for the test run.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface SigningChain {
  rootCertPem: string;
  rootKeyPem: string;
  intermediateCertPem: string;
  intermediateKeyPem: string;
  /** Signing leaves by generation: PKCS#8 key, leaf cert, leaf + intermediate + root. */
  leaves: Record<number, { keyPem: string; certPem: string; chainPem: string }>;
}

function openssl(dir: string, args: string[]): void {
  execFileSync("openssl", args, { cwd: dir, stdio: ["ignore", "ignore", "pipe"] });
}

/** A root, an intermediate (pathlen 0) and one signing leaf per generation, for one trust domain. */
export function makeSigningChain(name: string, generations: number[] = [1]): SigningChain {
  const dir = mkdtempSync(join(tmpdir(), `canton-ha-auth-${name}-`));
  try {
    writeFileSync(join(dir, "ca.ext"), "basicConstraints=critical,CA:true,pathlen:0\nkeyUsage=critical,digitalSignature,cRLSign,keyCertSign\nsubjectKeyIdentifier=hash\n");
    writeFileSync(join(dir, "leaf.ext"), "basicConstraints=critical,CA:false\nkeyUsage=critical,digitalSignature\nsubjectKeyIdentifier=hash\n");
    const key = (f: string) => openssl(dir, ["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", f]);
    key("root.key");
    openssl(dir, [
      "req",
      "-x509",
      "-new",
      "-key",
      "root.key",
      "-subj",
      `/CN=${name} Root CA`,
      "-days",
      "30",
      "-sha256",
      "-addext",
      "basicConstraints=critical,CA:true",
      "-addext",
      "keyUsage=critical,digitalSignature,cRLSign,keyCertSign",
      "-out",
      "root.pem",
    ]);
    key("int.key");
    openssl(dir, ["req", "-new", "-key", "int.key", "-subj", `/CN=${name} Intermediate CA`, "-out", "int.csr"]);
    openssl(dir, ["x509", "-req", "-in", "int.csr", "-CA", "root.pem", "-CAkey", "root.key", "-CAcreateserial", "-days", "30", "-sha256", "-extfile", "ca.ext", "-out", "int.pem"]);
    const read = (f: string) => readFileSync(join(dir, f), "utf8");
    const leaves: SigningChain["leaves"] = {};
    for (const g of generations) {
      key(`g${g}.key`);
      openssl(dir, ["req", "-new", "-key", `g${g}.key`, "-subj", `/CN=${name} JWT signing key g${g}`, "-out", `g${g}.csr`]);
      openssl(dir, [
        "x509",
        "-req",
        "-in",
        `g${g}.csr`,
        "-CA",
        "int.pem",
        "-CAkey",
        "int.key",
        "-CAcreateserial",
        "-days",
        "30",
        "-sha256",
        "-extfile",
        "leaf.ext",
        "-out",
        `g${g}.pem`,
      ]);
      const certPem = read(`g${g}.pem`);
      leaves[g] = { keyPem: read(`g${g}.key`), certPem, chainPem: [certPem, read("int.pem"), read("root.pem")].map((p) => p.trim()).join("\n") + "\n" };
    }
    return { rootCertPem: read("root.pem"), rootKeyPem: read("root.key"), intermediateCertPem: read("int.pem"), intermediateKeyPem: read("int.key"), leaves };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `openssl verify` of a leaf against root + untrusted intermediate; returns openssl's output. */
export function opensslVerify(leafPem: string, intermediatePem: string, rootPem: string): string {
  const dir = mkdtempSync(join(tmpdir(), "canton-ha-auth-verify-"));
  try {
    writeFileSync(join(dir, "root.pem"), rootPem);
    writeFileSync(join(dir, "int.pem"), intermediatePem);
    writeFileSync(join(dir, "leaf.pem"), leafPem);
    return execFileSync("openssl", ["verify", "-CAfile", "root.pem", "-untrusted", "int.pem", "leaf.pem"], { cwd: dir, encoding: "utf8" }).trim();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** PEM of a base64 DER certificate (as found in `x5c`). */
export function derBase64ToPem(b64: string): string {
  return `-----BEGIN CERTIFICATE-----\n${b64.match(/.{1,64}/g)!.join("\n")}\n-----END CERTIFICATE-----\n`;
}
