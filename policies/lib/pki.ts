// The generated PKI (@pulumi/tls) as a graph: which private keys belong to CAs, which sign JWTs.
// A key is a CA key when a CA certificate is made from it (its own SelfSignedCert, or the
// CertRequest of a LocallySignedCert with isCaCertificate) or when it signs certificates
// (caPrivateKeyPem). Where the engine passed no dependencies, a key that is a direct child of a
// `CertificateAuthority` component counts as one.
import { T, type Model } from "./model";
import type { Res } from "./props";

export interface PkiRoles {
    caKeys: Set<Res>;
    signingKeys: Set<Res>;
}

const deps = (r: Res, prop: string) => r.propertyDependencies[prop] ?? [];

export function pkiRoles(model: Model): PkiRoles {
    const caKeys = new Set<Res>();
    const signingKeys = new Set<Res>();
    for (const cert of model.ofType(T.selfSigned)) {
        if (cert.props.isCaCertificate === true)
            deps(cert, "privateKeyPem")
                .filter((d) => d.type === T.privateKey)
                .forEach((k) => caKeys.add(k));
    }
    for (const cert of model.ofType(T.locallySigned)) {
        deps(cert, "caPrivateKeyPem")
            .filter((d) => d.type === T.privateKey)
            .forEach((k) => caKeys.add(k));
        const ownKeys = deps(cert, "certRequestPem")
            .filter((d) => d.type === T.certRequest)
            .flatMap((csr) => deps(csr, "privateKeyPem"))
            .filter((d) => d.type === T.privateKey);
        if (cert.props.isCaCertificate === true) ownKeys.forEach((k) => caKeys.add(k));
        const uses = Array.isArray(cert.props.allowedUses) ? cert.props.allowedUses : [];
        if (cert.props.isCaCertificate !== true && uses.length > 0 && uses.every((u: unknown) => u === "digital_signature")) ownKeys.forEach((k) => signingKeys.add(k));
    }
    for (const key of model.ofType(T.privateKey)) {
        const parentType = key.parent?.type ?? key.parentTypes[key.parentTypes.length - 1] ?? "";
        if (parentType.endsWith(":CertificateAuthority") && !signingKeys.has(key)) caKeys.add(key);
    }
    return { caKeys, signingKeys };
}
