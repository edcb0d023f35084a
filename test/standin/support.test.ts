/**
 * Tests of the test support itself: the openssl PKI follows the reference
 * profile, and the throwaway Postgres does TLS with client certs
 * (sslmode=verify-full + clientcert=verify-full) — with the stand-in Canton
 * node (a TEST DOUBLE) as the client, as a Canton replica would be.
 */
import { execFileSync } from "node:child_process";
import { Client } from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MissingBinaryError, requireBinaries, requireBinary } from "../support/binaries";
import { generatePki, type Pki } from "../support/pki";
import { startPostgres, type PostgresHandle } from "../support/postgres";
import { ProcessGroup } from "../support/processes";
import { startStandin } from "../support/standin";

const group = new ProcessGroup();
let pki: Pki;
let other: Pki;
let pg: PostgresHandle;

function x509(file: string): string {
  return execFileSync("openssl", ["x509", "-in", file, "-noout", "-text"], { encoding: "utf8" });
}

beforeAll(async () => {
  requireBinaries("postgres", "initdb", "openssl");
  [pki, other] = await Promise.all([
    generatePki({
      name: "support-domain",
      domain: "canton.test",
      servers: ["db", { name: "sequencer", dns: ["seq.example.test"], ips: ["127.0.0.2"] }],
      clients: ["participant1", "admin-api"],
    }),
    generatePki({ name: "support-other", clients: ["participant1"] }),
  ]);
  pg = await startPostgres({
    databases: [{ name: "participant1", user: "participant1" }],
    tls: { cert: pki.servers.db.chain, key: pki.servers.db.key, ca: pki.caChain, requireClientCert: true },
  });
}, 180_000);

afterAll(async () => {
  await group.stopAll();
  await pg?.stop();
  for (const p of [pki, other]) p?.remove();
}, 60_000);

describe("openssl PKI follows the reference profile", () => {
  it("root RSA 4096 ~20 y, intermediate RSA 4096 ~10 y with pathlen:0, both CA key usages", () => {
    const root = x509(pki.rootCert);
    expect(root).toMatch(/Public-Key: \(4096 bit\)/);
    expect(root).toMatch(/CA:TRUE/);
    expect(root).toMatch(/Digital Signature, Certificate Sign, CRL Sign/);
    const int = x509(pki.intermediateCert);
    expect(int).toMatch(/Public-Key: \(4096 bit\)/);
    expect(int).toMatch(/CA:TRUE, pathlen:0/);
    expect(int).toMatch(/Digital Signature, Certificate Sign, CRL Sign/);
    const years = (f: string) => {
      const end = execFileSync("openssl", ["x509", "-in", f, "-noout", "-enddate"], { encoding: "utf8" }).trim().replace("notAfter=", "");
      return (new Date(end).getTime() - Date.now()) / (365.25 * 24 * 3600 * 1000);
    };
    expect(years(pki.rootCert)).toBeGreaterThan(19.9);
    expect(years(pki.intermediateCert)).toBeGreaterThan(9.9);
    expect(years(pki.intermediateCert)).toBeLessThan(10.1);
  });

  it("server certs: RSA 2048, serverAuth, SANs for name, name.domain, localhost, 127.0.0.1 and extras; chain verifies", () => {
    const s = x509(pki.servers.sequencer.cert);
    expect(s).toMatch(/Public-Key: \(2048 bit\)/);
    expect(s).toMatch(/TLS Web Server Authentication/);
    expect(s).not.toMatch(/TLS Web Client Authentication/);
    expect(s).toMatch(/Digital Signature, Key Encipherment/);
    for (const san of ["DNS:sequencer", "DNS:sequencer.canton.test", "DNS:localhost", "DNS:seq.example.test", "IP Address:127.0.0.1", "IP Address:127.0.0.2"]) {
      expect(s).toContain(san);
    }
    const v = execFileSync("openssl", ["verify", "-CAfile", pki.rootCert, "-untrusted", pki.intermediateCert, "-purpose", "sslserver", pki.servers.sequencer.cert], {
      encoding: "utf8",
    });
    expect(v).toMatch(/OK/);
    expect(execFileSync("openssl", ["pkey", "-in", pki.servers.sequencer.key, "-noout", "-text"], { encoding: "utf8" })).toMatch(/2048 bit/);
  });

  it("client certs: clientAuth, DER + PKCS8 DER key, verify against the chain; a foreign CA's do not", () => {
    const c = x509(pki.clients["admin-api"].cert);
    expect(c).toMatch(/TLS Web Client Authentication/);
    expect(c).not.toMatch(/TLS Web Server Authentication/);
    execFileSync("openssl", ["x509", "-inform", "DER", "-in", pki.clients["admin-api"].certDer, "-noout"]);
    execFileSync("openssl", ["pkey", "-inform", "DER", "-in", pki.clients["admin-api"].keyPkcs8Der, "-noout"]);
    expect(execFileSync("openssl", ["verify", "-CAfile", pki.caChain, "-purpose", "sslclient", pki.clients["admin-api"].cert], { encoding: "utf8" })).toMatch(/OK/);
    expect(() => execFileSync("openssl", ["verify", "-CAfile", pki.caChain, other.clients.participant1.cert], { stdio: "pipe" })).toThrow();
  });

  it("distinct PKIs get distinct CA keys (cached RSA 4096 keys are per label)", () => {
    const mod = (f: string) => execFileSync("openssl", ["x509", "-in", f, "-noout", "-modulus"], { encoding: "utf8" });
    expect(mod(pki.rootCert)).not.toBe(mod(other.rootCert));
    expect(mod(pki.rootCert)).not.toBe(mod(pki.intermediateCert));
  });
});

describe("throwaway Postgres 15 with TLS and client certs", () => {
  const params = (client: Pki["clients"][string]) => ({
    sslmode: "verify-full",
    sslrootcert: pki.caChain,
    sslcert: client.cert,
    sslkey: client.key,
  });

  it("runs as a non-root user on a loopback port", async () => {
    const admin = await pg.adminClient();
    try {
      const r = await admin.query("SHOW listen_addresses");
      expect(r.rows[0].listen_addresses).toBe("127.0.0.1");
      expect((await admin.query("SHOW ssl")).rows[0].ssl).toBe("on");
    } finally {
      await admin.end();
    }
    const uid = execFileSync("ps", ["-o", "uid=", "-p", String(pg.pid)], { encoding: "utf8" }).trim();
    expect(uid).not.toBe("0");
  });

  it("accepts sslmode=verify-full with a client cert whose CN is the user", async () => {
    const c = new Client({ connectionString: pg.url("participant1", { params: params(pki.clients.participant1) }) });
    await c.connect();
    try {
      const r = await c.query("SELECT ssl, version FROM pg_stat_ssl WHERE pid = pg_backend_pid()");
      expect(r.rows[0].ssl).toBe(true);
      expect(r.rows[0].version).toMatch(/TLSv1\.[23]/);
    } finally {
      await c.end();
    }
  });

  it("rejects no client cert, a cert for another user, and a cert from another CA", async () => {
    const attempt = async (p: Record<string, string>) => {
      const c = new Client({ connectionString: pg.url("participant1", { params: p }), connectionTimeoutMillis: 5000 });
      c.on("error", () => undefined);
      try {
        await c.connect();
        await c.end();
        return "connected";
      } catch (e) {
        return `rejected: ${(e as Error).message}`;
      }
    };
    expect(await attempt({ sslmode: "verify-full", sslrootcert: pki.caChain })).toMatch(/^rejected/);
    expect(await attempt(params(pki.clients["admin-api"]))).toMatch(/^rejected/);
    expect(await attempt(params(other.clients.participant1))).toMatch(/^rejected/);
  });

  it("the stand-in participant uses the TLS database (verify-full + client cert) and becomes active", async () => {
    const s = await startStandin(group, {
      name: "p-tls",
      role: "participant",
      dbUrl: pg.url("participant1", { params: params(pki.clients.participant1) }),
      certChain: pki.servers.sequencer.chain,
      key: pki.servers.sequencer.key,
    });
    await s.waitHealth(200);
    expect(await s.status()).toMatchObject({ active: true, dbConnected: true });
  });

  it("requireBinary fails loudly with the install hint for a missing binary (never skips)", () => {
    const oldPg = process.env.CANTON_HA_PG_BIN;
    try {
      process.env.CANTON_HA_PG_BIN = "/nonexistent/pg/bin";
      expect(() => requireBinary("initdb")).toThrow(MissingBinaryError);
      expect(() => requireBinary("initdb")).toThrow(/REQUIRED BINARY MISSING: 'initdb'.*postgresql-15[\s\S]*tools\/ci\/install-apt\.sh/);
      expect(() => requireBinaries("postgres", "openssl")).toThrow(/'postgres'/);
    } finally {
      if (oldPg === undefined) delete process.env.CANTON_HA_PG_BIN;
      else process.env.CANTON_HA_PG_BIN = oldPg;
    }
    expect(requireBinary("postgres")).toMatch(/\/postgres$/);
  });
});
