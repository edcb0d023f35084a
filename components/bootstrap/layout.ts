// Where things live inside a bootstrap runner container (a one-shot Canton console).
// The runner holds no server keys: only trust chains and admin *client* credentials.

const BOOTSTRAP_DIR = "/canton/bootstrap";
export const REMOTE_CONFIG_FILE = `${BOOTSTRAP_DIR}/remote.conf`;

export const scriptFile = (job: string) => `${BOOTSTRAP_DIR}/${job}.canton`;

/** Per trust domain: the CA chain that verifies its servers, and its admin client credentials. */
export const trustFiles = (trustDomain: string) => ({
    caChain: `${BOOTSTRAP_DIR}/tls/${trustDomain}/ca-chain.pem`,
    adminClientChain: `${BOOTSTRAP_DIR}/tls/${trustDomain}/admin-client-chain.pem`,
    adminClientKey: `${BOOTSTRAP_DIR}/tls/${trustDomain}/admin-client.key`,
});

/**
 * `canton run <script>`: runs a console script against the remote nodes of `--config` and
 * exits; a failed command or an exception ends the process with a non-zero status.
 * (`daemon --bootstrap` would keep the process running after the script, so a one-shot
 * container would never finish.)
 */
export function runArgs(job: string): string[] {
    return ["run", "--log-profile=container", `--config=${REMOTE_CONFIG_FILE}`, scriptFile(job)];
}

/** The participant_admin Ledger API token of a participant job (the remote config reads it). */
export const ADMIN_TOKEN_ENV = "CANTON_HA_ADMIN_TOKEN";

/** Lines the scripts print for the deployment to read back from the runner's log. */
export const MARKER = "CANTON_HA";

/** Console identifiers must be Scala identifiers: node names may contain '-'. */
export function consoleName(name: string): string {
    const id = name.replace(/-/g, "_");
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(id)) throw new Error(`'${name}' cannot be a console identifier`);
    return id;
}
