// How sequencer clients (mediators, domain manager, participants) reach the sequencers.
// Client-side mode: every client knows every sequencer, so it can fail over by itself.
// Load-balancer mode: every client uses the proxy, and the proxy routes to every sequencer.
import { backendHosts, connectionLists, haMode, hostIdOfUrl, nodesOf, proxyOn, stackCarrier } from "../lib/ha";
import { stackPolicy } from "../lib/policy";

export const haSequencerConnections = stackPolicy({
    name: "ha-sequencer-connections",
    description:
        "Client-side mode: every sequencer client (bootstrap connections, endpoints.sequencerClientUrls) lists every sequencer. Load-balancer mode: every client uses only the proxy, and the proxy routes to every sequencer.",
    enforcementLevel: "mandatory",
    validate(model, _cfg, report) {
        const sequencers = [...new Set(nodesOf(model, "sequencer").map((n) => n.hostId))].sort();
        if (sequencers.length === 0) return;
        const mode = haMode(model);
        const lists = connectionLists(model);
        const proxyHosts = new Set<string>();
        for (const list of lists) {
            const hosts = list.urls.map((u) => hostIdOfUrl(model, u));
            const direct = hosts.filter((h) => sequencers.includes(h));
            const other = list.urls.filter((_, i) => !sequencers.includes(hosts[i]));
            if (mode === "clientside") {
                const missing = sequencers.filter((s) => !direct.includes(s));
                if (missing.length > 0) {
                    report(
                        list.carrier,
                        `in client-side mode this client connects to ${[...new Set(direct)].join(", ") || "no sequencer"} but not to ${missing.join(", ")}, so it cannot fail over to ${missing.length === 1 ? "it" : "them"}`,
                        "give every sequencer client every sequencer URL (canton-ha does; re-render the bootstrap)",
                        list.source,
                    );
                }
                if (other.length > 0)
                    report(
                        list.carrier,
                        `in client-side mode this client also connects to ${other.join(", ")}, which is no sequencer of the stack`,
                        "connect to the sequencers directly, or switch the stack to haMode loadbalancer",
                        list.source,
                    );
            } else {
                if (direct.length > 0) {
                    report(
                        list.carrier,
                        `in load-balancer mode this client connects to ${[...new Set(direct)].join(", ")} directly, bypassing the proxy`,
                        "use only the sequencer proxy's URL (endpoints.sequencerClientUrls)",
                        list.source,
                    );
                }
                if (other.length === 0)
                    report(list.carrier, "in load-balancer mode this client does not use the sequencer proxy", "connect through the sequencer proxy's URL", list.source);
                other.forEach((u) => proxyHosts.add(hostIdOfUrl(model, u)));
            }
        }
        if (mode !== "loadbalancer" || model.workloads.length === 0) return; // render-only stacks deploy the proxy by other means
        for (const host of proxyHosts) {
            const proxy = proxyOn(model, host);
            if (!proxy) {
                report(
                    stackCarrier(model),
                    `the sequencer clients connect to '${host}', but no proxy runs there`,
                    "deploy the sequencer proxy (canton-ha does in haMode loadbalancer)",
                    `sequencer proxy '${host}'`,
                );
                continue;
            }
            const routed = backendHosts(model, proxy);
            const missing = sequencers.filter((s) => !routed.has(s));
            if (missing.length > 0)
                report(
                    proxy.file.carrier,
                    `the sequencer proxy routes to ${[...routed].join(", ")} but not to ${missing.join(", ")}`,
                    "add every sequencer as a backend server of the proxy",
                    proxy.file.where,
                );
        }
    },
});
