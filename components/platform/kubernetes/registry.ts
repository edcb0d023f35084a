// The image pull Secret for the Canton image's registry (Digital Asset's, or a mirror), made
// from `canton.registryUsername` and the secret key `canton-ha:cantonRegistryPassword`.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

export function registrySecret(
    auth: { address: string; username: string; password: pulumi.Input<string> },
    namespace: pulumi.Input<string>,
    labels: Record<string, string>,
    opts: pulumi.CustomResourceOptions,
): k8s.core.v1.Secret {
    const host = auth.address.split("/")[0];
    const dockerConfig = pulumi.secret(
        pulumi
            .output(auth.password)
            .apply((password) =>
                JSON.stringify({ auths: { [host]: { username: auth.username, password, auth: Buffer.from(`${auth.username}:${password}`).toString("base64") } } }),
            ),
    );
    return new k8s.core.v1.Secret(
        "registry-login",
        { metadata: { name: "canton-registry", namespace, labels }, type: "kubernetes.io/dockerconfigjson", stringData: { ".dockerconfigjson": dockerConfig } },
        opts,
    );
}
