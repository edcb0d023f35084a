// The Kubernetes checks themselves can fail: each is shown a broken object and must say so.
import { describe, expect, it } from "vitest";
import { allowedFlows, K8sObject, schemaError, selects } from "../support/k8s-manifests";

const deployment = (spec: unknown): K8sObject => ({ apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "d" }, spec });
const template = { metadata: { labels: { a: "1" } }, spec: { containers: [{ name: "c", image: "i" }] } };

describe("Kubernetes checks", () => {
    it("the schema check passes a valid Deployment and names what is wrong with a broken one", async () => {
        expect(await schemaError(deployment({ selector: { matchLabels: { a: "1" } }, template }))).toBeUndefined();
        expect(await schemaError(deployment({ replicas: "two", selector: { matchLabels: { a: "1" } }, template }))).toMatch(/Deployment\/d: .*replicas/);
        expect(await schemaError(deployment({ template }))).toMatch(/selector/);
    });

    it("a NetworkPolicy's pod-to-pod flows are read from its egress and its ingress", () => {
        const np = (name: string, spec: unknown): K8sObject => ({ apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name }, spec });
        const flows = allowedFlows(
            [
                np("a-egress", { podSelector: { matchLabels: { r: "a" } }, egress: [{ to: [{ podSelector: { matchLabels: { r: "b" } } }], ports: [{ port: 1 }, { port: 2 }] }] }),
                np("b-from-a", { podSelector: { matchLabels: { r: "b" } }, ingress: [{ from: [{ podSelector: { matchLabels: { r: "a" } } }], ports: [{ port: 1 }] }] }),
                // Peers in other namespaces (client labels) are not pod-to-pod flows of the stack.
                np("b-clients", {
                    podSelector: { matchLabels: { r: "b" } },
                    ingress: [{ from: [{ namespaceSelector: {}, podSelector: { matchLabels: { r: "x" } } }], ports: [{ port: 9 }] }],
                }),
            ],
            "r",
        );
        expect([...flows.egress]).toEqual(["a>b:1", "a>b:2"]);
        expect([...flows.ingress]).toEqual(["a>b:1"]);
    });

    it("a selector selects only labels it names with the same values", () => {
        expect(selects({ a: "1" }, { a: "1", b: "2" })).toBe(true);
        expect(selects({ a: "1", b: "3" }, { a: "1", b: "2" })).toBe(false);
    });
});
