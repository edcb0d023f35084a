// Docker has no secret store: an env var is visible to `docker inspect` and to every process in
// the container. Files with mode 0400 (or `_FILE` variables) keep a secret out of both.
import { T } from "../lib/model";
import { isText } from "../lib/props";
import { resourcePolicy } from "../lib/policy";
import { isSecretName, secretMaterialIn } from "../lib/secrets";

export const dockerSecretsInEnv = resourcePolicy({
    name: "docker-secrets-in-env",
    description: "Advisory: Docker containers that take passwords or tokens as env vars expose them to `docker inspect`; prefer secret files.",
    enforcementLevel: "advisory",
    types: [T.container],
    validate(res, _cfg, report) {
        const names = ((res.props.envs ?? []) as unknown[])
            .filter(isText)
            .filter((e) => {
                const name = e.split("=")[0];
                const value = e.slice(name.length + 1);
                return (isSecretName(name) && value.length > 0) || secretMaterialIn(value) !== undefined;
            })
            .map((e) => e.split("=")[0]);
        if (names.length > 0) {
            report(
                `env ${names.join(", ")} carr${names.length === 1 ? "ies a secret" : "y secrets"} that \`docker inspect\` shows to anyone with access to the Docker socket`,
                "upload the value as a file with mode 0400 and read it from there (e.g. POSTGRES_PASSWORD_FILE, a HOCON include of a secret file)",
            );
        }
    },
});
