// Data safety outside dev stacks, and token lifetimes.
import { k8s, labels, resource, urnOf } from "../support/wire";
import { pki } from "./pki";
import type { CaseTable } from "./types";

const PROD = "prod";
const volume = (protect: boolean, retainOnDelete?: boolean, stack = PROD) =>
    resource("docker:index/volume:Volume", "domain-db-domain-db-data", { name: "canton-ha-prod-domain-db-data" }, { stack, protect, retainOnDelete });
const password = (protect: boolean, stack = PROD) =>
    resource("random:index/randomPassword:RandomPassword", "domain-db-sequencer", { length: 32, special: false }, { stack, protect });
const pvc = (protect: boolean) =>
    k8s(
        "v1/PersistentVolumeClaim",
        "domain-db-data",
        { spec: { resources: { requests: { storage: "50Gi" } } } },
        { labels: labels("database", "domain-db"), o: { stack: PROD, protect } },
    );
const protectedAll = () => [volume(true), password(true), pvc(true), ...pki({ stack: PROD, protectCaKeys: true })];
/** A participant's JWT signing key: a leaf whose certificate may only sign. */
const signingKey = (protect: boolean) => {
    const key = resource("tls:index/privateKey:PrivateKey", "participant1-jwt-signing-g1", { algorithm: "RSA", rsaBits: 2048 }, { stack: PROD, protect });
    const csr = resource("tls:index/certRequest:CertRequest", "participant1-jwt-signing-g1", {}, { stack: PROD, propertyDependencies: { privateKeyPem: [key.urn] } });
    const cert = resource(
        "tls:index/locallySignedCert:LocallySignedCert",
        "participant1-jwt-signing-g1",
        { allowedUses: ["digital_signature"], validityPeriodHours: 8760 },
        { stack: PROD, propertyDependencies: { certRequestPem: [urnOf(csr.type, csr.name, PROD)] } },
    );
    return [key, csr, cert];
};
const token = (hours: number) =>
    resource("pulumi-nodejs:dynamic/canton-ha:JwtToken", "participant1-token-alice", { subject: "alice", lifetimeSeconds: hours * 3600, renewalWindowSeconds: 6 * 3600 });

export const dataCases: CaseTable = {
    "protect-stateful-resources": {
        compliant: [
            { name: "a production stack with everything protected", resources: protectedAll() },
            { name: "a protected JWT signing key", resources: signingKey(true) },
            { name: "an unprotected JWT signing key where the config allows it", resources: signingKey(false), config: { protectSigningKeys: false } },
            { name: "a retained volume (where the engine passes retainOnDelete)", resources: [volume(false, true)] },
            { name: "a dev stack may lose its data", resources: [volume(false, false, "dev"), password(false, "dev"), ...pki({ stack: "dev" })] },
            {
                name: "a StatefulSet that retains its claims",
                resources: [
                    k8s(
                        "apps/v1/StatefulSet",
                        "domain-db",
                        { spec: { volumeClaimTemplates: [{ metadata: { name: "data" } }], persistentVolumeClaimRetentionPolicy: { whenDeleted: "Retain" } } },
                        { o: { stack: PROD } },
                    ),
                ],
            },
        ],
        violating: [
            { name: "an unprotected data volume", resources: [volume(false)], expect: /volume 'domain-db-domain-db-data': the data volume is neither protected nor retained/ },
            { name: "an unprotected database password", resources: [password(false)], expect: /random password 'domain-db-sequencer': the database password is not protected/ },
            { name: "an unprotected claim", resources: [pvc(false)], expect: /PersistentVolumeClaim 'domain-db-data': the PersistentVolumeClaim is not protected/ },
            { name: "unprotected CA keys", resources: pki({ stack: PROD }), expect: /private key 'domain-ca-root': the CA private key is not protected/ },
            {
                name: "a StatefulSet that deletes its claims",
                resources: [
                    k8s(
                        "apps/v1/StatefulSet",
                        "domain-db",
                        { spec: { volumeClaimTemplates: [{ metadata: { name: "data" } }], persistentVolumeClaimRetentionPolicy: { whenDeleted: "Delete" } } },
                        { o: { stack: PROD } },
                    ),
                ],
                expect: /whenDeleted: Delete/,
            },
            { name: "a stack the config no longer counts as dev", resources: [volume(false, false, "dev")], config: { devStacks: [] }, expect: /neither protected nor retained/ },
        ],
    },
    "jwt-token-lifetime": {
        compliant: [{ name: "24 hours", resources: [token(24)] }],
        violating: [{ name: "30 days", resources: [token(720)], expect: /the token lives 720 hours, longer than 24/ }],
    },
};
