// Engine test fixture for the kubernetes provider plugin (bin/pulumi-resource-kubernetes):
// a provider in render mode writes the ConfigMap's manifest as YAML into the directory
// given as config `renderDir`, and never talks to a cluster.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

const config = new pulumi.Config();

const render = new k8s.Provider("render", { renderYamlToDirectory: config.require("renderDir") });

const settings = new k8s.core.v1.ConfigMap(
  "settings",
  {
    metadata: { name: "canton-ha-settings", namespace: "canton" },
    data: { topology: "ha", replicas: "2" },
  },
  { provider: render },
);

export const configMapName = settings.metadata.name;
export const configMapNamespace = settings.metadata.namespace;
