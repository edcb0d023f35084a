// A Kubernetes stack in client-side mode (every client knows every sequencer; participants
// are reached through a Service that routes to the active replica) under mocks.
import { raw } from "../support/fixtures";
import { kubernetesStackSuite } from "../support/k8s-suite";

kubernetesStackSuite(
    "k8s-clientside",
    raw({
        platform: "kubernetes",
        haMode: "clientside",
        domain: { sequencers: 2 },
        participants: [
            { name: "participant1", replicas: 2, users: ["alice"] },
            { name: "participant2", replicas: 1, users: ["bob"] },
        ],
    }),
);
