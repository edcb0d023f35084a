// Bring your own PKI: every certificate and key a stack needs, read from a directory laid out
// as docs/pki-files.md says, checked before any resource exists, and used as is. Parsing and
// verification use Node's X509Certificate; the key-usage bits, which Node does not expose,
// come from @peculiar/asn1-x509. No ASN.1 is parsed by hand.
import { AsnConvert } from "@peculiar/asn1-schema";
import { Certificate, id_ce_keyUsage, KeyUsage, KeyUsageFlags } from "@peculiar/asn1-x509";
import * as pulumi from "@pulumi/pulumi";
import { createPrivateKey, createPublicKey, KeyObject, X509Certificate } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { ConfigProblem } from "../config";
import type { CertificatePlan, TrustDomain } from "../plan/types";
import type { LeafMaterial, TrustDomainPki } from "./pki";
import { LEAF_RSA_BITS, pemChain, pemToDerBase64 } from "./profiles";

/** RSA bits the profile asks of the CAs (root and intermediate). */
const CA_MIN_RSA_BITS = 4096;
const EKU = { server: "1.3.6.1.5.5.7.3.1", client: "1.3.6.1.5.5.7.3.2" } as const;

interface ReadFilesOptions {
    /** The config key the directory came from, for messages (`canton-ha:pki.directory`). */
    key: string;
    /** Warn about a certificate that expires within this many hours. */
    earlyRenewalHours: number;
    now?: Date;
}

/** What was read for one trust domain: PEM texts, keys already PKCS#8. */
export interface TrustDomainFiles {
    trustDomain: TrustDomain;
    rootPem: string;
    chainPem: string;
    leaves: Map<string, { certPem: string; keyPem: string }>;
}

export interface FilesRead {
    trustDomains: TrustDomainFiles[];
    problems: ConfigProblem[];
    warnings: string[];
}

const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

function certificatesIn(text: string): X509Certificate[] {
    return (text.match(PEM_CERT) ?? []).map((pem) => new X509Certificate(pem));
}

/** The SAN entries of a certificate: `DNS:x` and `IP:y` as Node prints them, normalised. */
function sansOf(cert: X509Certificate): Set<string> {
    return new Set(
        (cert.subjectAltName ?? "")
            .split(",")
            .map((s) => s.trim())
            .filter((s) => s.length > 0)
            .map((s) => s.replace(/^IP Address:/, "IP:")),
    );
}

/** The keyUsage bits of a certificate, or undefined when it has no keyUsage extension. */
function keyUsageOf(cert: X509Certificate): number | undefined {
    const parsed = AsnConvert.parse(cert.raw, Certificate);
    const ext = parsed.tbsCertificate.extensions?.find((e) => e.extnID === id_ce_keyUsage);
    if (!ext) return undefined;
    return AsnConvert.parse(ext.extnValue, KeyUsage).toNumber();
}

function keyStrength(key: KeyObject): { ok: (minRsa: number) => boolean; describe: string } {
    const d = key.asymmetricKeyDetails ?? {};
    if (key.asymmetricKeyType === "rsa") return { ok: (min) => (d.modulusLength ?? 0) >= min, describe: `RSA ${d.modulusLength}` };
    if (key.asymmetricKeyType === "ec") {
        const curve = d.namedCurve ?? "";
        return { ok: () => ["prime256v1", "secp384r1", "secp521r1"].includes(curve), describe: `EC ${curve}` };
    }
    return { ok: () => false, describe: String(key.asymmetricKeyType) };
}

/** What a certificate of this usage must carry. */
function usageProblems(cert: X509Certificate, plan: CertificatePlan): string[] {
    const out: string[] = [];
    const eku = cert.keyUsage ?? []; // Node calls the extended key usage OIDs `keyUsage`
    const bits = keyUsageOf(cert);
    const has = (flag: KeyUsageFlags) => bits !== undefined && (bits & flag) !== 0;
    if (plan.usage === "server") {
        if (!eku.includes(EKU.server)) out.push("extended key usage lacks serverAuth");
        if (bits !== undefined && !(has(KeyUsageFlags.digitalSignature) && has(KeyUsageFlags.keyEncipherment))) out.push("keyUsage lacks digitalSignature or keyEncipherment");
    } else if (plan.usage === "client") {
        if (!eku.includes(EKU.client)) out.push("extended key usage lacks clientAuth");
        if (bits !== undefined && !has(KeyUsageFlags.digitalSignature)) out.push("keyUsage lacks digitalSignature");
    } else {
        if (!has(KeyUsageFlags.digitalSignature)) out.push("keyUsage lacks digitalSignature");
        if (has(KeyUsageFlags.keyCertSign)) out.push("keyUsage allows keyCertSign: a JWT signing key must not be a CA");
    }
    if (cert.ca) out.push("is a CA certificate, not a leaf");
    return out;
}

/**
 * Reads and checks every file of every trust domain. Problems are collected, never thrown
 * one by one: the operator sees everything wrong at once.
 */
export function readFilesPki(trustDomains: TrustDomain[], directory: string, opts: ReadFilesOptions): FilesRead {
    const now = opts.now ?? new Date();
    const problems: ConfigProblem[] = [];
    const warnings: string[] = [];
    const problem = (file: string, message: string) => problems.push({ key: opts.key, message: `${file}: ${message}` });
    const out: TrustDomainFiles[] = [];

    for (const td of trustDomains) {
        const dir = join(directory, td.id);
        const read = (name: string): string | undefined => {
            const file = join(dir, name);
            if (!existsSync(file)) {
                problem(file, "is missing");
                return undefined;
            }
            return readFileSync(file, "utf8");
        };
        const chainFile = join(dir, "ca-chain.pem");
        const chainText = read("ca-chain.pem");
        let chain: X509Certificate[] = [];
        if (chainText !== undefined) {
            try {
                chain = certificatesIn(chainText);
                if (chain.length === 0) problem(chainFile, "holds no PEM certificate");
            } catch (e) {
                problem(chainFile, `is not a readable PEM certificate chain (${(e as Error).message})`);
            }
        }
        const root = chain[chain.length - 1];
        const issuer = chain[0];
        if (root && !(root.checkIssued(root) && root.verify(root.publicKey))) problem(chainFile, `its last certificate (${root.subject}) is not a self-signed root`);
        for (let i = 0; i + 1 < chain.length; i++) {
            if (!(chain[i].checkIssued(chain[i + 1]) && chain[i].verify(chain[i + 1].publicKey))) problem(chainFile, `certificate ${i + 1} is not issued by certificate ${i + 2}`);
        }
        for (const ca of chain) {
            if (!ca.ca) problem(chainFile, `${ca.subject.replace(/\n/g, ", ")} is not a CA certificate`);
            const strength = keyStrength(ca.publicKey);
            if (!strength.ok(CA_MIN_RSA_BITS))
                problem(chainFile, `${ca.subject.replace(/\n/g, ", ")} has a ${strength.describe} key; the profile asks for RSA ${CA_MIN_RSA_BITS} (or EC P-256 and up) for CAs`);
        }

        const leaves = new Map<string, { certPem: string; keyPem: string }>();
        for (const plan of td.certificates) {
            const certFile = join(dir, `${plan.id}.crt`);
            const keyFile = join(dir, `${plan.id}.key`);
            const certText = read(`${plan.id}.crt`);
            const keyText = read(`${plan.id}.key`);
            if (certText === undefined || keyText === undefined) continue;
            let cert: X509Certificate;
            let key: KeyObject;
            try {
                const first = certificatesIn(certText)[0];
                if (!first) throw new Error("no PEM certificate in it");
                cert = first;
            } catch (e) {
                problem(certFile, `is not a readable PEM certificate (${(e as Error).message})`);
                continue;
            }
            try {
                key = createPrivateKey(keyText);
            } catch (e) {
                problem(keyFile, `is not a readable PEM private key (${(e as Error).message})`);
                continue;
            }
            if (!cert.checkPrivateKey(key)) problem(keyFile, `does not match the certificate ${plan.id}.crt`);
            if (issuer && !(cert.checkIssued(issuer) && cert.verify(issuer.publicKey))) {
                problem(certFile, `is not issued by the trust domain's CA (${issuer.subject.replace(/\n/g, ", ")}); the chain does not verify to its root`);
            }
            const sans = sansOf(cert);
            const missing = [...plan.dnsNames.map((n) => `DNS:${n}`), ...plan.ipAddresses.map((ip) => `IP:${ip}`)].filter((s) => !sans.has(s));
            if (missing.length > 0) problem(certFile, `lacks the SANs ${missing.join(", ")} (the host is reached by them)`);
            for (const u of usageProblems(cert, plan)) problem(certFile, u);
            // Postgres' `clientcert=verify-full` lets a client in only as the user its CN names.
            const cn = /(?:^|\n)CN=([^\n]*)/.exec(cert.subject)?.[1];
            if (plan.id.startsWith("db-") && cn !== plan.commonName)
                problem(certFile, `has CN ${cn ?? "(none)"}; a database client certificate's CN must be the user, ${plan.commonName}`);
            const strength = keyStrength(createPublicKey(key));
            if (!strength.ok(LEAF_RSA_BITS)) problem(keyFile, `is a ${strength.describe} key; the profile asks for RSA ${LEAF_RSA_BITS} or more (or EC P-256 and up)`);
            const notAfter = new Date(cert.validTo);
            if (notAfter.getTime() <= now.getTime()) problem(certFile, `expired on ${notAfter.toISOString()}; issue a new one`);
            else if (notAfter.getTime() - now.getTime() < opts.earlyRenewalHours * 3600_000) {
                warnings.push(
                    `${certFile} expires on ${notAfter.toISOString()}, within pki.earlyRenewalHours (${opts.earlyRenewalHours} h): replace the file and run \`pulumi up\``,
                );
            }
            leaves.set(plan.id, { certPem: cert.toString(), keyPem: key.export({ type: "pkcs8", format: "pem" }).toString() });
        }
        if (root) out.push({ trustDomain: td, rootPem: root.toString(), chainPem: pemChain(...chain.map((c) => c.toString())), leaves });
    }
    return { trustDomains: out, problems, warnings };
}

/** A trust domain's PKI from files: no resources, the keys secret from the moment they are read. */
export class FilePki implements TrustDomainPki {
    readonly trustDomain: string;
    readonly rootCertPem: pulumi.Output<string>;
    readonly chainPem: pulumi.Output<string>;
    private readonly leaves = new Map<string, LeafMaterial>();

    constructor(files: TrustDomainFiles) {
        this.trustDomain = files.trustDomain.id;
        this.rootCertPem = pulumi.output(files.rootPem);
        this.chainPem = pulumi.output(files.chainPem);
        for (const [id, leaf] of files.leaves) {
            this.leaves.set(id, {
                certPem: pulumi.output(leaf.certPem),
                chainPem: pulumi.output(pemChain(leaf.certPem, files.chainPem)),
                privateKeyPem: pulumi.secret(leaf.keyPem),
                privateKeyDerBase64: pulumi.secret(pemToDerBase64(leaf.keyPem)),
            });
        }
    }

    certificate(cert: CertificatePlan): LeafMaterial {
        const leaf = this.leaves.get(cert.id);
        if (!leaf) throw new Error(`trust domain '${this.trustDomain}' has no file for certificate '${cert.id}'`);
        return leaf;
    }
}
