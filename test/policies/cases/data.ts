// Data safety outside dev stacks, and token lifetimes.
import { k8s, labels, resource } from "../support/wire";
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
const token = (hours: number) =>
    resource("pulumi-nodejs:dynamic/canton-ha:JwtToken", "participant1-token-alice", { subject: "alice", lifetimeSeconds: hours * 3600, renewalWindowSeconds: 6 * 3600 });

export const dataCases: CaseTable = {
    "protect-stateful-resources": {
        compliant: [
            { name: "a production stack with everything protected", resources: protectedAll() },
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
