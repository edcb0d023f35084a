/**
 * Test support: a real 2-tier PKI made with the `openssl` CLI, following the
 * reference profile in shared/reference/canton-ha-facts.md:
 *   root CA RSA 4096 / 20 y, intermediate RSA 4096 / 10 y (CA:true, pathlen:0),
 *   both keyUsage critical digitalSignature,cRLSign,keyCertSign;
 *   server certs RSA 2048 PKCS8 / 1 y, serverAuth, SANs DNS:<name>[.<domain>],
 *   DNS:localhost, IP:127.0.0.1, IP:::1 (+ extras); client certs clientAuth
 *   (also written as DER with a PKCS8 DER key, as JDBC wants).
 *
 * For tests of proxies and the stand-in only. The product's PKI is made by
 * @pulumi/tls elsewhere. Keys are generated at test time, never committed.
 *
 * RSA 4096 keys are slow, so they are cached by label in a private temp dir
 * (CANTON_HA_TEST_KEY_CACHE overrides it). Leaf keys are always fresh.
 */
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { createCa, leafExtensions, leafProfile, opensslCli, randomSerial, sanEntries, subjectArg } from "../../scripts/lib/pki-openssl";
import { requireBinary } from "./binaries";

/** openssl, found LOUDLY (tests never skip for a missing binary). The profile is scripts/lib/pki-openssl.ts. */
export const openssl = opensslCli(() => requireBinary("openssl"));

export interface ServerSpec {
  name: string;
  dns?: string[];
  ips?: string[];
}

export interface PkiSpec {
  /** Trust domain label, e.g. "domain" or "participant1". Distinct names get distinct CA keys. */
  name: string;
  /** Output directory; default a fresh temp dir. */
  dir?: string;
  /** DNS suffix for server names, e.g. "canton.local" -> DNS:sequencer1.canton.local. */
  domain?: string;
  servers?: Array<string | ServerSpec>;
  clients?: string[];
}

export interface LeafFiles {
  name: string;
  /** PEM leaf certificate. */
  cert: string;
  /** PEM PKCS8 private key. */
  key: string;
  /** PEM leaf + intermediate + root. */
  chain: string;
  /** DER leaf certificate. */
  certDer: string;
  /** PKCS8 DER private key (for JDBC). */
  keyPkcs8Der: string;
}

export interface Pki {
  name: string;
  dir: string;
  rootCert: string;
  rootKey: string;
  intermediateCert: string;
  intermediateKey: string;
  /** intermediate + root, PEM. */
  caChain: string;
  servers: Record<string, LeafFiles>;
  clients: Record<string, LeafFiles>;
  /** Issue another leaf later (e.g. a server cert for a proxy). */
  issueServer(spec: string | ServerSpec): Promise<LeafFiles>;
  issueClient(name: string): Promise<LeafFiles>;
  /** Delete the output directory (the RSA 4096 key cache is kept). */
  remove(): void;
}

function keyCacheDir(): string {
  const dir = process.env.CANTON_HA_TEST_KEY_CACHE ?? path.join(os.tmpdir(), `canton-ha-test-keys-${process.getuid?.() ?? "u"}`);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  return dir;
}

const inflight = new Map<string, Promise<string>>();

/** An RSA 4096 PKCS8 PEM key for `label`, generated once and cached (atomic rename, safe across forks). */
export function cachedRsa4096Key(label: string): Promise<string> {
  const safe = label.replace(/[^A-Za-z0-9_.-]/g, "_");
  const file = path.join(keyCacheDir(), `rsa4096-${safe}.pem`);
  const existing = inflight.get(file);
  if (existing) return existing;
  const p = (async () => {
    if (fs.existsSync(file)) return fs.readFileSync(file, "utf8");
    const tmp = `${file}.${process.pid}.${crypto.randomBytes(4).toString("hex")}.tmp`;
    await openssl(["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:4096", "-out", tmp]);
    fs.chmodSync(tmp, 0o600);
    fs.renameSync(tmp, file);
    return fs.readFileSync(file, "utf8");
  })();
  inflight.set(file, p);
  return p;
}

export async function generatePki(spec: PkiSpec): Promise<Pki> {
  const dir = spec.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), `canton-ha-pki-${spec.name}-`));
  fs.mkdirSync(dir, { recursive: true });
  const f = (n: string) => path.join(dir, n);

  const [rootKeyPem, intKeyPem] = await Promise.all([cachedRsa4096Key(`${spec.name}-root`), cachedRsa4096Key(`${spec.name}-intermediate`)]);
  const ca = await createCa(openssl, {
    dir,
    rootSubject: { organization: "canton-ha test", commonName: `${spec.name} Root CA` },
    intermediateSubject: { organization: "canton-ha test", commonName: `${spec.name} Intermediate CA` },
    rootKeyPem,
    intermediateKeyPem: intKeyPem,
  });

  const issue = async (kind: "server" | "client", name: string, sans: string[]): Promise<LeafFiles> => {
    const base = `${kind}-${name}`;
    const key = f(`${base}.key`);
    await openssl(["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", key]);
    fs.chmodSync(key, 0o600);
    fs.writeFileSync(f(`${base}.cnf`), leafExtensions({ ...leafProfile(kind), sans }));
    await openssl(["req", "-new", "-key", key, "-subj", subjectArg({ organization: "canton-ha test", commonName: name }), "-out", f(`${base}.csr`)]);
    await openssl([
      "x509",
      "-req",
      "-in",
      f(`${base}.csr`),
      "-CA",
      ca.intermediateCert,
      "-CAkey",
      ca.intermediateKey,
      "-set_serial",
      randomSerial(),
      "-days",
      "365",
      "-sha256",
      "-extfile",
      f(`${base}.cnf`),
      "-extensions",
      "v3_leaf",
      "-out",
      f(`${base}.crt`),
    ]);
    fs.writeFileSync(f(`${base}-chain.crt`), fs.readFileSync(f(`${base}.crt`), "utf8") + fs.readFileSync(ca.chain, "utf8"));
    await openssl(["x509", "-in", f(`${base}.crt`), "-outform", "DER", "-out", f(`${base}.der`)]);
    await openssl(["pkcs8", "-topk8", "-nocrypt", "-in", key, "-outform", "DER", "-out", f(`${base}.pk8`)]);
    return { name, cert: f(`${base}.crt`), key, chain: f(`${base}-chain.crt`), certDer: f(`${base}.der`), keyPkcs8Der: f(`${base}.pk8`) };
  };

  const issueServer = (s: string | ServerSpec) => {
    const sp: ServerSpec = typeof s === "string" ? { name: s } : s;
    const dns = [sp.name, ...(spec.domain ? [`${sp.name}.${spec.domain}`] : []), "localhost", ...(sp.dns ?? [])];
    const ips = ["127.0.0.1", "::1", ...(sp.ips ?? [])];
    const sans = sanEntries([...new Set(dns)], [...new Set(ips)]);
    return issue("server", sp.name, sans);
  };
  const issueClient = (name: string) => issue("client", name, []);

  const servers: Record<string, LeafFiles> = {};
  const clients: Record<string, LeafFiles> = {};
  // Leaves are cheap (RSA 2048); run a couple at a time on 2 cores.
  const jobs: Array<() => Promise<void>> = [
    ...(spec.servers ?? []).map((s) => async () => {
      const l = await issueServer(s);
      servers[l.name] = l;
    }),
    ...(spec.clients ?? []).map((c) => async () => {
      clients[c] = await issueClient(c);
    }),
  ];
  for (let i = 0; i < jobs.length; i += 2) {
    await Promise.all(jobs.slice(i, i + 2).map((j) => j()));
  }

  return {
    name: spec.name,
    dir,
    rootCert: ca.rootCert,
    rootKey: ca.rootKey,
    intermediateCert: ca.intermediateCert,
    intermediateKey: ca.intermediateKey,
    caChain: ca.chain,
    servers,
    clients,
    issueServer,
    issueClient,
    remove: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}
