/**
 * The reference PKI profile with the `openssl` CLI, in one place:
 *   - what every certificate of a plan must be (subject, SANs, usages, key, validity), as data
 *     (`certificateRequests`), which `npm run pki:request` writes out for an operator's own CA;
 *   - CSRs for those certificates;
 *   - a complete `pki.source: files` directory (docs/pki-files.md): per trust domain a root
 *     (RSA 4096, 20 y) and an intermediate (RSA 4096, 10 y, pathlen:0) CA, `ca-chain.pem`
 *     (intermediate, then root) and `<id>.crt` + `<id>.key` (PKCS#8 PEM, RSA 2048) per leaf.
 *
 * Used by scripts/pki.ts (`npm run pki:request`, `npm run pki:make-files`) and by the tests'
 * generators (test/support/pki.ts, test/support/pki-files.ts). The sizes, validities and
 * usages come from components/pki/profiles.ts, which the `generated` PKI uses too.
 */
import { execFile } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { promisify } from "node:util";
import { CA_USES, INTERMEDIATE_CA, LEAF_RSA_BITS, leafUses, pemChain, ROOT_CA } from "../../components/pki/profiles";
import type { CertificateUsage, Plan } from "../../components/plan/types";
import { isExecutable } from "./executables";

const execFileP = promisify(execFile);

/** Runs openssl with `args` (never key material: keys are passed as files); resolves to stdout. */
export type Openssl = (args: string[], opts?: { cwd?: string }) => Promise<string>;

/** The openssl binary: `CANTON_HA_OPENSSL`, else the first on PATH (or /usr/bin). */
export function findOpenssl(): string {
    const fromEnv = process.env.CANTON_HA_OPENSSL;
    if (fromEnv) {
        if (isExecutable(fromEnv)) return fromEnv;
        throw new Error(`CANTON_HA_OPENSSL is '${fromEnv}', which is not an executable file; point it at the openssl binary or unset it to use the one on PATH`);
    }
    const dirs = [...(process.env.PATH ?? "").split(path.delimiter).filter(Boolean), "/usr/bin"];
    for (const d of dirs) {
        const p = path.join(d, "openssl");
        if (isExecutable(p)) return p;
    }
    throw new Error(`openssl not found on PATH (${dirs.join(":")}): install OpenSSL 3 (Debian/Ubuntu: the 'openssl' package), or set CANTON_HA_OPENSSL to the binary`);
}

/** An {@link Openssl} that runs the binary `binary()` names, with openssl's stderr in its errors. */
export function opensslCli(binary: () => string = findOpenssl): Openssl {
    return async (args, opts) => {
        const bin = binary();
        try {
            const { stdout } = await execFileP(bin, args, { cwd: opts?.cwd, maxBuffer: 16 * 1024 * 1024 });
            return stdout;
        } catch (e) {
            const err = e as Error & { stderr?: string };
            throw new Error(`openssl ${args.join(" ")} failed: ${err.stderr ?? err.message}`);
        }
    };
}

/** A positive random 128-bit serial in openssl's hex notation. */
export function randomSerial(): string {
    const b = crypto.randomBytes(16);
    b[0] &= 0x7f;
    b[0] |= 0x01; // never a leading zero byte
    return "0x" + b.toString("hex");
}

// --- the profile, as data --------------------------------------------------------------------

const HOURS_PER_DAY = 24;

/** @pulumi/tls `allowedUses` names (components/pki/profiles.ts) in openssl's terms. */
const KEY_USAGE: Record<string, string> = {
    digital_signature: "digitalSignature",
    key_encipherment: "keyEncipherment",
    crl_signing: "cRLSign",
    cert_signing: "keyCertSign",
};
const EXTENDED_KEY_USAGE: Record<string, string> = { server_auth: "serverAuth", client_auth: "clientAuth" };

function opensslUses(uses: string[]): { keyUsage: string[]; extendedKeyUsage: string[] } {
    const keyUsage: string[] = [];
    const extendedKeyUsage: string[] = [];
    for (const u of uses) {
        if (KEY_USAGE[u]) keyUsage.push(KEY_USAGE[u]);
        else if (EXTENDED_KEY_USAGE[u]) extendedKeyUsage.push(EXTENDED_KEY_USAGE[u]);
        else throw new Error(`components/pki/profiles.ts names a use '${u}' that scripts/lib/pki-openssl.ts does not map to openssl; add it there`);
    }
    return { keyUsage, extendedKeyUsage };
}

export interface Subject {
    commonName: string;
    organization?: string;
    organizationalUnit?: string;
}

export interface CaProfile {
    subject: Subject;
    key: { type: "RSA"; bits: number };
    validityHours: number;
    /** keyUsage (critical) in openssl's names. */
    keyUsage: string[];
    /** basicConstraints pathlen; undefined: none (the root). */
    pathLength?: number;
}

/** One certificate the trust domain's intermediate CA issues, in the reference profile. */
export interface LeafRequest {
    trustDomain: string;
    id: string;
    usage: CertificateUsage;
    subject: Required<Subject>;
    dnsNames: string[];
    ipAddresses: string[];
    /** keyUsage, critical, in openssl's names (`digitalSignature`, `keyEncipherment`). */
    keyUsage: string[];
    /** extendedKeyUsage in openssl's names (`serverAuth`, `clientAuth`); empty: no extension. */
    extendedKeyUsage: string[];
    key: { type: "RSA"; bits: number };
    validityHours: number;
    /** `pulumi up` warns once the certificate is this close to expiry. */
    earlyRenewalHours: number;
    /** Paths inside the files directory. */
    files: { certificate: string; key: string; csr: string };
}

export interface TrustDomainRequest {
    id: string;
    organization: string;
    /** `<id>/ca-chain.pem` inside the files directory. */
    caChainFile: string;
    root: CaProfile;
    intermediate: CaProfile;
    certificates: LeafRequest[];
}

/** keyUsage and extendedKeyUsage of a leaf kind, in openssl's names. */
export const leafProfile = (usage: CertificateUsage) => opensslUses(leafUses(usage));

/** The files directory names of docs/pki-files.md. */
export const CA_CHAIN_FILE = "ca-chain.pem";
export const leafFileNames = (trustDomain: string, id: string) => ({
    certificate: `${trustDomain}/${id}.crt`,
    key: `${trustDomain}/${id}.key`,
    csr: `${trustDomain}/${id}.csr`,
});

/** The CA subjects of the `generated` PKI (components/pki/certificate-authority.ts). */
export const caSubject = (trustDomain: string, organization: string, tier: "root" | "intermediate"): Subject => ({
    commonName: `${trustDomain} ${tier === "root" ? "Root" : "Intermediate"} CA`,
    organization,
    organizationalUnit: trustDomain,
});

/** Every certificate the plan needs, per trust domain, in the reference profile. */
export function certificateRequests(plan: Pick<Plan, "trustDomains">): TrustDomainRequest[] {
    const caUses = opensslUses(CA_USES).keyUsage;
    return plan.trustDomains.map((td) => ({
        id: td.id,
        organization: td.organization,
        caChainFile: `${td.id}/${CA_CHAIN_FILE}`,
        root: { subject: caSubject(td.id, td.organization, "root"), key: { type: "RSA", bits: ROOT_CA.rsaBits }, validityHours: ROOT_CA.validityHours, keyUsage: caUses },
        intermediate: {
            subject: caSubject(td.id, td.organization, "intermediate"),
            key: { type: "RSA", bits: INTERMEDIATE_CA.rsaBits },
            validityHours: INTERMEDIATE_CA.validityHours,
            keyUsage: caUses,
            pathLength: INTERMEDIATE_CA.maxPathLength,
        },
        certificates: td.certificates.map((c): LeafRequest => ({
            trustDomain: td.id,
            id: c.id,
            usage: c.usage,
            subject: { commonName: c.commonName, organization: td.organization, organizationalUnit: td.id },
            dnsNames: [...new Set(c.dnsNames)],
            ipAddresses: [...new Set(c.ipAddresses)],
            ...leafProfile(c.usage),
            key: { type: "RSA", bits: LEAF_RSA_BITS },
            validityHours: td.leafValidityHours,
            earlyRenewalHours: td.earlyRenewalHours,
            files: leafFileNames(td.id, c.id),
        })),
    }));
}

// --- openssl config text -----------------------------------------------------------------------

/** `-subj` text; `/`, `+` and `\` escaped as openssl wants. */
export function subjectArg(s: Subject): string {
    const esc = (v: string) => v.replace(/[\\/+]/g, (c) => `\\${c}`);
    return [s.organization && `/O=${esc(s.organization)}`, s.organizationalUnit && `/OU=${esc(s.organizationalUnit)}`, `/CN=${esc(s.commonName)}`].filter(Boolean).join("");
}

/** The CA sections (`v3_root`, `v3_intermediate`) and a `req` section for `req -x509`. */
export function caExtensions(uses: string[] = opensslUses(CA_USES).keyUsage, pathLength: number = INTERMEDIATE_CA.maxPathLength): string {
    return `
[ req ]
distinguished_name = dn
prompt = no
[ dn ]
CN = unused
[ v3_root ]
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always,issuer
basicConstraints = critical, CA:true
keyUsage = critical, ${uses.join(", ")}
[ v3_intermediate ]
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always,issuer
basicConstraints = critical, CA:true, pathlen:${pathLength}
keyUsage = critical, ${uses.join(", ")}
`;
}

/** `DNS:` and `IP:` SAN entries. */
export const sanEntries = (dnsNames: string[], ipAddresses: string[]) => [...dnsNames.map((d) => `DNS:${d}`), ...ipAddresses.map((i) => `IP:${i}`)];

/**
 * A leaf's extension section. `request`: for a CSR (no key identifiers, which the CA sets);
 * otherwise what the CA writes into the certificate.
 */
export function leafExtensions(ext: { keyUsage: string[]; extendedKeyUsage: string[]; sans: string[] }, section = "v3_leaf", request = false): string {
    return [
        `[ ${section} ]`,
        "basicConstraints = CA:FALSE",
        ...(request ? [] : ["subjectKeyIdentifier = hash", "authorityKeyIdentifier = keyid,issuer:always"]),
        `keyUsage = critical, ${ext.keyUsage.join(", ")}`,
        ...(ext.extendedKeyUsage.length > 0 ? [`extendedKeyUsage = ${ext.extendedKeyUsage.join(", ")}`] : []),
        ...(ext.sans.length > 0 ? [`subjectAltName = ${ext.sans.join(", ")}`] : []),
        "",
    ].join("\n");
}

/** A minimal `openssl ca` database section: issuing with explicit start and end dates. */
function caDatabase(dir: string): string {
    return `
[ ca ]
default_ca = issuing
[ issuing ]
database = ${dir}/index.txt
new_certs_dir = ${dir}
serial = ${dir}/serial
default_md = sha256
policy = any_subject
unique_subject = no
[ any_subject ]
commonName = supplied
`;
}

/** openssl's date notation: UTCTime through 2049, GeneralizedTime after (RFC 5280). */
function opensslDate(d: Date): string {
    const iso = d.toISOString(); // 2026-01-27T10:11:12.345Z
    const digits = iso.slice(0, 19).replace(/[-T:]/g, "");
    return (d.getUTCFullYear() < 2050 ? digits.slice(2) : digits) + "Z";
}

// --- keys, CAs, leaves -------------------------------------------------------------------------

/** A fresh RSA key, PKCS#8 PEM, mode 0600. */
export async function generateRsaKey(openssl: Openssl, file: string, bits: number): Promise<void> {
    const tmp = `${file}.${crypto.randomBytes(4).toString("hex")}.tmp`;
    await openssl(["genpkey", "-algorithm", "RSA", "-pkeyopt", `rsa_keygen_bits:${bits}`, "-out", tmp]);
    fs.chmodSync(tmp, 0o600);
    fs.renameSync(tmp, file);
}

/** A trust domain's CA, as files (outside the files directory: the CA keys never go there). */
export interface CaFiles {
    dir: string;
    rootCert: string;
    rootKey: string;
    intermediateCert: string;
    intermediateKey: string;
    /** Intermediate, then root (PEM). */
    chain: string;
}

const caFilesIn = (dir: string): CaFiles => ({
    dir,
    rootCert: path.join(dir, "root.crt"),
    rootKey: path.join(dir, "root.key"),
    intermediateCert: path.join(dir, "intermediate.crt"),
    intermediateKey: path.join(dir, "intermediate.key"),
    chain: path.join(dir, "ca-chain.crt"),
});

export interface CaSpec {
    /** Directory for the CA files; created. */
    dir: string;
    rootSubject: Subject;
    intermediateSubject: Subject;
    /** PKCS#8 PEM keys (RSA 4096 in the profile): fresh for operators, cached in tests. */
    rootKeyPem: string;
    intermediateKeyPem: string;
}

/** A root (20 y) and an intermediate (10 y, pathlen:0) CA from the given keys. */
export async function createCa(openssl: Openssl, spec: CaSpec): Promise<CaFiles> {
    fs.mkdirSync(spec.dir, { recursive: true, mode: 0o700 });
    const ca = caFilesIn(spec.dir);
    const cnf = path.join(spec.dir, "ca.cnf");
    const csr = path.join(spec.dir, "intermediate.csr");
    fs.writeFileSync(cnf, caExtensions());
    fs.writeFileSync(ca.rootKey, spec.rootKeyPem, { mode: 0o600 });
    fs.writeFileSync(ca.intermediateKey, spec.intermediateKeyPem, { mode: 0o600 });
    const days = (hours: number) => String(Math.ceil(hours / HOURS_PER_DAY));
    // prettier-ignore
    await openssl(["req", "-x509", "-new", "-key", ca.rootKey, "-sha256", "-days", days(ROOT_CA.validityHours), "-subj", subjectArg(spec.rootSubject),
        "-config", cnf, "-extensions", "v3_root", "-set_serial", randomSerial(), "-out", ca.rootCert]);
    await openssl(["req", "-new", "-key", ca.intermediateKey, "-subj", subjectArg(spec.intermediateSubject), "-out", csr]);
    // prettier-ignore
    await openssl(["x509", "-req", "-in", csr, "-CA", ca.rootCert, "-CAkey", ca.rootKey, "-set_serial", randomSerial(), "-days", days(INTERMEDIATE_CA.validityHours),
        "-sha256", "-extfile", cnf, "-extensions", "v3_intermediate", "-out", ca.intermediateCert]);
    fs.writeFileSync(ca.chain, pemChain(fs.readFileSync(ca.intermediateCert, "utf8"), fs.readFileSync(ca.rootCert, "utf8")));
    return ca;
}

/** Whether `dir` holds a whole CA (false: none); a partial one is an error naming what is missing. */
export function existingCa(dir: string): boolean {
    const ca = caFilesIn(dir);
    const parts = [ca.rootCert, ca.rootKey, ca.intermediateCert, ca.intermediateKey];
    const missing = parts.filter((p) => !fs.existsSync(p)).map((p) => path.basename(p));
    if (missing.length === 0) return true;
    if (missing.length === parts.length) return false;
    throw new Error(`${dir} holds part of a CA (missing ${missing.join(", ")}); restore the missing files or remove the directory to make a new CA`);
}

/**
 * The CA in `dir` if it holds one (its intermediate must verify against its root), else a new
 * one from `keys()`. A partial CA (some of the four files) is an error naming what is missing.
 */
export async function loadOrCreateCa(
    openssl: Openssl,
    spec: Omit<CaSpec, "rootKeyPem" | "intermediateKeyPem">,
    keys: () => Promise<[string, string]>,
): Promise<CaFiles & { reused: boolean }> {
    const ca = caFilesIn(spec.dir);
    if (existingCa(spec.dir)) {
        await openssl(["verify", "-CAfile", ca.rootCert, ca.intermediateCert]).catch((e: Error) => {
            throw new Error(`${ca.intermediateCert} does not verify against ${ca.rootCert}: ${e.message.trim()}; remove ${spec.dir} to make a new CA`);
        });
        fs.writeFileSync(ca.chain, pemChain(fs.readFileSync(ca.intermediateCert, "utf8"), fs.readFileSync(ca.rootCert, "utf8")));
        return { ...ca, reused: true };
    }
    const [rootKeyPem, intermediateKeyPem] = await keys();
    return { ...(await createCa(openssl, { ...spec, rootKeyPem, intermediateKeyPem })), reused: false };
}

/** A CSR for `request` with its key, asking for the profile's extensions. */
export async function createCsr(openssl: Openssl, request: LeafRequest, keyFile: string, csrFile: string): Promise<void> {
    const cnf = `${csrFile}.${crypto.randomBytes(4).toString("hex")}.cnf`;
    const ext = leafExtensions({ ...request, sans: sanEntries(request.dnsNames, request.ipAddresses) }, "v3_req", true);
    fs.writeFileSync(cnf, `[ req ]\ndistinguished_name = dn\nprompt = no\n[ dn ]\nCN = unused\n${ext}`);
    try {
        await openssl(["req", "-new", "-sha256", "-key", keyFile, "-subj", subjectArg(request.subject), "-config", cnf, "-reqexts", "v3_req", "-out", csrFile]);
    } finally {
        fs.rmSync(cnf, { force: true });
    }
}

export interface IssueOptions {
    request: LeafRequest;
    /** The issuing CA (its intermediate signs). */
    ca: CaFiles;
    certFile: string;
    keyFile: string;
    /** Scratch space for the CSR and openssl's CA database; a subdirectory is made and removed. */
    workDir: string;
    /** Generate a new key (default); false: sign for the key already in `keyFile`. */
    newKey?: boolean;
    /** Default `request.key.bits`. */
    keyBits?: number;
    /** Default now. */
    notBefore?: Date;
    /** Default `notBefore + request.validityHours`. */
    notAfter?: Date;
}

/** Issues `request` from the CA's intermediate with `openssl ca` (exact start and end dates). */
export async function issueLeaf(openssl: Openssl, o: IssueOptions): Promise<void> {
    const r = o.request;
    const work = fs.mkdtempSync(path.join(o.workDir, `${r.id}-`));
    try {
        if (o.newKey !== false) await generateRsaKey(openssl, o.keyFile, o.keyBits ?? r.key.bits);
        const csr = path.join(work, "leaf.csr");
        const cnf = path.join(work, "ca.cnf");
        await openssl(["req", "-new", "-sha256", "-key", o.keyFile, "-subj", subjectArg(r.subject), "-out", csr]);
        fs.writeFileSync(cnf, caDatabase(work) + "\n" + leafExtensions({ ...r, sans: sanEntries(r.dnsNames, r.ipAddresses) }));
        fs.writeFileSync(path.join(work, "index.txt"), "");
        fs.writeFileSync(path.join(work, "serial"), randomSerial().slice(2) + "\n");
        const notBefore = o.notBefore ?? new Date(Math.floor(Date.now() / 1000) * 1000);
        const notAfter = o.notAfter ?? new Date(notBefore.getTime() + r.validityHours * 3_600_000);
        // prettier-ignore
        await openssl(["ca", "-batch", "-notext", "-preserveDN", "-config", cnf, "-cert", o.ca.intermediateCert, "-keyfile", o.ca.intermediateKey, "-in", csr, "-out", o.certFile,
            "-startdate", opensslDate(notBefore), "-enddate", opensslDate(notAfter), "-extfile", cnf, "-extensions", "v3_leaf"]);
    } finally {
        fs.rmSync(work, { recursive: true, force: true });
    }
}

/** Runs `jobs` at most `n` at a time (openssl key generation is CPU-bound). */
export async function inBatches(jobs: Array<() => Promise<void>>, n = 2): Promise<void> {
    for (let i = 0; i < jobs.length; i += n) await Promise.all(jobs.slice(i, i + n).map((j) => j()));
}

// --- the files directory -----------------------------------------------------------------------

export interface IssuedLeaf {
    request: LeafRequest;
    /** Absolute paths in the files directory. */
    cert: string;
    key: string;
    ca: CaFiles;
}

export interface FilesDirectory {
    dir: string;
    caDir: string;
    trustDomains: Array<{ request: TrustDomainRequest; ca: CaFiles & { reused: boolean }; chain: string }>;
    leaves: IssuedLeaf[];
}

export interface FilesDirectoryOptions {
    /** The files directory (`pki.directory`); created. */
    dir: string;
    /** Where each trust domain's CA lives (`<caDir>/<trust domain>/`); an existing CA there is reused. */
    caDir: string;
    /** The root and intermediate key (PKCS#8 PEM) of a new CA for `trustDomain`. */
    caKeys: (trustDomain: string) => Promise<[string, string]>;
    /** Called for each leaf once it is written (tests break it here). */
    onLeaf?: (leaf: IssuedLeaf) => Promise<void>;
}

/** Writes a complete files directory for `requests` (see {@link certificateRequests}). */
export async function writeFilesDirectory(openssl: Openssl, requests: TrustDomainRequest[], o: FilesDirectoryOptions): Promise<FilesDirectory> {
    for (const td of requests) existingCa(path.join(o.caDir, td.id)); // a partial CA stops the run before anything is written
    fs.mkdirSync(o.dir, { recursive: true, mode: 0o700 });
    const work = path.join(o.caDir, ".work");
    fs.mkdirSync(work, { recursive: true, mode: 0o700 });
    const out: FilesDirectory = { dir: o.dir, caDir: o.caDir, trustDomains: [], leaves: [] };
    try {
        for (const td of requests) {
            const ca = await loadOrCreateCa(openssl, { dir: path.join(o.caDir, td.id), rootSubject: td.root.subject, intermediateSubject: td.intermediate.subject }, () =>
                o.caKeys(td.id),
            );
            fs.mkdirSync(path.join(o.dir, td.id), { recursive: true, mode: 0o700 });
            const chain = path.join(o.dir, td.caChainFile);
            fs.copyFileSync(ca.chain, chain);
            out.trustDomains.push({ request: td, ca, chain });
            const leaves = td.certificates.map((request): IssuedLeaf => ({
                request,
                cert: path.join(o.dir, request.files.certificate),
                key: path.join(o.dir, request.files.key),
                ca,
            }));
            await inBatches(
                leaves.map((leaf) => async () => {
                    await issueLeaf(openssl, { request: leaf.request, ca, certFile: leaf.cert, keyFile: leaf.key, workDir: work });
                    await o.onLeaf?.(leaf);
                }),
            );
            out.leaves.push(...leaves);
        }
    } finally {
        fs.rmSync(work, { recursive: true, force: true });
    }
    return out;
}
