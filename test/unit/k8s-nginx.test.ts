// A Kubernetes stack in load-balancer mode with NGINX as the proxy, exposed through NodePort
// Services, under mocks.
import { raw } from "../support/fixtures";
import { kubernetesStackSuite } from "../support/k8s-suite";

kubernetesStackSuite(
    "k8s-nginx",
    raw({
        platform: "kubernetes",
        haMode: "loadbalancer",
        loadBalancer: { kind: "nginx" },
        kubernetes: { exposure: "NodePort" },
        domain: { sequencers: 2 },
        participants: [{ name: "bank", replicas: 3, users: ["alice"] }],
    }),
);
