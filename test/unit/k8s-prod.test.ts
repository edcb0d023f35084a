// Pulumi.prod-k8s.yaml (load-balancer mode, HAProxy, 3 sequencers, 2 participants x 2
// replicas) under mocks: every Kubernetes check, and its resource-graph golden.
import { stackFileConfig } from "../support/fixtures";
import { kubernetesStackSuite } from "../support/k8s-suite";

kubernetesStackSuite("prod-k8s", stackFileConfig("prod-k8s"), { golden: true });
