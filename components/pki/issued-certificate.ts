// A leaf certificate: its own RSA key, a CSR, and the intermediate's signature.
import * as pulumi from "@pulumi/pulumi";
import * as tls from "@pulumi/tls";
import type { LeafMaterial } from "./pki";
import { LEAF_RSA_BITS, LeafUsage, leafUses, pemChain, pemToDerBase64 } from "./profiles";

interface IssuedCertificateArgs {
    usage: LeafUsage;
    commonName: string;
    dnsNames: string[];
    ipAddresses: string[];
    organization: string;
    organizationalUnit: string;
    caCertPem: pulumi.Input<string>;
    caPrivateKeyPem: pulumi.Input<string>;
    /** Intermediate + root, appended to make the leaf's chain file. */
    caChainPem: pulumi.Input<string>;
    validityHours: number;
    earlyRenewalHours: number;
    /** `protect` the private key (JWT signing keys in stacks that protect state). */
    protect?: boolean;
}

export class IssuedCertificate extends pulumi.ComponentResource implements LeafMaterial {
    static readonly TYPE = "canton-ha:pki:Certificate";

    readonly certPem: pulumi.Output<string>;
    /** Leaf + intermediate + root (the reference's `<host>-chain` file). */
    readonly chainPem: pulumi.Output<string>;
    /** PKCS#8 PEM. Secret. */
    readonly privateKeyPem: pulumi.Output<string>;
    /** PKCS#8 DER, base64, for pgjdbc's `sslkey`. Secret. */
    readonly privateKeyDerBase64: pulumi.Output<string>;
    /** Public key in PEM, e.g. for a JWKS. */
    readonly publicKeyPem: pulumi.Output<string>;
    readonly validityEndTime: pulumi.Output<string>;

    constructor(name: string, args: IssuedCertificateArgs, opts?: pulumi.ComponentResourceOptions) {
        super(IssuedCertificate.TYPE, name, {}, opts);
        const key = new tls.PrivateKey(name, { algorithm: "RSA", rsaBits: LEAF_RSA_BITS }, { parent: this, protect: args.protect });
        const csr = new tls.CertRequest(
            name,
            {
                privateKeyPem: key.privateKeyPem,
                subject: { commonName: args.commonName, organization: args.organization, organizationalUnit: args.organizationalUnit },
                dnsNames: args.dnsNames,
                ipAddresses: args.ipAddresses,
            },
            { parent: this },
        );
        const cert = new tls.LocallySignedCert(
            name,
            {
                certRequestPem: csr.certRequestPem,
                caCertPem: args.caCertPem,
                caPrivateKeyPem: args.caPrivateKeyPem,
                validityPeriodHours: args.validityHours,
                // Inside this window `pulumi up` replaces the certificate: renewal is one command.
                earlyRenewalHours: args.earlyRenewalHours,
                allowedUses: leafUses(args.usage),
                setSubjectKeyId: true,
            },
            { parent: this },
        );

        this.certPem = cert.certPem;
        this.chainPem = pulumi.all([cert.certPem, args.caChainPem]).apply(([c, chain]) => pemChain(c, chain));
        this.privateKeyPem = pulumi.secret(key.privateKeyPemPkcs8);
        this.privateKeyDerBase64 = pulumi.secret(key.privateKeyPemPkcs8.apply(pemToDerBase64));
        this.publicKeyPem = key.publicKeyPem;
        this.validityEndTime = cert.validityEndTime;
        this.registerOutputs({ certPem: this.certPem, chainPem: this.chainPem, privateKeyPem: this.privateKeyPem, validityEndTime: this.validityEndTime });
    }
}
