// Key sizes of the generated PKI (@pulumi/tls PrivateKey inputs): RSA 2048 for leaves and 4096
// for CAs by default, ECDSA on allowed curves only. With `pki.source: files` no key is
// generated: canton-ha's own validation (components/pki/files.ts) checks the files' keys.
import { T } from "../lib/model";
import { pkiRoles } from "../lib/pki";
import { integer, stackPolicy, stringList } from "../lib/policy";

export const keyStrength = stackPolicy<{ leafMinRsaBits: number; caMinRsaBits: number; allowedAlgorithms: string[]; allowedEcdsaCurves: string[]; caAllowedEcdsaCurves: string[] }>(
    {
        name: "pki-key-strength",
        description:
            "Generated private keys are strong enough: RSA >= 2048 bits for leaves and >= 4096 for CAs, ECDSA on allowed curves, no other algorithm. (pki.source files: checked by canton-ha's own validation.)",
        enforcementLevel: "mandatory",
        config: {
            leafMinRsaBits: integer("Minimum RSA size of leaf (server, client, JWT signing) keys.", 2048, 1024),
            caMinRsaBits: integer("Minimum RSA size of CA keys.", 4096, 1024),
            allowedAlgorithms: stringList("Key algorithms allowed.", ["RSA", "ECDSA"]),
            allowedEcdsaCurves: stringList("ECDSA curves allowed for leaves.", ["P256", "P384", "P521"]),
            caAllowedEcdsaCurves: stringList("ECDSA curves allowed for CAs.", ["P384", "P521"]),
        },
        validate(model, cfg, report) {
            const { caKeys } = pkiRoles(model);
            for (const key of model.ofType(T.privateKey)) {
                const ca = caKeys.has(key);
                const role = ca ? "CA key" : "leaf key";
                const algorithm = String(key.props.algorithm ?? "RSA");
                if (!cfg.allowedAlgorithms.includes(algorithm)) {
                    report(key, `the ${role} uses ${algorithm} (allowed: ${cfg.allowedAlgorithms.join(", ")})`, `generate it with algorithm ${cfg.allowedAlgorithms[0]}`);
                    continue;
                }
                if (algorithm === "RSA") {
                    const bits = typeof key.props.rsaBits === "number" ? key.props.rsaBits : 2048; // @pulumi/tls default
                    const min = ca ? cfg.caMinRsaBits : cfg.leafMinRsaBits;
                    if (bits < min) report(key, `the ${role} is RSA ${bits}, below ${min} bits`, `set rsaBits: ${min}`);
                } else if (algorithm === "ECDSA") {
                    const curve = String(key.props.ecdsaCurve ?? "P224"); // @pulumi/tls default
                    const allowed = ca ? cfg.caAllowedEcdsaCurves : cfg.allowedEcdsaCurves;
                    if (!allowed.includes(curve)) report(key, `the ${role} uses the ECDSA curve ${curve} (allowed: ${allowed.join(", ")})`, `set ecdsaCurve: "${allowed[0]}"`);
                }
            }
        },
    },
);
