// What counts as secret material in text, names and paths. The PEM label is assembled from
// parts so that no literal private-key header sits in the repository.
const PEM_KEY_LABEL = ["PRIVATE", "KEY"].join(" ");
const PRIVATE_KEY_PEM = new RegExp(`-----BEGIN (?:[A-Z0-9]+ )*${PEM_KEY_LABEL}-----`);
/** header.payload.signature, both JSON parts base64url of `{"` (`eyJ`). */
const JWT = /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{16,}/;
/** A JWK with a private exponent or key (`"d"`), e.g. a JWKS that publishes a private key. */
const PRIVATE_JWK = /"kty"\s*:[^}]*"d"\s*:\s*"/s;

/** What kind of secret the text holds, or undefined. */
export function secretMaterialIn(text: string): string | undefined {
    if (PRIVATE_KEY_PEM.test(text)) return "a PEM private key";
    if (JWT.test(text)) return "a JWT (bearer token)";
    if (PRIVATE_JWK.test(text)) return "a private JWK";
    return undefined;
}

/** Names of env vars, data keys and output keys that hold secrets. */
const SECRET_NAME = /(pass(word|wd|phrase)?|secret|token|credential|(private|signing)[-_.]?key|api[-_.]?key|(^|[-_.])key$|(^|_)pw(_|$)|\.pk8$|\.p12$|\.pfx$|\.jks$)/i;
/** Names that contain a secret word but hold none (a file that names where a secret is, a public key). */
const NOT_SECRET_NAME = /(_FILE$|_PATH$|_DIR$|passfile|public[-_.]?key|token[-_.]?(expir|ttl|lifetime)|tokenExpiries|password[-_.]?encryption|key[-_.]?id$)/i;

/** A file that holds a private key by its name (`server.key`, `db-client.pk8`, a keystore). */
export function isKeyFileName(path: string): boolean {
    const base = path.split("/").pop() ?? path;
    return /\.(key|pk8|p12|pfx|jks)$/i.test(base) || /private[-_.]?key/i.test(base);
}

/** A data key (ConfigMap, Secret) that names a secret; scripts and config files named after one (`sync-passwords.sh`) do not. */
export function isSecretDataKey(key: string): boolean {
    if (isKeyFileName(key)) return true;
    return isSecretName(key) && !/\.(sh|conf|canton|cfg|lua|json|ya?ml|sql|txt|md|pem|crt)$/i.test(key);
}

export function isSecretName(name: string): boolean {
    return SECRET_NAME.test(name) && !NOT_SECRET_NAME.test(name);
}

/** Output keys that hold a secret (`tokens`, `privateKeyPem`, `adminPassword`); not `secretName`, `enableSecretMutable`. */
const SECRET_OUTPUT_KEY = /(pass(word|wd|phrase)|token|private[-_]?key|secret[-_]?key|api[-_]?key|credential|signing[-_]?key)/i;
export function isSecretOutputKey(key: string): boolean {
    return SECRET_OUTPUT_KEY.test(key) && !NOT_SECRET_NAME.test(key);
}

/** `password=...`, `--token x`, ... with a literal value, not a `$VAR` reference. */
const LITERAL_ASSIGNMENT = /(?:^|[\s;'"&|(-])[A-Za-z0-9_]*?(pass(?:word|wd)?|secret|token|api[-_]?key)\s*[=:]\s*(?!\$|\s|["']?\$)([^\s'";]+)/i;
const LITERAL_FLAG = /(?:^|\s)--?(pass(?:word|wd)?|secret|token|api-key)(?:=|\s+)(?!\$|["']\$)([^\s'";-][^\s'";]*)/i;

/** A secret written into a command line, e.g. `PGPASSWORD=x` or `--password x`; undefined if none. */
export function literalSecretIn(commandLine: string): string | undefined {
    const material = secretMaterialIn(commandLine);
    if (material) return material;
    const m = LITERAL_ASSIGNMENT.exec(commandLine) ?? LITERAL_FLAG.exec(commandLine);
    return m ? `a literal ${m[1].toLowerCase()} ('${m[0].trim().slice(0, 24)}...')` : undefined;
}

/** Every string inside a value, with its path. */
export function* stringsIn(v: unknown, path: (string | number)[] = []): Generator<[string, (string | number)[]]> {
    if (typeof v === "string") yield [v, path];
    else if (Array.isArray(v)) for (let i = 0; i < v.length; i++) yield* stringsIn(v[i], [...path, i]);
    else if (v !== null && typeof v === "object") for (const [k, x] of Object.entries(v)) if (!k.startsWith("__")) yield* stringsIn(x, [...path, k]);
}

export const showPath = (p: (string | number)[]) => p.map((s, i) => (typeof s === "number" ? `[${s}]` : i === 0 ? s : `.${s}`)).join("");
