// A two-tier CA per trust domain: a self-signed root and an intermediate that signs leaves.
import * as pulumi from "@pulumi/pulumi";
import * as tls from "@pulumi/tls";
import type { CertificatePlan } from "../plan/types";
import { IssuedCertificate } from "./issued-certificate";
import { CA_USES, INTERMEDIATE_CA, pemChain, ROOT_CA } from "./profiles";

export interface CertificateAuthorityArgs {
    /** `domain` or a participant name; used in subjects and resource names. */
    trustDomain: string;
    organization: string;
    /** Validity and renewal window of the leaves this CA issues. */
    leafValidityHours: number;
    earlyRenewalHours: number;
}

export class CertificateAuthority extends pulumi.ComponentResource {
    static readonly TYPE = "canton-ha:pki:CertificateAuthority";

    readonly trustDomain: string;
    readonly rootCertPem: pulumi.Output<string>;
    readonly intermediateCertPem: pulumi.Output<string>;
    /** Intermediate + root: what peers put in their trust collection. */
    readonly chainPem: pulumi.Output<string>;
    /** Only for signing children; never exported. */
    private readonly intermediateKeyPem: pulumi.Output<string>;
    private readonly args: CertificateAuthorityArgs;
    private readonly issued = new Map<string, IssuedCertificate>();

    constructor(name: string, args: CertificateAuthorityArgs, opts?: pulumi.ComponentResourceOptions) {
        super(CertificateAuthority.TYPE, name, {}, opts);
        this.args = args;
        this.trustDomain = args.trustDomain;
        const subject = (cn: string) => ({ commonName: cn, organization: args.organization, organizationalUnit: args.trustDomain });

        const rootKey = new tls.PrivateKey(`${name}-root`, { algorithm: "RSA", rsaBits: ROOT_CA.rsaBits }, { parent: this });
        const root = new tls.SelfSignedCert(`${name}-root`, {
            privateKeyPem: rootKey.privateKeyPem,
            subject: subject(`${args.trustDomain} Root CA`),
            isCaCertificate: true,
            validityPeriodHours: ROOT_CA.validityHours,
            allowedUses: CA_USES,
            setSubjectKeyId: true,
        }, { parent: this });

        const intermediateKey = new tls.PrivateKey(`${name}-intermediate`, { algorithm: "RSA", rsaBits: INTERMEDIATE_CA.rsaBits }, { parent: this });
        const csr = new tls.CertRequest(`${name}-intermediate`, {
            privateKeyPem: intermediateKey.privateKeyPem,
            subject: subject(`${args.trustDomain} Intermediate CA`),
        }, { parent: this });
        const intermediate = new tls.LocallySignedCert(`${name}-intermediate`, {
            certRequestPem: csr.certRequestPem,
            caPrivateKeyPem: rootKey.privateKeyPem,
            caCertPem: root.certPem,
            isCaCertificate: true,
            maxPathLength: INTERMEDIATE_CA.maxPathLength,
            validityPeriodHours: INTERMEDIATE_CA.validityHours,
            allowedUses: CA_USES,
            setSubjectKeyId: true,
        }, { parent: this });

        this.rootCertPem = root.certPem;
        this.intermediateCertPem = intermediate.certPem;
        this.chainPem = pulumi.all([intermediate.certPem, root.certPem]).apply(([i, r]) => pemChain(i, r));
        this.intermediateKeyPem = pulumi.secret(intermediateKey.privateKeyPem);
        this.registerOutputs({ rootCertPem: this.rootCertPem, intermediateCertPem: this.intermediateCertPem, chainPem: this.chainPem });
    }

    /** Issues (once) the leaf described by the plan; the leaf is a child of this CA. */
    issue(cert: CertificatePlan | (Omit<CertificatePlan, "usage"> & { usage: "signing" })): IssuedCertificate {
        const existing = this.issued.get(cert.id);
        if (existing) return existing;
        const leaf = new IssuedCertificate(`${this.trustDomain}-${cert.id}`, {
            ...cert,
            organization: this.args.organization,
            organizationalUnit: this.trustDomain,
            caCertPem: this.intermediateCertPem,
            caPrivateKeyPem: this.intermediateKeyPem,
            caChainPem: this.chainPem,
            validityHours: this.args.leafValidityHours,
            earlyRenewalHours: this.args.earlyRenewalHours,
        }, { parent: this });
        this.issued.set(cert.id, leaf);
        return leaf;
    }

    /** A leaf issued earlier; throws if the plan never asked for it. */
    /** Every certificate this CA has issued, by plan id. */
    all(): ReadonlyMap<string, IssuedCertificate> {
        return this.issued;
    }

    get(id: string): IssuedCertificate {
        const leaf = this.issued.get(id);
        if (!leaf) throw new pulumi.ResourceError(`trust domain '${this.trustDomain}' has no certificate '${id}'`, this);
        return leaf;
    }
}
