// Engine test fixture: canton-ha's own auth providers, imported from the library by its
// package name (its compiled dist/, as a user's program gets it), on a signing chain the test
// made with openssl, handed over as config (base64, the key as a secret). No provider plugin
// besides the dynamic one is needed.
import * as pulumi from "@pulumi/pulumi";
import { JwksDocument, JwtToken } from "canton-ha";

const cfg = new pulumi.Config();
const b64 = (s: string) => Buffer.from(s, "base64").toString("utf8");
const chains = cfg.require("signingChainsB64").split(",").map(b64);
const signingKeyPem = cfg.requireSecret("signingKeyB64").apply(b64);

const doc = new JwksDocument("participant1-jwks", { chains });
const kid = doc.kids.apply((kids: string[]) => kids[kids.length - 1]);
const users = ["alice", "participant_admin"];
const minted = users.map(
  (user) =>
    new JwtToken(`participant1-token-${user}`, {
      signingKeyPem,
      kid,
      subject: user,
      audience: "https://participant1.canton.local/ledger-api",
      scope: "daml_ledger_api",
      issuer: "engine-test",
      lifetimeSeconds: cfg.requireNumber("lifetimeSeconds"),
      renewalWindowSeconds: cfg.requireNumber("renewalWindowSeconds"),
      reissue: cfg.getNumber("reissue") ?? 0,
    }),
);

export const jwks = doc.jwks;
export const tokens = pulumi.secret(pulumi.all(Object.fromEntries(minted.map((t, i) => [users[i], t.token]))));
export const issuedAt = pulumi.all(Object.fromEntries(minted.map((t, i) => [users[i], t.issuedAt])));
