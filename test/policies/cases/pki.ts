// The generated PKI: key sizes (by role, from the dependency graph), leaf validity, path lengths.
import type { WireResource } from "../support/run";
import { resource, urnOf } from "../support/wire";
import type { CaseTable } from "./types";

const KEY = "tls:index/privateKey:PrivateKey";
const CSR = "tls:index/certRequest:CertRequest";
const ROOT = "tls:index/selfSignedCert:SelfSignedCert";
const SIGNED = "tls:index/locallySignedCert:LocallySignedCert";
const CA_USES = ["digital_signature", "crl_signing", "cert_signing"];

interface PkiOpts {
    rootBits?: number;
    intermediateBits?: number;
    leafKey?: Record<string, unknown>;
    leaf?: Record<string, unknown>;
    intermediate?: Record<string, unknown>;
    root?: Record<string, unknown>;
    stack?: string;
    protectCaKeys?: boolean;
    /** Leave out the property dependencies (an engine that passes none). */
    noDependencies?: boolean;
}

/** A 2-tier CA and one leaf, linked by property dependencies as the engine reports them. */
export function pki(o: PkiOpts = {}): WireResource[] {
    const s = o.stack;
    const dep = (type: string, name: string) => (o.noDependencies ? [] : [urnOf(type, name, s, ["canton-ha:pki:CertificateAuthority"])]);
    const caOpts = { stack: s, parentTypes: ["canton-ha:pki:CertificateAuthority"], protect: o.protectCaKeys };
    const leafOpts = { stack: s, parentTypes: ["canton-ha:pki:CertificateAuthority"] };
    return [
        resource(KEY, "domain-ca-root", { algorithm: "RSA", rsaBits: o.rootBits ?? 4096 }, caOpts),
        resource(
            ROOT,
            "domain-ca-root",
            { isCaCertificate: true, validityPeriodHours: 175200, allowedUses: CA_USES, ...o.root },
            { ...leafOpts, propertyDependencies: { privateKeyPem: dep(KEY, "domain-ca-root") } },
        ),
        resource(KEY, "domain-ca-intermediate", { algorithm: "RSA", rsaBits: o.intermediateBits ?? 4096 }, caOpts),
        resource(CSR, "domain-ca-intermediate", {}, { ...leafOpts, propertyDependencies: { privateKeyPem: dep(KEY, "domain-ca-intermediate") } }),
        resource(
            SIGNED,
            "domain-ca-intermediate",
            { isCaCertificate: true, maxPathLength: 0, validityPeriodHours: 87600, allowedUses: CA_USES, ...o.intermediate },
            { ...leafOpts, propertyDependencies: { certRequestPem: dep(CSR, "domain-ca-intermediate"), caPrivateKeyPem: dep(KEY, "domain-ca-root") } },
        ),
        resource(
            KEY,
            "domain-sequencer1",
            { algorithm: "RSA", rsaBits: 2048, ...o.leafKey },
            { stack: s, parentTypes: ["canton-ha:pki:CertificateAuthority", "canton-ha:pki:Certificate"] },
        ),
        resource(
            CSR,
            "domain-sequencer1",
            {},
            {
                stack: s,
                parentTypes: ["canton-ha:pki:CertificateAuthority", "canton-ha:pki:Certificate"],
                propertyDependencies: {
                    privateKeyPem: o.noDependencies ? [] : [urnOf(KEY, "domain-sequencer1", s, ["canton-ha:pki:CertificateAuthority", "canton-ha:pki:Certificate"])],
                },
            },
        ),
        resource(
            SIGNED,
            "domain-sequencer1",
            { validityPeriodHours: 8760, earlyRenewalHours: 720, allowedUses: ["digital_signature", "key_encipherment", "server_auth"], ...o.leaf },
            {
                stack: s,
                parentTypes: ["canton-ha:pki:CertificateAuthority", "canton-ha:pki:Certificate"],
                propertyDependencies: { caPrivateKeyPem: dep(KEY, "domain-ca-intermediate") },
            },
        ),
    ];
}

export const pkiCases: CaseTable = {
    "pki-key-strength": {
        compliant: [
            { name: "the reference profile (RSA 4096 CAs, RSA 2048 leaves)", resources: pki() },
            { name: "an ECDSA P256 leaf", resources: pki({ leafKey: { algorithm: "ECDSA", ecdsaCurve: "P256" } }) },
        ],
        violating: [
            { name: "an RSA 2048 root", resources: pki({ rootBits: 2048 }), expect: /private key 'domain-ca-root': the CA key is RSA 2048, below 4096 bits/ },
            { name: "an RSA 2048 intermediate (found as a CA by its CSR)", resources: pki({ intermediateBits: 2048 }), expect: /'domain-ca-intermediate': the CA key is RSA 2048/ },
            { name: "an RSA 1024 leaf", resources: pki({ leafKey: { rsaBits: 1024 } }), expect: /'domain-sequencer1': the leaf key is RSA 1024, below 2048 bits/ },
            { name: "ECDSA on P224 (the provider's default curve)", resources: pki({ leafKey: { algorithm: "ECDSA" } }), expect: /uses the ECDSA curve P224/ },
            { name: "ED25519", resources: pki({ leafKey: { algorithm: "ED25519" } }), expect: /uses ED25519 \(allowed: RSA, ECDSA\)/ },
            {
                name: "a weak CA key found by its parent when the engine passes no dependencies",
                resources: pki({ rootBits: 2048, noDependencies: true }),
                expect: /'domain-ca-root': the CA key is RSA 2048/,
            },
        ],
    },
    "leaf-certificate-validity": {
        compliant: [
            { name: "one-year leaves, long-lived CAs", resources: pki() },
            { name: "two years where the config allows it", resources: pki({ leaf: { validityPeriodHours: 17520 } }), config: { maxLeafValidityDays: 731 } },
        ],
        violating: [
            {
                name: "825 days",
                resources: pki({ leaf: { validityPeriodHours: 24 * 825 } }),
                expect: /valid for 19800 hours \(825 days\), more than 398 days.*pki.leafValidityHours to at most 9552/,
            },
            { name: "no early renewal", resources: pki({ leaf: { earlyRenewalHours: 0 } }), expect: /has no earlyRenewalHours/ },
        ],
    },
    "ca-path-length": {
        compliant: [{ name: "an intermediate with pathlen 0", resources: pki() }],
        violating: [
            { name: "no maxPathLength", resources: pki({ intermediate: { maxPathLength: undefined } }), expect: /the intermediate CA has no path length constraint/ },
            { name: "maxPathLength 2", resources: pki({ intermediate: { maxPathLength: 2 } }), expect: /allows 2 further CA levels/ },
        ],
    },
    "root-ca-path-length": {
        compliant: [{ name: "a root with maxPathLength 1", resources: pki({ root: { maxPathLength: 1 } }) }],
        violating: [
            { name: "a root without a path length constraint (canton-ha's today)", resources: pki(), expect: /the root CA has no path length constraint in its inputs/ },
            { name: "a root allowing 3 tiers", resources: pki({ root: { maxPathLength: 3 } }), expect: /allows 3 intermediate tiers/ },
        ],
    },
};
