// What the rest of the stack needs of a trust domain's PKI, whoever made it: generated here
// with @pulumi/tls (certificate-authority.ts), or brought by the operator from a corporate CA.
import type * as pulumi from "@pulumi/pulumi";
import type { CertificatePlan } from "../plan/types";

/** One certificate with its key, as the nodes use it. */
export interface LeafMaterial {
    certPem: pulumi.Output<string>;
    /** Leaf + intermediate + root (the reference's `<host>-chain` file). */
    chainPem: pulumi.Output<string>;
    /** PKCS#8 PEM. Secret. */
    privateKeyPem: pulumi.Output<string>;
    /** PKCS#8 DER, base64, for pgjdbc's `sslkey`. Secret. */
    privateKeyDerBase64: pulumi.Output<string>;
}

export interface TrustDomainPki {
    /** The trust domain's id. */
    readonly trustDomain: string;
    readonly rootCertPem: pulumi.Output<string>;
    /** Intermediate + root: what peers put in their trust collection. */
    readonly chainPem: pulumi.Output<string>;
    /** The material of a certificate the trust domain plans. */
    certificate(cert: CertificatePlan): LeafMaterial;
}
