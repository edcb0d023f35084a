// Docker: the container's envs and uploads are stored in the Pulumi state; keys, passwords and
// tokens among them must be Pulumi secrets, so that the state encrypts them.
import { T } from "../lib/model";
import { isText } from "../lib/props";
import { resourcePolicy } from "../lib/policy";
import { isKeyFileName, isSecretName, secretMaterialIn } from "../lib/secrets";

export const dockerSecretInputs = resourcePolicy({
    name: "docker-secrets-encrypted-in-state",
    description: "Docker container env entries and uploaded files that hold keys, passwords or tokens are Pulumi secrets, so the state stores them encrypted.",
    enforcementLevel: "mandatory",
    types: [T.container],
    validate(res, _cfg, report) {
        if (!res.secretsKnown) return; // the engine did not say which values are secret
        (res.props.envs ?? []).forEach((e: unknown, i: number) => {
            if (!isText(e)) return;
            const name = e.split("=")[0];
            const value = e.slice(name.length + 1);
            if ((isSecretName(name) && value.length > 0) || secretMaterialIn(value)) {
                if (!res.isSecret(["envs", i]))
                    report(`env ${name} is stored in plain text in the state`, "wrap the value in pulumi.secret() (the Docker platform does this for sensitive env entries)");
            }
        });
        (res.props.uploads ?? []).forEach((u: any, i: number) => {
            const file = String(u?.file);
            const field = u?.content !== undefined ? "content" : "contentBase64";
            const value = u?.[field];
            if (!isText(value)) return;
            const decoded = field === "contentBase64" ? Buffer.from(value, "base64").toString("latin1") : value;
            const sensitive = secretMaterialIn(decoded) ?? (isKeyFileName(file) ? "a key file" : undefined);
            if (sensitive && !res.isSecret(["uploads", i, field]))
                report(`the upload ${file} holds ${sensitive} and is stored in plain text in the state`, "mark the file sensitive (secretFile) so its content is a Pulumi secret");
        });
    },
});
