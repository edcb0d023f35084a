// Leaf certificates of the generated PKI live at most 398 days (the CA/Browser Forum limit);
// `pulumi up` renews them within earlyRenewalHours. For `pki.source: files`, canton-ha's own
// validation reads the files' dates (components/pki/files.ts).
import { T } from "../lib/model";
import { integer, resourcePolicy } from "../lib/policy";

export const leafValidity = resourcePolicy<{ maxLeafValidityDays: number }>({
    name: "leaf-certificate-validity",
    description:
        "Generated leaf certificates (not CAs) are valid for at most maxLeafValidityDays (398) and renew early. (pki.source files: checked by canton-ha's own validation.)",
    enforcementLevel: "mandatory",
    types: [T.locallySigned, T.selfSigned],
    config: { maxLeafValidityDays: integer("Longest validity of a leaf certificate, in days.", 398, 1) },
    validate(res, cfg, report) {
        if (res.props.isCaCertificate === true) return;
        const hours = res.props.validityPeriodHours;
        if (typeof hours !== "number") return; // unknown during preview
        if (hours > cfg.maxLeafValidityDays * 24) {
            report(
                `the leaf certificate is valid for ${hours} hours (${Math.round(hours / 24)} days), more than ${cfg.maxLeafValidityDays} days`,
                `lower canton-ha:pki.leafValidityHours to at most ${cfg.maxLeafValidityDays * 24}`,
            );
        }
        if (res.props.earlyRenewalHours === undefined || res.props.earlyRenewalHours === 0) {
            report("the leaf certificate has no earlyRenewalHours, so `pulumi up` only replaces it after it has expired", "set canton-ha:pki.earlyRenewalHours (default 720)");
        }
    },
});
