// A two-tier CA per trust domain: a self-signed root and an intermediate that signs leaves.
import * as pulumi from "@pulumi/pulumi";
import * as tls from "@pulumi/tls";
import type { CertificatePlan, TrustDomain } from "../plan/types";
import { IssuedCertificate } from "./issued-certificate";
import type { LeafMaterial, TrustDomainPki } from "./pki";
import { CA_USES, INTERMEDIATE_CA, pemChain, ROOT_CA } from "./profiles";

export interface CertificateAuthorityArgs {
    /** The trust domain: its id names subjects and resources; it lists every certificate to issue. */
    trustDomain: TrustDomain;
    /** `protect` the CA keys: a lost CA key means re-issuing every certificate of the trust domain. */
    protect?: boolean;
}

/** A generated 2-tier PKI (`@pulumi/tls`), issuing every certificate its trust domain plans. */
export class CertificateAuthority extends pulumi.ComponentResource implements TrustDomainPki {
    static readonly TYPE = "canton-ha:pki:CertificateAuthority";

    readonly trustDomain: string;
    readonly plan: TrustDomain;
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
        this.plan = args.trustDomain;
        this.trustDomain = args.trustDomain.id;
        const td = args.trustDomain;
        const subject = (cn: string) => ({ commonName: cn, organization: td.organization, organizationalUnit: td.id });
        const keyOpts = { parent: this, protect: args.protect };

        const rootKey = new tls.PrivateKey(`${name}-root`, { algorithm: "RSA", rsaBits: ROOT_CA.rsaBits }, keyOpts);
        const root = new tls.SelfSignedCert(
            `${name}-root`,
            {
                privateKeyPem: rootKey.privateKeyPem,
                subject: subject(`${td.id} Root CA`),
                isCaCertificate: true,
                validityPeriodHours: ROOT_CA.validityHours,
                allowedUses: CA_USES,
                setSubjectKeyId: true,
            },
            { parent: this },
        );

        const intermediateKey = new tls.PrivateKey(`${name}-intermediate`, { algorithm: "RSA", rsaBits: INTERMEDIATE_CA.rsaBits }, keyOpts);
        const csr = new tls.CertRequest(
            `${name}-intermediate`,
            {
                privateKeyPem: intermediateKey.privateKeyPem,
                subject: subject(`${td.id} Intermediate CA`),
            },
            { parent: this },
        );
        const intermediate = new tls.LocallySignedCert(
            `${name}-intermediate`,
            {
                certRequestPem: csr.certRequestPem,
                caPrivateKeyPem: rootKey.privateKeyPem,
                caCertPem: root.certPem,
                isCaCertificate: true,
                maxPathLength: INTERMEDIATE_CA.maxPathLength,
                validityPeriodHours: INTERMEDIATE_CA.validityHours,
                allowedUses: CA_USES,
                setSubjectKeyId: true,
            },
            { parent: this },
        );

        this.rootCertPem = root.certPem;
        this.intermediateCertPem = intermediate.certPem;
        this.chainPem = pulumi.all([intermediate.certPem, root.certPem]).apply(([i, r]) => pemChain(i, r));
        this.intermediateKeyPem = pulumi.secret(intermediateKey.privateKeyPem);
        for (const cert of td.certificates) this.issue(cert);
        this.registerOutputs({ rootCertPem: this.rootCertPem, intermediateCertPem: this.intermediateCertPem, chainPem: this.chainPem });
    }

    /** Issues (once) the leaf described by the plan; the leaf is a child of this CA. */
    private issue(cert: CertificatePlan): IssuedCertificate {
        const existing = this.issued.get(cert.id);
        if (existing) return existing;
        const leaf = new IssuedCertificate(
            `${this.trustDomain}-${cert.id}`,
            {
                ...cert,
                organization: this.plan.organization,
                organizationalUnit: this.trustDomain,
                caCertPem: this.intermediateCertPem,
                caPrivateKeyPem: this.intermediateKeyPem,
                caChainPem: this.chainPem,
                validityHours: this.plan.leafValidityHours,
                earlyRenewalHours: this.plan.earlyRenewalHours,
                // JWT signing keys sign every token; losing one invalidates them all.
                protect: this.args.protect === true && cert.usage === "signing",
            },
            { parent: this },
        );
        this.issued.set(cert.id, leaf);
        return leaf;
    }

    /** Every certificate this CA has issued, by plan id. */
    all(): ReadonlyMap<string, IssuedCertificate> {
        return this.issued;
    }

    /** The issued leaf of a certificate the trust domain plans; throws for one it does not. */
    certificate(cert: CertificatePlan): LeafMaterial {
        const leaf = this.issued.get(cert.id);
        if (!leaf) throw new pulumi.ResourceError(`trust domain '${this.trustDomain}' has no certificate '${cert.id}'`, this);
        return leaf;
    }
}
