// The files-PKI generator (test/support/pki-files.ts, scripts/lib/pki-openssl.ts) checked with
// the real openssl CLI: a generated directory is complete and in the reference profile, and
// every defect helper produces its defect (and only it), so tests of the loader can trust them.
import { spawnSync } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "../../components/config";
import { buildPlan } from "../../components/plan/build";
import type { Plan } from "../../components/plan/types";
import { requireBinary } from "./binaries";
import { devPlan, raw } from "./fixtures";
import { defects, makeFilesPki, variants, type FilesPki, type Leaf } from "./pki-files";
import { PKCS1_KEY_HEADER, PKCS8_KEY_HEADER } from "./mocks";

const OPENSSL = requireBinary("openssl");

function run(args: string[]): { code: number; out: string } {
  const r = spawnSync(OPENSSL, args, { encoding: "utf8" });
  return { code: r.status ?? -1, out: `${r.stdout}${r.stderr}` };
}

const verify = (chain: string, crt: string, ...extra: string[]) => run(["verify", ...extra, "-CAfile", chain, crt]);
const checkHost = (crt: string, name: string) => run(["x509", "-in", crt, "-noout", "-checkhost", name]).out;
const checkIp = (crt: string, ip: string) => run(["x509", "-in", crt, "-noout", "-checkip", ip]).out;
const extensions = (crt: string) => run(["x509", "-in", crt, "-noout", "-ext", "basicConstraints,keyUsage,extendedKeyUsage"]).out;
const certPublicKey = (crt: string) => run(["x509", "-in", crt, "-noout", "-pubkey"]).out;
const keyPublicKey = (key: string, ...extra: string[]) => run(["pkey", ...extra, "-in", key, "-pubout"]).out;
const pemBlocks = (file: string): string[] => Array.from(fs.readFileSync(file, "utf8").matchAll(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g), (m) => m[0]);
const x509 = (file: string) => new crypto.X509Certificate(fs.readFileSync(file));
const rsaBits = (k: crypto.KeyObject) => k.asymmetricKeyDetails?.modulusLength;

/** The leaf is valid in every way the defects break (each defect test expects exactly one of these to fail). */
function expectValid(pki: FilesPki, leaf: Leaf): void {
  expect(verify(pki.caChain(leaf.trustDomain.id), leaf.crt).code).toBe(0);
  expect(keyPublicKey(leaf.key)).toBe(certPublicKey(leaf.crt));
  expect(rsaBits(x509(leaf.crt).publicKey)).toBe(2048);
  const c = x509(leaf.crt);
  expect(new Date(c.validTo).getTime()).toBeGreaterThan(Date.now() + 24 * 3_600_000);
}

let pki: FilesPki;
let plan: Plan;
let generationMs = 0;

beforeAll(async () => {
  plan = devPlan();
  const t0 = Date.now();
  pki = await makeFilesPki(plan);
  generationMs = Date.now() - t0;
  console.log(`makeFilesPki(devPlan()): ${plan.trustDomains.reduce((n, td) => n + td.certificates.length, 0)} leaves in ${generationMs} ms`);
});

afterAll(() => pki?.remove());

describe("makeFilesPki: a complete files directory in the reference profile", () => {
  it("has exactly ca-chain.pem and <id>.crt/.key per certificate of each trust domain, and no CA key", () => {
    expect(fs.readdirSync(pki.dir).sort()).toEqual(plan.trustDomains.map((td) => td.id).sort());
    for (const td of plan.trustDomains) {
      const expected = ["ca-chain.pem", ...td.certificates.flatMap((c) => [`${c.id}.crt`, `${c.id}.key`])].sort();
      expect(fs.readdirSync(path.join(pki.dir, td.id)).sort(), td.id).toEqual(expected);
    }
    // the dev plan's ids, as docs/pki-files.md lists them
    const ids = (td: string) => plan.trustDomains.find((t) => t.id === td)!.certificates.map((c) => c.id);
    expect(ids("domain")).toEqual(
      expect.arrayContaining(["admin-api", "sequencer1", "sequencer2", "mediator1", "mediator2", "domain-manager", "domain-db", "db-sequencer", "db-mediator", "db-domain"]),
    );
    expect(ids("participant1")).toEqual(expect.arrayContaining(["admin-api", "participant1-1", "participant1-2", "participant1-db", "db-participant1", "jwt-signing-g1"]));
  });

  it("ca-chain.pem: the intermediate (RSA 4096, 10 y, pathlen:0) first, then its root (RSA 4096, 20 y)", () => {
    for (const td of plan.trustDomains) {
      const blocks = pemBlocks(pki.caChain(td.id));
      expect(blocks, td.id).toHaveLength(2);
      const [intermediate, root] = blocks.map((b) => new crypto.X509Certificate(b));
      expect(intermediate.subject.split("\n").sort()).toEqual([`CN=${td.id} Intermediate CA`, `O=${td.organization}`, `OU=${td.id}`]);
      expect(root.subject.split("\n").sort()).toEqual([`CN=${td.id} Root CA`, `O=${td.organization}`, `OU=${td.id}`]);
      expect(intermediate.checkIssued(root)).toBe(true);
      expect(intermediate.verify(root.publicKey)).toBe(true);
      expect(root.verify(root.publicKey)).toBe(true);
      expect([rsaBits(intermediate.publicKey), rsaBits(root.publicKey)]).toEqual([4096, 4096]);
      const years = (c: crypto.X509Certificate) => Math.round((Date.parse(c.validTo) - Date.parse(c.validFrom)) / (365 * 24 * 3_600_000));
      expect([years(intermediate), years(root)]).toEqual([10, 20]);
      const dir = fs.mkdtempSync(path.join(pki.dir, "..", "chain-"));
      fs.writeFileSync(path.join(dir, "i.pem"), blocks[0]);
      fs.writeFileSync(path.join(dir, "r.pem"), blocks[1]);
      expect(extensions(path.join(dir, "i.pem"))).toMatch(/Basic Constraints: critical\s+CA:TRUE, pathlen:0/);
      expect(extensions(path.join(dir, "r.pem"))).toMatch(/Basic Constraints: critical\s+CA:TRUE\s/);
      expect(extensions(path.join(dir, "i.pem"))).toMatch(/Key Usage: critical\s+Digital Signature, Certificate Sign, CRL Sign/);
      fs.rmSync(dir, { recursive: true });
    }
  });

  it("every leaf verifies against its trust domain's ca-chain.pem (and not against another's)", () => {
    for (const td of plan.trustDomains) {
      const other = plan.trustDomains.find((t) => t.id !== td.id)!;
      for (const c of td.certificates) {
        const leaf = pki.leaf(td.id, c.id);
        const ok = verify(pki.caChain(td.id), leaf.crt);
        expect(ok, `${td.id}/${c.id}: ${ok.out}`).toMatchObject({ code: 0 });
        expect(ok.out).toContain(": OK");
        expect(verify(pki.caChain(other.id), leaf.crt).code, `${td.id}/${c.id} against ${other.id}`).not.toBe(0);
      }
    }
  });

  it("every key is PKCS#8 PEM, RSA 2048, mode 0600, and matches its certificate", () => {
    for (const td of plan.trustDomains) {
      for (const c of td.certificates) {
        const leaf = pki.leaf(td.id, c.id);
        const keyPem = fs.readFileSync(leaf.key, "utf8");
        expect(keyPem.startsWith(PKCS8_KEY_HEADER), `${td.id}/${c.id}`).toBe(true);
        expect(fs.statSync(leaf.key).mode & 0o777).toBe(0o600);
        expect(rsaBits(crypto.createPrivateKey(keyPem))).toBe(2048);
        expect(keyPublicKey(leaf.key)).toBe(certPublicKey(leaf.crt));
        expect(pemBlocks(leaf.crt)).toHaveLength(1);
      }
    }
  });

  it("subject CN/O/OU and validity are the plan's", () => {
    for (const td of plan.trustDomains) {
      for (const c of td.certificates) {
        const cert = x509(pki.leaf(td.id, c.id).crt);
        expect(cert.subject.split("\n").sort(), `${td.id}/${c.id}`).toEqual([`CN=${c.commonName}`, `O=${td.organization}`, `OU=${td.id}`]);
        expect(Date.parse(cert.validTo) - Date.parse(cert.validFrom)).toBe(td.leafValidityHours * 3_600_000);
        expect(Math.abs(Date.parse(cert.validFrom) - Date.now())).toBeLessThan(10 * 60_000);
        expect(cert.checkIssued(new crypto.X509Certificate(pemBlocks(pki.caChain(td.id))[0]))).toBe(true);
      }
    }
  });

  it("server certificates: serverAuth, digitalSignature+keyEncipherment, every planned DNS name and IP and nothing else", () => {
    const servers = plan.trustDomains.flatMap((td) => td.certificates.filter((c) => c.usage === "server").map((c) => ({ td, c })));
    expect(servers.length).toBeGreaterThanOrEqual(10);
    for (const { td, c } of servers) {
      const leaf = pki.leaf(td.id, c.id);
      const where = `${td.id}/${c.id}`;
      expect(c.dnsNames.length, where).toBeGreaterThan(0);
      for (const name of c.dnsNames) expect(checkHost(leaf.crt, name), where).toContain(`Hostname ${name} does match certificate`);
      for (const ip of c.ipAddresses) expect(checkIp(leaf.crt, ip), where).toContain(`IP ${ip} does match certificate`);
      expect(checkHost(leaf.crt, "not-planned.canton.invalid")).toContain("does NOT match certificate");
      expect(checkIp(leaf.crt, "192.0.2.1")).toContain("does NOT match certificate");
      const sans = x509(leaf.crt).subjectAltName!.split(", ").sort();
      expect(sans, where).toEqual([...c.dnsNames.map((d) => `DNS:${d}`), ...c.ipAddresses.map((i) => `IP Address:${i}`)].sort());
      const ext = extensions(leaf.crt);
      expect(ext).toMatch(/Key Usage: critical\s+Digital Signature, Key Encipherment\n/);
      expect(ext).toMatch(/Extended Key Usage:\s+TLS Web Server Authentication\n/);
      expect(ext).toMatch(/Basic Constraints:\s+CA:FALSE/);
      expect(verify(pki.caChain(td.id), leaf.crt, "-purpose", "sslserver").code, where).toBe(0);
      expect(verify(pki.caChain(td.id), leaf.crt, "-purpose", "sslclient").code, where).not.toBe(0);
    }
  });

  it("client certificates: clientAuth only, no SANs; signing certificates: keyUsage critical digitalSignature only, no EKU", () => {
    const leaves = plan.trustDomains.flatMap((td) => td.certificates.filter((c) => c.usage !== "server").map((c) => ({ td, c })));
    expect(leaves.filter((l) => l.c.usage === "signing").map((l) => `${l.td.id}/${l.c.id}`)).toEqual(["participant1/jwt-signing-g1", "participant2/jwt-signing-g1"]);
    for (const { td, c } of leaves) {
      const leaf = pki.leaf(td.id, c.id);
      const ext = extensions(leaf.crt);
      expect(x509(leaf.crt).subjectAltName, c.id).toBeUndefined();
      if (c.usage === "client") {
        expect(ext).toMatch(/Key Usage: critical\s+Digital Signature, Key Encipherment\n/);
        expect(ext).toMatch(/Extended Key Usage:\s+TLS Web Client Authentication\n/);
        expect(verify(pki.caChain(td.id), leaf.crt, "-purpose", "sslclient").code).toBe(0);
        expect(verify(pki.caChain(td.id), leaf.crt, "-purpose", "sslserver").code).not.toBe(0);
      } else {
        expect(ext).toMatch(/Key Usage: critical\s+Digital Signature\n/);
        expect(ext).not.toContain("Extended Key Usage");
      }
    }
  });

  it("the database client certificates' CN is the database user", () => {
    let checked = 0;
    for (const server of plan.databaseServers) {
      for (const db of server.databases) {
        const cert = db.clientCert;
        if (!cert) continue;
        expect(x509(pki.leaf(server.trustDomain.id, cert.id).crt).subject).toContain(`CN=${db.user}`);
        checked++;
      }
    }
    expect(checked).toBe(5); // sequencer, mediator, domain, participant1, participant2
  });
});

describe("defects: each produces its defect and nothing else", () => {
  let copy: FilesPki;
  beforeAll(() => {
    copy = pki.clone();
  });
  afterAll(() => copy?.remove());

  it("clone() copies the directory; breaking the copy leaves the original valid", async () => {
    await copy.apply("domain", "domain-manager", defects.missing("crt"));
    expect(fs.existsSync(copy.leaf("domain", "domain-manager").crt)).toBe(false);
    expectValid(pki, pki.leaf("domain", "domain-manager"));
  });

  it("missingSan(name): that DNS name no longer matches, the others still do", async () => {
    const leaf = await copy.apply("domain", "sequencer1", defects.missingSan("localhost"));
    expect(checkHost(leaf.crt, "localhost")).toContain("does NOT match");
    for (const name of leaf.plan.dnsNames.filter((d) => d !== "localhost")) expect(checkHost(leaf.crt, name)).toContain("does match");
    for (const ip of leaf.plan.ipAddresses) expect(checkIp(leaf.crt, ip)).toContain("does match");
    expectValid(copy, leaf);
  });

  it("missingSan() drops the FQDN (the CN); missingSan(ip) drops an IP; an unknown SAN is an error", async () => {
    const fqdn = await copy.apply("domain", "sequencer2", defects.missingSan());
    expect(checkHost(fqdn.crt, fqdn.plan.commonName)).toContain("does NOT match");
    expect(checkHost(fqdn.crt, "localhost")).toContain("does match");
    const ip = await copy.apply("domain", "mediator2", defects.missingSan("127.0.0.1"));
    expect(checkIp(ip.crt, "127.0.0.1")).toContain("does NOT match");
    expect(checkHost(ip.crt, ip.plan.commonName)).toContain("does match");
    expectValid(copy, ip);
    await expect(copy.apply("domain", "mediator2", defects.missingSan("nope.invalid"))).rejects.toThrow(/has no SAN 'nope.invalid'/);
  });

  it("mismatchedKey: the key is another RSA 2048 key; the certificate still verifies", async () => {
    const leaf = await copy.apply("participant1", "admin-api", defects.mismatchedKey());
    expect(keyPublicKey(leaf.key)).not.toBe(certPublicKey(leaf.crt));
    expect(keyPublicKey(pki.leaf("participant1", "admin-api").key)).toBe(certPublicKey(leaf.crt));
    expect(verify(copy.caChain("participant1"), leaf.crt).code).toBe(0);
    expect(rsaBits(crypto.createPrivateKey(fs.readFileSync(leaf.key)))).toBe(2048);
    expect(fs.statSync(leaf.key).mode & 0o777).toBe(0o600);
  }, 120_000);

  it("foreignIssuer: the chain does not verify; the same leaf verifies against the foreign CA", async () => {
    const leaf = await copy.apply("domain", "domain-db", defects.foreignIssuer());
    const bad = verify(copy.caChain("domain"), leaf.crt);
    expect(bad.code).not.toBe(0);
    expect(bad.out).toMatch(/unable to get local issuer certificate/);
    expect(verify((await leaf.foreignCa()).chain, leaf.crt).code).toBe(0);
    expect(keyPublicKey(leaf.key)).toBe(certPublicKey(leaf.crt));
    for (const name of leaf.plan.dnsNames) expect(checkHost(leaf.crt, name)).toContain("does match");
  }, 120_000);

  it("wrongEku: serverAuth on a client certificate; it no longer passes as a TLS client", async () => {
    const leaf = await copy.apply("domain", "db-sequencer", defects.wrongEku());
    expect(extensions(leaf.crt)).toMatch(/Extended Key Usage:\s+TLS Web Server Authentication\n/);
    expect(verify(copy.caChain("domain"), leaf.crt, "-purpose", "sslclient").code).not.toBe(0);
    expect(verify(copy.caChain("domain"), leaf.crt, "-purpose", "sslserver").code).toBe(0);
    expectValid(copy, leaf);
  });

  it("wrongKeyUsage: by default a signing key that may sign certificates, a server without keyEncipherment, a client without digitalSignature", async () => {
    const signing = await copy.apply("participant2", "jwt-signing-g1", defects.wrongKeyUsage());
    expect(extensions(signing.crt)).toMatch(/Key Usage: critical\s+Digital Signature, Certificate Sign\n/);
    expectValid(copy, signing);
    const server = await copy.apply("participant2", "participant2-db", defects.wrongKeyUsage());
    expect(extensions(server.crt)).toMatch(/Key Usage: critical\s+Digital Signature\n/);
    expect(extensions(server.crt)).toMatch(/Extended Key Usage:\s+TLS Web Server Authentication\n/);
    expectValid(copy, server);
    const client = await copy.apply("domain", "admin-api", defects.wrongKeyUsage());
    expect(extensions(client.crt)).toMatch(/Key Usage: critical\s+Key Encipherment\n/);
    expectValid(copy, client);
    const explicit = await copy.apply("domain", "admin-api", defects.wrongKeyUsage(["digitalSignature", "keyEncipherment", "keyCertSign"]));
    expect(extensions(explicit.crt)).toMatch(/Key Usage: critical\s+Digital Signature, Key Encipherment, Certificate Sign\n/);
  });

  it("weakKey: an RSA 1024 key with a matching, verifying certificate", async () => {
    const leaf = await copy.apply("participant2", "participant2-1", defects.weakKey());
    expect(rsaBits(crypto.createPrivateKey(fs.readFileSync(leaf.key)))).toBe(1024);
    expect(rsaBits(x509(leaf.crt).publicKey)).toBe(1024);
    expect(keyPublicKey(leaf.key)).toBe(certPublicKey(leaf.crt));
    expect(verify(copy.caChain("participant2"), leaf.crt).code).toBe(0);
    expect(checkHost(leaf.crt, leaf.plan.commonName)).toContain("does match");
  });

  it("expired: notAfter in the past; verifies when time is not checked; same key", async () => {
    const before = keyPublicKey(copy.leaf("domain", "mediator1").key);
    const leaf = await copy.apply("domain", "mediator1", defects.expired());
    const cert = x509(leaf.crt);
    expect(Date.parse(cert.validTo)).toBeLessThan(Date.now() - 23 * 3_600_000);
    const now = verify(copy.caChain("domain"), leaf.crt);
    expect(now.code).not.toBe(0);
    expect(now.out).toMatch(/certificate has expired/);
    // Not `-attime` inside its validity: the CAs were made today, after the leaf's window.
    expect(verify(copy.caChain("domain"), leaf.crt, "-no_check_time").code).toBe(0);
    expect(keyPublicKey(leaf.key)).toBe(before);
    expect(keyPublicKey(leaf.key)).toBe(certPublicKey(leaf.crt));
  });

  it("expiringWithin(hours): valid now, expires within that many hours", async () => {
    const leaf = await copy.apply("participant1", "participant1-1", defects.expiringWithin(2));
    expect(run(["x509", "-in", leaf.crt, "-noout", "-checkend", "0"]).code).toBe(0);
    expect(run(["x509", "-in", leaf.crt, "-noout", "-checkend", String(2 * 3600)]).code).toBe(1);
    expect(run(["x509", "-in", leaf.crt, "-noout", "-checkend", String(2 * 3600 - 300)]).code).toBe(0);
    expect(verify(copy.caChain("participant1"), leaf.crt).code).toBe(0);
    expect(keyPublicKey(leaf.key)).toBe(certPublicKey(leaf.crt));
  });

  it("notPem: the certificate as DER, the key as DER, or text", async () => {
    const crt = await copy.apply("participant1", "participant1-2", defects.notPem("crt"));
    const der = fs.readFileSync(crt.crt);
    expect(der.includes("-----BEGIN")).toBe(false);
    expect(der[0]).toBe(0x30); // an ASN.1 SEQUENCE: a real DER certificate
    expect(new crypto.X509Certificate(der).subject).toContain(`CN=${crt.plan.commonName}`);

    const key = await copy.apply("participant1", "db-participant1", defects.notPem("key"));
    const keyDer = fs.readFileSync(key.key);
    expect(keyDer.includes("-----BEGIN")).toBe(false);
    expect(keyPublicKey(key.key, "-inform", "DER")).toBe(certPublicKey(key.crt));

    const text = await copy.apply("participant1", "participant1-db", defects.notPem("crt", "text"));
    expect(fs.readFileSync(text.crt, "utf8")).not.toContain("-----BEGIN");
    expect(() => x509(text.crt)).toThrow();
  });

  it("missing: the key (default) or the certificate is gone, the other is still there", async () => {
    const key = await copy.apply("participant2", "admin-api", defects.missing());
    expect([fs.existsSync(key.key), fs.existsSync(key.crt)]).toEqual([false, true]);
    const crt = await copy.apply("participant2", "db-participant2", defects.missing("crt"));
    expect([fs.existsSync(crt.key), fs.existsSync(crt.crt)]).toEqual([true, false]);
  });

  it("variants: a PKCS#1 key and the chain after the leaf are still valid", async () => {
    const p1 = await copy.apply("domain", "db-mediator", variants.pkcs1Key());
    expect(fs.readFileSync(p1.key, "utf8").startsWith(PKCS1_KEY_HEADER)).toBe(true);
    expectValid(copy, p1);
    const chained = await copy.apply("domain", "db-domain", variants.chainInCrt());
    const blocks = pemBlocks(chained.crt);
    expect(blocks).toHaveLength(3);
    expect(new crypto.X509Certificate(blocks[0]).subject).toContain("CN=domain");
    expectValid(copy, chained);
  });
});

describe("makeFilesPki options", () => {
  it("mutate sees every certificate once and applies the defects it returns; validity follows pki.leafValidityHours", async () => {
    const small = buildPlan(
      parseConfig(
        raw({ domain: { sequencers: 1, mediators: 1 }, participants: [{ name: "participant1", replicas: 1, users: [] }], pki: { leafValidityHours: 48, earlyRenewalHours: 12 } }),
      ),
      "small",
    );
    const seen: string[] = [];
    const bad = await makeFilesPki(small, {
      mutate: (td, id) => {
        seen.push(`${td.id}/${id}`);
        if (td.id === "domain" && id === "sequencer1") return [defects.missingSan("localhost"), defects.expiringWithin(6)];
        if (td.id === "participant1" && id === "admin-api") return defects.wrongEku();
        return undefined;
      },
    });
    try {
      expect(seen.sort()).toEqual(small.trustDomains.flatMap((td) => td.certificates.map((c) => `${td.id}/${c.id}`)).sort());
      const seq = bad.leaf("domain", "sequencer1");
      expect(checkHost(seq.crt, "localhost")).toContain("does NOT match");
      expect(run(["x509", "-in", seq.crt, "-noout", "-checkend", String(6 * 3600)]).code).toBe(1);
      expect(extensions(bad.leaf("participant1", "admin-api").crt)).toContain("TLS Web Server Authentication");
      const ok = x509(bad.leaf("domain", "mediator1").crt);
      expect(Date.parse(ok.validTo) - Date.parse(ok.validFrom)).toBe(48 * 3_600_000);
      expect(verify(bad.caChain("domain"), bad.leaf("domain", "mediator1").crt).code).toBe(0);
      expect(() => bad.leaf("domain", "sequencer9")).toThrow(/no certificate 'sequencer9'/);
    } finally {
      bad.remove();
    }
    expect(fs.existsSync(bad.dir)).toBe(false);
  });
});
