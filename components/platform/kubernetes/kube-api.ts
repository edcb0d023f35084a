// Just enough of a Kubernetes API client to read a finished Job's pod and its log, with the
// same kubeconfig the kubernetes provider uses: client certificates, bearer tokens and exec
// credential plugins (EKS, GKE, AKS). It runs inside a dynamic provider, whose code Pulumi
// serializes: so these are plain functions that `require` what they use when they run (a
// module object captured at import time would be serialized with everything in it).
/* eslint-disable @typescript-eslint/no-require-imports -- loaded at run time inside the serialized provider, see above */
interface Modules {
    childProcess: typeof import("child_process");
    fs: typeof import("fs");
    https: typeof import("https");
    os: typeof import("os");
    path: typeof import("path");
    yaml: typeof import("js-yaml");
}

function modules(): Modules {
    return { childProcess: require("child_process"), fs: require("fs"), https: require("https"), os: require("os"), path: require("path"), yaml: require("js-yaml") };
}

interface KubeAccess {
    server: string;
    ca?: string;
    cert?: string;
    key?: string;
    token?: string;
    insecure: boolean;
}

interface NamedEntry<T> {
    name: string;
    [key: string]: T | string;
}

const b64 = (s: string) => Buffer.from(s, "base64").toString("utf8");

/** The kubeconfig file the provider would read: the given path, else the first of KUBECONFIG, else ~/.kube/config. */
function kubeconfigPath(file?: string): string {
    const { path, os } = modules();
    if (file) return path.resolve(file);
    const fromEnv = process.env.KUBECONFIG?.split(":").find((p) => p.length > 0);
    return fromEnv ?? path.resolve(os.homedir(), ".kube", "config");
}

export function kubeAccess(kubeconfig?: string, context?: string): KubeAccess {
    const { childProcess, fs, path, yaml } = modules();
    const file = kubeconfigPath(kubeconfig);
    const cfg = yaml.load(fs.readFileSync(file, "utf8")) as Record<string, any>;
    const rel = (p: string) => (path.isAbsolute(p) ? p : path.resolve(path.dirname(file), p));
    const ctxName = context ?? cfg["current-context"];
    const ctx = (cfg.contexts as NamedEntry<any>[] | undefined)?.find((c) => c.name === ctxName)?.context;
    if (!ctx) throw new Error(`kubeconfig ${file} has no context '${ctxName}'`);
    const cluster = (cfg.clusters as NamedEntry<any>[]).find((c) => c.name === ctx.cluster)?.cluster;
    const user = ((cfg.users as NamedEntry<any>[] | undefined)?.find((u) => u.name === ctx.user)?.user ?? {}) as Record<string, any>;
    if (!cluster) throw new Error(`kubeconfig ${file}: context '${ctxName}' names no known cluster`);
    const access: KubeAccess = {
        server: cluster.server,
        ca: cluster["certificate-authority-data"]
            ? b64(cluster["certificate-authority-data"])
            : cluster["certificate-authority"]
              ? fs.readFileSync(rel(cluster["certificate-authority"]), "utf8")
              : undefined,
        insecure: cluster["insecure-skip-tls-verify"] === true,
        cert: user["client-certificate-data"]
            ? b64(user["client-certificate-data"])
            : user["client-certificate"]
              ? fs.readFileSync(rel(user["client-certificate"]), "utf8")
              : undefined,
        key: user["client-key-data"] ? b64(user["client-key-data"]) : user["client-key"] ? fs.readFileSync(rel(user["client-key"]), "utf8") : undefined,
        token: user.token ?? (user.tokenFile ? fs.readFileSync(rel(user.tokenFile), "utf8").trim() : undefined),
    };
    if (user.exec) {
        // An exec credential plugin prints an ExecCredential (client.authentication.k8s.io).
        const exec = user.exec as { command: string; args?: string[]; env?: { name: string; value: string }[] };
        const env = { ...process.env, ...Object.fromEntries((exec.env ?? []).map((e) => [e.name, e.value])) };
        const status = JSON.parse(childProcess.execFileSync(exec.command, exec.args ?? [], { env, encoding: "utf8" })).status ?? {};
        access.token = status.token ?? access.token;
        access.cert = status.clientCertificateData ?? access.cert;
        access.key = status.clientKeyData ?? access.key;
    }
    return access;
}

/** GET a path of the API server; JSON unless `text`. */
export function kubeGet(access: KubeAccess, apiPath: string, text = false): Promise<any> {
    const { https } = modules();
    return new Promise((resolvePromise, reject) => {
        const url = new URL(apiPath, access.server);
        const req = https.request(
            url,
            {
                method: "GET",
                ca: access.ca,
                cert: access.cert,
                key: access.key,
                rejectUnauthorized: !access.insecure,
                // The log endpoint answers 406 to `Accept: text/plain`: it serves its text under any type.
                headers: { Accept: text ? "*/*" : "application/json", ...(access.token ? { Authorization: `Bearer ${access.token}` } : {}) },
                timeout: 30_000,
            },
            (res: import("http").IncomingMessage) => {
                const chunks: Buffer[] = [];
                res.on("data", (c: Buffer) => chunks.push(c));
                res.on("end", () => {
                    const body = Buffer.concat(chunks).toString("utf8");
                    if ((res.statusCode ?? 500) >= 300) reject(new Error(`GET ${url.pathname}: HTTP ${res.statusCode}: ${body.slice(0, 500)}`));
                    else resolvePromise(text ? body : JSON.parse(body));
                });
            },
        );
        req.on("timeout", () => req.destroy(new Error(`GET ${url.pathname}: timed out`)));
        req.on("error", reject);
        req.end();
    });
}
