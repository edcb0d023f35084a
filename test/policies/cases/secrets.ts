// Secrets: ConfigMaps, env, command lines, the state, outputs.
import { FAKE_KEY } from "../../support/mocks";
import { cantonContainer, container, golden, k8s, k8sParticipantPair, labels, edit, resource, secret, stackResource } from "../support/wire";
import type { CaseTable } from "./types";

/** A JWT-shaped string (not a valid token). */
export const fakeJwt = () =>
    [
        Buffer.from('{"alg":"RS256","typ":"JWT","kid":"k1"}').toString("base64url"),
        Buffer.from('{"sub":"alice","aud":"https://participant1/ledger-api","exp":1}').toString("base64url"),
        "c2lnbmF0dXJlLW9mLWEtdGVzdC10b2tlbg",
    ].join(".");

const cm = (data: Record<string, string>, field = "data") =>
    k8s("v1/ConfigMap", "participant1-1-files", { [field]: data }, { labels: labels("participant", "participant1", "participant1-1") });
const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
const withEnv = (env: unknown[]) => edit(k8sParticipantPair(), "participant1-1", DEPLOYMENT, (i) => (i.spec.template.spec.containers[0].env = env));

const outputs = (o: Record<string, unknown>) => [stackResource(o)];

export const secretCases: CaseTable = {
    "no-secrets-in-configmaps": {
        compliant: [
            { name: "the platform's ConfigMaps (HOCON, CA chains, scripts)", resources: k8sParticipantPair() },
            {
                name: "a HOCON with a password substitution and a script named after passwords",
                resources: [
                    cm({
                        "canton_config_node.conf": golden("dev/participant1-1.conf"),
                        "etc_canton-ha_sync-passwords.sh": "#!/bin/bash\npsql -c \"ALTER USER x PASSWORD '$PW'\"\n",
                    }),
                ],
            },
        ],
        violating: [
            {
                name: "a private key",
                resources: [cm({ "canton_tls_server.pem": `-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----\n${FAKE_KEY}` })],
                expect: /data.canton_tls_server.pem holds a PEM private key/,
            },
            { name: "a key file", resources: [cm({ "canton_tls_db-client.pk8": "MIIBVAIBADANBgkqhkiG9w0BAQEFAASCAT4w" })], expect: /named like a secret/ },
            { name: "a password entry", resources: [cm({ POSTGRES_PASSWORD: "hunter2" })], expect: /data.POSTGRES_PASSWORD is named like a secret/ },
            {
                name: "a literal password in a config file",
                resources: [cm({ "canton_config_node.conf": golden("dev/participant1-1.conf").replace("password = ${CANTON_DB_PASSWORD}", 'password = "hunter2"') })],
                expect: /has a password written into it/,
            },
            { name: "a token in binaryData", resources: [cm({ token: Buffer.from(fakeJwt()).toString("base64") }, "binaryData")], expect: /binaryData.token holds a JWT/ },
        ],
    },
    "k8s-env-secrets-from-secret-refs": {
        compliant: [
            { name: "secretKeyRef for the database password, literals for the rest", resources: k8sParticipantPair() },
            { name: "a _FILE variable pointing at a mounted Secret", resources: withEnv([{ name: "POSTGRES_PASSWORD_FILE", value: "/run/secrets/pw" }]) },
        ],
        violating: [
            { name: "a literal password", resources: withEnv([{ name: "CANTON_DB_PASSWORD", value: "hunter2" }]), expect: /env CANTON_DB_PASSWORD is set as a literal value/ },
            {
                name: "a token from a ConfigMap",
                resources: withEnv([{ name: "CANTON_HA_ADMIN_TOKEN", valueFrom: { configMapKeyRef: { name: "tokens", key: "admin" } } }]),
                expect: /comes from ConfigMap 'tokens'/,
            },
            { name: "a JWT under an innocent name", resources: withEnv([{ name: "AUTH", value: fakeJwt() }]), expect: /env AUTH holds a JWT/ },
        ],
    },
    "no-secrets-on-command-lines": {
        compliant: [
            {
                name: "Canton and Postgres command lines of the Docker platform",
                resources: [
                    cantonContainer("sequencer1", golden("dev/sequencer1.conf"), { command: ["daemon", "--log-profile=container", "--config=/canton/config/node.conf"] }),
                    container("domain-db", {
                        command: [
                            "bash",
                            "-c",
                            "docker-entrypoint.sh postgres -c password_encryption=scram-sha-256 -c ssl=on; gosu postgres bash /etc/canton-ha/sync-passwords.sh",
                        ],
                    }),
                ],
            },
            { name: "a reference to an env var", resources: [container("db-init", { command: ["bash", "-c", 'psql "password=$PGPASSWORD"'] })] },
        ],
        violating: [
            { name: "a password flag", resources: [container("tool", { command: ["canton-admin", "--password=hunter2"] })], expect: /contains a literal password/ },
            {
                name: "PGPASSWORD in a Kubernetes command",
                resources: edit(k8sParticipantPair(), "participant1-1", DEPLOYMENT, (i) => (i.spec.template.spec.containers[0].args = ["sh", "-c", "PGPASSWORD=hunter2 psql"])),
                expect: /container 'participant' command and args contain a literal password/,
            },
            { name: "a key in the entrypoint", resources: [container("tool", { command: ["sh", "-c", `echo '${FAKE_KEY}' > /tmp/k`] })], expect: /contains a PEM private key/ },
        ],
    },
    "docker-secrets-encrypted-in-state": {
        compliant: [
            {
                name: "secret envs and secret key uploads, as the Docker platform passes them",
                resources: [
                    container("sequencer1", {
                        secretEnvs: true,
                        envs: { CANTON_DB_PASSWORD: "pw" },
                        files: { "/canton/tls/server.key": { secret: FAKE_KEY }, "/canton/config/node.conf": golden("dev/sequencer1.conf") },
                    }),
                ],
            },
        ],
        violating: [
            {
                name: "a password env in plain text",
                resources: [container("sequencer1", { envs: { CANTON_DB_PASSWORD: "pw", PGPORT: "5432" } })],
                expect: /env CANTON_DB_PASSWORD is stored in plain text in the state/,
            },
            {
                name: "a key upload in plain text",
                resources: [container("sequencer1", { files: { "/canton/tls/server.key": FAKE_KEY } })],
                expect: /the upload \/canton\/tls\/server.key holds a PEM private key/,
            },
            {
                name: "a DER key upload in plain text",
                resources: [container("sequencer1", { files: { "/canton/tls/db-client.pk8": "MIIBVAIBADANBgkqhkiG9w0BAQEFAASCAT4w" } })],
                expect: /holds a key file/,
            },
        ],
    },
    "no-plaintext-secrets-in-outputs": {
        compliant: [
            {
                name: "secret tokens and admin keys, public chains and expiries",
                resources: outputs({
                    tokens: secret({ participant1: { alice: fakeJwt() } }),
                    adminClients: { domain: { certChainPem: "-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----\n", privateKeyPem: secret(FAKE_KEY) } },
                    tokenExpiries: { participant1: { alice: "2027-01-01T00:00:00Z" } },
                }),
            },
            {
                name: "a provider's own config and a component's Secret name",
                resources: [
                    resource("pulumi:providers:kubernetes", "kubernetes", { enableSecretMutable: "true", renderYamlToDirectory: "/tmp/x" }, { custom: false }),
                    resource("canton-ha:data:Database", "domain-db", {}, { outputs: { secretName: "domain-db-secrets", tokenExpiries: { alice: "2027-01-01" } }, custom: false }),
                ],
            },
        ],
        violating: [
            {
                name: "tokens in plain text",
                resources: outputs({ tokens: { participant1: { alice: fakeJwt() } } }),
                expect: /stack output tokens.participant1.alice: the output tokens.participant1.alice holds a JWT/,
            },
            { name: "a private key in plain text", resources: outputs({ adminClients: { domain: { privateKeyPem: FAKE_KEY } } }), expect: /holds a PEM private key in plain text/ },
            {
                name: "a component output named password",
                resources: [resource("canton-ha:data:Database", "domain-db", {}, { outputs: { adminPassword: "hunter2" }, custom: false })],
                expect: /database 'domain-db': the output adminPassword holds a value named like a secret/,
            },
        ],
    },
    "docker-secrets-in-env": {
        compliant: [{ name: "env without secrets", resources: [container("domain-db", { envs: { PGPORT: "5432", PGDATA: "/var/lib/postgresql/data" } })] }],
        violating: [
            {
                name: "the database password as env",
                resources: [container("sequencer1", { secretEnvs: true, envs: { CANTON_DB_PASSWORD: "pw" } })],
                expect: /env CANTON_DB_PASSWORD carries a secret that `docker inspect` shows/,
            },
        ],
    },
};
