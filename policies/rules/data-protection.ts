// Data safety outside dev stacks: what cannot be recreated without loss is protected (or
// retained on delete). The analyzer protocol of the policy CLI carries `protect` but not
// `retainOnDelete`, so retention counts where the resource itself says so (a StatefulSet's
// PVC retention policy) or where the engine passes the option.
import { T } from "../lib/model";
import { pkiRoles } from "../lib/pki";
import type { Res } from "../lib/props";
import { bool, stackPolicy, stringList } from "../lib/policy";

const kept = (r: Res) => r.protect || r.retainOnDelete === true;

export const dataProtection = stackPolicy<{ devStacks: string[]; protectSigningKeys: boolean }>({
    name: "protect-stateful-resources",
    description:
        "Outside dev stacks, Postgres volumes and PVCs, CA keys, JWT signing keys and database passwords are protected (or retained on delete), so `pulumi destroy` or a replacement cannot lose them.",
    enforcementLevel: "mandatory",
    config: {
        devStacks: stringList("Stacks whose data may be lost (torn down and rebuilt).", ["dev"]),
        protectSigningKeys: bool("Also require protect on JWT signing keys (losing one invalidates every token).", true),
    },
    validate(model, cfg, report) {
        if (cfg.devStacks.includes(model.stack)) return;
        const fix = "set canton-ha:protect true (and canton-ha:postgres.retainData true for volumes) in the stack config";
        for (const v of model.ofType(T.volume)) if (!kept(v)) report(v, "the data volume is neither protected nor retained: `pulumi destroy` deletes the database", fix);
        for (const c of model.ofType(T.pvc))
            if (!kept(c)) report(c, "the PersistentVolumeClaim is not protected: `pulumi destroy` deletes it and, with a Delete reclaim policy, the data", fix);
        for (const s of model.ofType(T.statefulSet)) {
            const templates = s.props.spec?.volumeClaimTemplates;
            if (Array.isArray(templates) && templates.length > 0 && s.props.spec?.persistentVolumeClaimRetentionPolicy?.whenDeleted === "Delete") {
                report(
                    s,
                    "its volume claims are deleted with the StatefulSet (persistentVolumeClaimRetentionPolicy.whenDeleted: Delete)",
                    "set persistentVolumeClaimRetentionPolicy.whenDeleted: Retain",
                );
            }
        }
        const { caKeys, signingKeys } = pkiRoles(model);
        for (const k of caKeys) if (!kept(k)) report(k, "the CA private key is not protected: losing it means re-issuing every certificate of its trust domain", fix);
        if (cfg.protectSigningKeys)
            for (const k of signingKeys) if (!kept(k)) report(k, "the JWT signing key is not protected: replacing it invalidates every token it signed", fix);
        for (const p of model.ofType(T.randomPassword))
            if (!kept(p)) report(p, "the database password is not protected: a replacement locks the nodes out of a retained database", fix);
    },
});
