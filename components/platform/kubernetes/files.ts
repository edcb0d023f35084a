// A workload's files and environment as Kubernetes objects: public files in a ConfigMap,
// keys, passwords and tokens in a Secret, both projected into one volume and mounted file by
// file (subPath), so a file never hides the rest of an image directory (/etc/nginx). Secret
// env entries are `secretKeyRef`s, never literals. The checksum of everything goes on the pod
// template: a changed file or password rolls the pods that use it.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { createHash } from "node:crypto";
import type { EnvEntry, WorkloadFile } from "../types";

/** The projected volume that holds a workload's files. */
const FILES_VOLUME = "files";
const PUBLIC_MODE = 0o444;
const SECRET_MODE = 0o400;

/** A ConfigMap/Secret key for a path: `/canton/tls/server.key` -> `canton_tls_server.key`. */
function fileKey(path: string): string {
    return path.replace(/^\/+/, "").replace(/[^A-Za-z0-9._-]/g, "_");
}

const envKey = (name: string) => `env.${name}`;

interface WorkloadObjects {
    configMap?: k8s.core.v1.ConfigMap;
    secret?: k8s.core.v1.Secret;
    volume?: k8s.types.input.core.v1.Volume;
    mounts: k8s.types.input.core.v1.VolumeMount[];
    env: k8s.types.input.core.v1.EnvVar[];
    /** sha256 over every file and env value. */
    checksum: pulumi.Output<string>;
}

interface FilesArgs {
    /** Object names: `<name>-files`, `<name>-secrets`. */
    name: string;
    namespace: pulumi.Input<string>;
    labels: Record<string, string>;
    files: WorkloadFile[];
    env?: Record<string, EnvEntry>;
    opts: pulumi.CustomResourceOptions;
}

export function workloadObjects(args: FilesArgs): WorkloadObjects {
    const seen = new Set<string>();
    for (const f of args.files) {
        const key = fileKey(f.path);
        if (seen.has(key)) throw new Error(`workload ${args.name}: two files map to the key '${key}'`);
        seen.add(key);
    }
    const publicFiles = args.files.filter((f) => !f.sensitive);
    const secretFiles = args.files.filter((f) => f.sensitive);
    const entries = Object.entries(args.env ?? {});
    const secretEnv = entries.filter(([, e]) => e.sensitive);
    const metadata = (suffix: string) => ({ name: `${args.name}-${suffix}`, namespace: args.namespace, labels: args.labels });

    const configMap =
        publicFiles.length === 0
            ? undefined
            : new k8s.core.v1.ConfigMap(
                  `${args.name}-files`,
                  {
                      metadata: metadata("files"),
                      data: Object.fromEntries(publicFiles.filter((f) => !f.base64).map((f) => [fileKey(f.path), f.content])),
                      binaryData: Object.fromEntries(publicFiles.filter((f) => f.base64).map((f) => [fileKey(f.path), f.content])),
                  },
                  args.opts,
              );
    const secret =
        secretFiles.length + secretEnv.length === 0
            ? undefined
            : new k8s.core.v1.Secret(
                  `${args.name}-secrets`,
                  {
                      metadata: metadata("secrets"),
                      type: "Opaque",
                      // `data` is base64 (binary keys); `stringData` is text. Both stay secret in the state.
                      data: Object.fromEntries(secretFiles.filter((f) => f.base64).map((f) => [fileKey(f.path), pulumi.secret(f.content)])),
                      stringData: Object.fromEntries([
                          ...secretFiles.filter((f) => !f.base64).map((f) => [fileKey(f.path), pulumi.secret(f.content)]),
                          ...secretEnv.map(([k, e]) => [envKey(k), pulumi.secret(e.value)]),
                      ]),
                  },
                  args.opts,
              );

    const item = (f: WorkloadFile, secretItem: boolean) => ({ key: fileKey(f.path), path: fileKey(f.path), mode: f.mode ?? (secretItem ? SECRET_MODE : PUBLIC_MODE) });
    const sources: k8s.types.input.core.v1.VolumeProjection[] = [];
    if (configMap) sources.push({ configMap: { name: configMap.metadata.name, items: publicFiles.map((f) => item(f, false)) } });
    if (secret && secretFiles.length > 0) sources.push({ secret: { name: secret.metadata.name, items: secretFiles.map((f) => item(f, true)) } });
    const volume = sources.length === 0 ? undefined : { name: FILES_VOLUME, projected: { sources, defaultMode: PUBLIC_MODE } };
    const mounts = args.files.map((f) => ({ name: FILES_VOLUME, mountPath: f.path, subPath: fileKey(f.path), readOnly: true }));

    const env: k8s.types.input.core.v1.EnvVar[] = entries.map(([name, e]) =>
        e.sensitive ? { name, valueFrom: { secretKeyRef: { name: secret!.metadata.name, key: envKey(name) } } } : { name, value: e.value },
    );

    // Not secret: a digest over every file, private keys included, reveals none of them, and a
    // secret annotation would hide the whole pod spec from `pulumi preview` diffs.
    const checksum = pulumi.unsecret(
        pulumi.all([...args.files.map((f) => pulumi.all([f.path, f.content])), ...entries.map(([k, e]) => pulumi.all([k, e.value]))]).apply((parts) => {
            const h = createHash("sha256");
            for (const [k, v] of parts) {
                const text = String(v ?? "");
                h.update(`${k.length}:${k}${text.length}:${text}`);
            }
            return h.digest("hex");
        }),
    );
    return { configMap, secret, volume, mounts, env, checksum };
}
