/**
 * Test support: a complete `pki.source: files` directory (docs/pki-files.md) for a plan, made
 * with the real `openssl` CLI in the reference profile (scripts/lib/pki-openssl.ts, the same
 * code as `npm run pki:make-files`): per trust domain a root (RSA 4096, 20 y) and an
 * intermediate (RSA 4096, 10 y, pathlen:0), `ca-chain.pem` (intermediate, then root), and per
 * certificate of the plan `<id>.crt` and `<id>.key` (PKCS#8 PEM, RSA 2048).
 *
 *   const pki = await makeFilesPki(devPlan());                 // valid, every certificate
 *   const bad = await makeFilesPki(plan, { mutate: (td, id) => (td.id === "domain" && id === "sequencer1" ? defects.missingSan("localhost") : undefined) });
 *   const c = pki.clone(); await c.apply("domain", "admin-api", defects.expired());
 *
 * `defects` break one leaf in one way each (test/support/pki-files.test.ts proves that they
 * do, and only that); `variants` are other valid forms (a PKCS#1 key, the chain in the .crt).
 * CA keys are cached by label like test/support/pki.ts (RSA 4096 is slow); leaf keys are fresh.
 * The CA keys live next to, never inside, the files directory.
 */
import type { CertificatePlan, Plan, TrustDomain } from "../../components/plan/types";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
  certificateRequests,
  createCa,
  caSubject,
  generateRsaKey,
  issueLeaf,
  writeFilesDirectory,
  type CaFiles,
  type LeafRequest,
  type TrustDomainRequest,
} from "../../scripts/lib/pki-openssl";
import { cachedRsa4096Key, openssl } from "./pki";

/** One leaf of a files directory, with what it was made from. */
export interface Leaf {
  trustDomain: TrustDomain;
  plan: CertificatePlan;
  /** The plan's profile for it (subject, SANs, usages, key, validity). */
  request: LeafRequest;
  /** How it is issued now: the profile and issuer after the defects applied so far. */
  issued: IssueState;
  /** `<dir>/<trust domain>/<id>.crt` and `.key`. */
  crt: string;
  key: string;
  /** The trust domain's CA (outside the files directory). */
  ca: CaFiles;
  /** Scratch space for re-issuing. */
  workDir: string;
  /** A CA of no trust domain of the plan (made on first use). */
  foreignCa(): Promise<CaFiles>;
}

/** What a leaf was last issued from; re-issuing defects change it, so they compose. */
export interface IssueState {
  request: LeafRequest;
  ca: CaFiles;
  notBefore?: Date;
  notAfter?: Date;
}

/**
 * Breaks (or changes) one leaf in place. Defects compose in the order given: the re-issuing
 * ones keep each other's changes and the key in the file; apply the ones that touch only the
 * files (mismatchedKey, notPem, missing) last, as a re-issue signs for the key in the file.
 */
export type Defect = (leaf: Leaf) => Promise<void>;

export interface FilesPkiOptions {
  /** The files directory; default a fresh temp dir. */
  dir?: string;
  /** Called for every leaf once it is written; a returned defect (or list) is applied to it. */
  mutate?: (td: TrustDomain, certId: string, leaf: Leaf) => Defect | Defect[] | undefined | void | Promise<void>;
}

export interface FilesPki {
  /** The files directory: what `pki.directory` names. */
  dir: string;
  plan: Plan;
  requests: TrustDomainRequest[];
  /** `<dir>/<trust domain>/ca-chain.pem`. */
  caChain(trustDomain: string): string;
  ca(trustDomain: string): CaFiles;
  leaf(trustDomain: string, certId: string): Leaf;
  /** Applies defects to one leaf; returns it. */
  apply(trustDomain: string, certId: string, ...defects: Defect[]): Promise<Leaf>;
  /** A copy of the files directory (same CAs): break the copy, keep the original valid. */
  clone(dir?: string): FilesPki;
  /** Deletes the files directory (and, for the original, its CAs). The key cache is kept. */
  remove(): void;
}

function trustDomainOf(plan: Plan, id: string): TrustDomain {
  const td = plan.trustDomains.find((t) => t.id === id);
  if (!td) throw new Error(`plan has no trust domain '${id}' (has ${plan.trustDomains.map((t) => t.id).join(", ")})`);
  return td;
}

/** A complete files directory for `plan`. */
export async function makeFilesPki(plan: Plan, opts: FilesPkiOptions = {}): Promise<FilesPki> {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), "canton-ha-pki-files-"));
  const dir = opts.dir ?? path.join(base, "files");
  const caDir = path.join(base, "ca");
  const workDir = path.join(base, "work");
  fs.mkdirSync(workDir, { recursive: true });
  const requests = certificateRequests(plan);
  const cas = new Map<string, CaFiles>();
  /** Per files directory and leaf (`<dir>\0<td>/<id>`): what it was last issued from. */
  const states = new Map<string, IssueState>();

  let foreign: Promise<CaFiles> | undefined;
  const foreignCa = () =>
    (foreign ??= (async () => {
      const [rootKeyPem, intermediateKeyPem] = await Promise.all([cachedRsa4096Key("files-foreign-root"), cachedRsa4096Key("files-foreign-intermediate")]);
      return createCa(openssl, {
        dir: path.join(base, "foreign-ca"),
        rootSubject: caSubject("foreign", "Someone Else", "root"),
        intermediateSubject: caSubject("foreign", "Someone Else", "intermediate"),
        rootKeyPem,
        intermediateKeyPem,
      });
    })());

  const leafIn = (filesDir: string, tdId: string, certId: string): Leaf => {
    const td = trustDomainOf(plan, tdId);
    const certPlan = td.certificates.find((c) => c.id === certId);
    const request = requests.find((r) => r.id === tdId)?.certificates.find((c) => c.id === certId);
    const ca = cas.get(tdId);
    if (!certPlan || !request || !ca) throw new Error(`trust domain '${tdId}' has no certificate '${certId}' (has ${td.certificates.map((c) => c.id).join(", ")})`);
    const stateKey = `${filesDir}\0${tdId}/${certId}`;
    let issued = states.get(stateKey);
    if (!issued) states.set(stateKey, (issued = { request, ca }));
    return {
      trustDomain: td,
      plan: certPlan,
      request,
      issued,
      crt: path.join(filesDir, request.files.certificate),
      key: path.join(filesDir, request.files.key),
      ca,
      workDir,
      foreignCa,
    };
  };

  const written = await writeFilesDirectory(openssl, requests, {
    dir,
    caDir,
    caKeys: (td) => Promise.all([cachedRsa4096Key(`files-${td}-root`), cachedRsa4096Key(`files-${td}-intermediate`)]),
    onLeaf: async (issued) => {
      cas.set(issued.request.trustDomain, issued.ca);
      if (!opts.mutate) return;
      const leaf = leafIn(dir, issued.request.trustDomain, issued.request.id);
      const result = await opts.mutate(leaf.trustDomain, leaf.plan.id, leaf);
      const list = typeof result === "function" ? [result] : Array.isArray(result) ? result : [];
      for (const d of list) await d(leaf);
    },
  });

  for (const t of written.trustDomains) cas.set(t.request.id, t.ca);

  const view = (filesDir: string, original: boolean): FilesPki => ({
    dir: filesDir,
    plan,
    requests,
    caChain: (td) => path.join(filesDir, td, "ca-chain.pem"),
    ca: (td) => {
      const ca = cas.get(td);
      if (!ca) throw new Error(`no CA for trust domain '${td}'`);
      return ca;
    },
    leaf: (td, id) => leafIn(filesDir, td, id),
    apply: async (td, id, ...ds) => {
      const leaf = leafIn(filesDir, td, id);
      for (const d of ds) await d(leaf);
      return leaf;
    },
    clone: (to) => {
      const target = to ?? fs.mkdtempSync(path.join(base, "clone-"));
      fs.cpSync(filesDir, target, { recursive: true });
      for (const [k, st] of [...states]) if (k.startsWith(`${filesDir}\0`)) states.set(`${target}${k.slice(filesDir.length)}`, { ...st });
      return view(target, false);
    },
    remove: () => {
      fs.rmSync(filesDir, { recursive: true, force: true });
      if (original) fs.rmSync(base, { recursive: true, force: true });
    },
  });
  return view(dir, true);
}

// --- defects ------------------------------------------------------------------------------------

/** Re-issues the leaf with `changed` merged into what it was last issued from; a new key only with `keyBits`. */
async function reissue(leaf: Leaf, changed: { request?: Partial<LeafRequest>; ca?: CaFiles; keyBits?: number; notBefore?: Date; notAfter?: Date }): Promise<void> {
  const st = leaf.issued;
  st.request = { ...st.request, ...changed.request, ...(changed.keyBits ? { key: { type: "RSA", bits: changed.keyBits } } : {}) };
  if (changed.ca) st.ca = changed.ca;
  if (changed.notBefore) st.notBefore = changed.notBefore;
  if (changed.notAfter) st.notAfter = changed.notAfter;
  await issueLeaf(openssl, {
    request: st.request,
    ca: st.ca,
    certFile: leaf.crt,
    keyFile: leaf.key,
    workDir: leaf.workDir,
    newKey: changed.keyBits !== undefined,
    notBefore: st.notBefore,
    notAfter: st.notAfter,
  });
}

const HOUR_MS = 3_600_000;
const WRONG_KEY_USAGE: Record<LeafRequest["usage"], string[]> = {
  server: ["digitalSignature"],
  client: ["keyEncipherment"],
  signing: ["digitalSignature", "keyCertSign"],
};

export const defects = {
  /** Re-issued without the SAN `name` (a DNS name or an IP address; default the host's FQDN, its CN). */
  missingSan:
    (name?: string): Defect =>
    async (leaf) => {
      const drop = name ?? leaf.request.subject.commonName;
      const { dnsNames, ipAddresses } = leaf.issued.request;
      if (!dnsNames.includes(drop) && !ipAddresses.includes(drop))
        throw new Error(`${leaf.plan.id} has no SAN '${drop}' to leave out (has ${[...dnsNames, ...ipAddresses].join(", ")})`);
      await reissue(leaf, { request: { dnsNames: dnsNames.filter((d) => d !== drop), ipAddresses: ipAddresses.filter((i) => i !== drop) } });
    },

  /** The key replaced by another RSA 2048 key; the certificate is unchanged. */
  mismatchedKey: (): Defect => async (leaf) => generateRsaKey(openssl, leaf.key, leaf.request.key.bits),

  /** Re-issued, same profile, by a CA outside the plan: the chain does not verify. */
  foreignIssuer: (): Defect => async (leaf) => reissue(leaf, { ca: await leaf.foreignCa() }),

  /** Re-issued with these extended key usages (default the other TLS one: serverAuth on a client). */
  wrongEku:
    (eku?: string[]): Defect =>
    async (leaf) =>
      reissue(leaf, { request: { extendedKeyUsage: eku ?? (leaf.request.usage === "server" ? ["clientAuth"] : ["serverAuth"]) } }),

  /**
   * Re-issued with this keyUsage (critical). Default, one bit wrong for the usage: a server
   * without keyEncipherment, a client without digitalSignature, a signing key that may sign
   * certificates (keyCertSign).
   */
  wrongKeyUsage:
    (keyUsage?: string[]): Defect =>
    async (leaf) =>
      reissue(leaf, { request: { keyUsage: keyUsage ?? WRONG_KEY_USAGE[leaf.request.usage] } }),

  /** A new, weak RSA key (default 1024 bits) and its certificate: everything else is right. */
  weakKey:
    (bits = 1024): Defect =>
    async (leaf) =>
      reissue(leaf, { keyBits: bits }),

  /** Re-issued valid from 2 days ago until `hoursAgo` (default 24) hours ago. */
  expired:
    (hoursAgo = 24): Defect =>
    async (leaf) =>
      reissue(leaf, { notBefore: new Date(Date.now() - (hoursAgo + 24) * HOUR_MS), notAfter: new Date(Date.now() - hoursAgo * HOUR_MS) }),

  /** Re-issued valid from an hour ago until `hours` from now (inside `pki.earlyRenewalHours` when smaller). */
  expiringWithin:
    (hours: number): Defect =>
    async (leaf) =>
      reissue(leaf, { notBefore: new Date(Date.now() - HOUR_MS), notAfter: new Date(Date.now() + hours * HOUR_MS) }),

  /**
   * The certificate (default) or key not PEM: `der` converts it to DER (what the walkthrough's
   * `.der` files are), `text` writes a line of text.
   */
  notPem:
    (which: "crt" | "key" = "crt", form: "der" | "text" = "der"): Defect =>
    async (leaf) => {
      const file = which === "crt" ? leaf.crt : leaf.key;
      if (form === "text") {
        fs.writeFileSync(file, "this is not a PEM file\n");
        return;
      }
      const der = `${file}.der`;
      await openssl(which === "crt" ? ["x509", "-in", file, "-outform", "DER", "-out", der] : ["pkcs8", "-topk8", "-nocrypt", "-in", file, "-outform", "DER", "-out", der]);
      fs.renameSync(der, file);
      if (which === "key") fs.chmodSync(file, 0o600);
    },

  /** The certificate or key (default) deleted. */
  missing:
    (which: "crt" | "key" = "key"): Defect =>
    async (leaf) =>
      fs.rmSync(which === "crt" ? leaf.crt : leaf.key),
};

/** Valid files in another form than the generator's. */
export const variants = {
  /** The key as PKCS#1 (`BEGIN RSA PRIVATE KEY`), which docs/pki-files.md accepts. */
  pkcs1Key: (): Defect => async (leaf) => {
    await openssl(["pkey", "-in", leaf.key, "-traditional", "-out", `${leaf.key}.pkcs1`]);
    fs.renameSync(`${leaf.key}.pkcs1`, leaf.key);
    fs.chmodSync(leaf.key, 0o600);
  },
  /** The CA chain appended to the certificate (ignored after the leaf, docs/pki-files.md). */
  chainInCrt: (): Defect => async (leaf) => {
    fs.appendFileSync(leaf.crt, fs.readFileSync(leaf.ca.chain, "utf8"));
  },
};
