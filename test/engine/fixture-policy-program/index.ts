// Engine test fixture for policy runs (scripts/pulumi-policy.sh with test/engine/fixture-policy):
// two ConfigMaps through a kubernetes provider in render mode. "leaky" holds a password-like
// key, which the pack's mandatory policy rejects; config `withViolation: false` leaves it out.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

const config = new pulumi.Config();
const render = new k8s.Provider("render", { renderYamlToDirectory: config.require("renderDir") });

new k8s.core.v1.ConfigMap("settings", { metadata: { name: "settings" }, data: { topology: "ha" } }, { provider: render });

if (config.getBoolean("withViolation") ?? true) {
  new k8s.core.v1.ConfigMap("leaky", { metadata: { name: "leaky" }, data: { dbPassword: "not-a-real-password" } }, { provider: render });
}
