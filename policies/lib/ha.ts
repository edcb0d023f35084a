// HA facts of a stack, from its Canton node configs, bootstrap scripts, proxy configs and
// the stack output `endpoints`: which sequencers exist, which clients connect to which of
// them, and in which mode (client-side: every sequencer; load-balancer: the proxy).
import { hostOf, type CantonKind, type CantonNode, type FileArtifact, type Model, type ProxyConfig } from "./model";
import { isText, type Res } from "./props";

/** Resolves a DNS name to a host id of the stack: a known name, else its first label. */
export function resolveHost(model: Model, host: string): string {
    const h = host.toLowerCase();
    return model.hostByName.get(h) ?? h.split(".")[0];
}

export function nodesOf(model: Model, kind: CantonKind): CantonNode[] {
    return model.cantonNodes.filter((n) => n.kind === kind);
}

/** The logical nodes of a kind and their replicas (distinct host ids), by node name. */
export function replicasByName(model: Model, kind: CantonKind): Map<string, CantonNode[]> {
    const out = new Map<string, CantonNode[]>();
    for (const n of nodesOf(model, kind)) {
        const list = out.get(n.nodeName) ?? [];
        if (!list.some((x) => x.hostId === n.hostId)) list.push(n);
        out.set(n.nodeName, list);
    }
    return out;
}

/** A list of sequencer URLs one client (a bootstrap script, the stack output) connects with. */
export interface ConnectionList {
    source: string;
    carrier: Res;
    urls: string[];
}

const SEQUENCER_URL = /https?:\/\/([a-z0-9.-]+):(\d+)(?![\w/])/gi;

export function connectionLists(model: Model): ConnectionList[] {
    const out: ConnectionList[] = [];
    for (const f of model.scripts) {
        if (!isText(f.content)) continue;
        const urls = [...new Set([...f.content.matchAll(SEQUENCER_URL)].map((m) => m[0]))];
        if (urls.length > 0) out.push({ source: f.where, carrier: f.carrier, urls });
    }
    const fromOutputs = model.outputs?.endpoints?.sequencerClientUrls;
    if (Array.isArray(fromOutputs) && model.stackRes) {
        const urls = fromOutputs.filter(isText);
        if (urls.length > 0) out.push({ source: "stack output endpoints.sequencerClientUrls", carrier: model.stackRes, urls });
    }
    return out;
}

export const hostIdOfUrl = (model: Model, url: string) => resolveHost(model, hostOf(url) ?? url);

/** The proxy config that runs on a host (Docker container, Kubernetes pod), if any. */
export function proxyOn(model: Model, hostId: string): ProxyConfig | undefined {
    return model.proxies.find((p) => p.hostId === hostId);
}

/** The hosts a proxy routes to. */
export const backendHosts = (model: Model, p: ProxyConfig) => new Set(p.backends.map((b) => resolveHost(model, b.host)));

/** `loadbalancer` or `clientside`: the stack output says so; else the clients' lists and the proxies tell. */
export function haMode(model: Model): "loadbalancer" | "clientside" {
    const declared = model.outputs?.endpoints?.haMode;
    if (declared === "loadbalancer" || declared === "clientside") return declared;
    const sequencers = new Set(nodesOf(model, "sequencer").map((n) => n.hostId));
    if (model.proxies.some((p) => p.backends.length > 0 && [...backendHosts(model, p)].every((h) => sequencers.has(h)))) return "loadbalancer";
    return connectionLists(model).some((l) => l.urls.some((u) => !sequencers.has(hostIdOfUrl(model, u)))) ? "loadbalancer" : "clientside";
}

/** Where a violation about the whole stack attaches: the stack resource, else the first file. */
export function stackCarrier(model: Model, fallback?: FileArtifact): Res | undefined {
    return model.stackRes ?? fallback?.carrier;
}

export const isNonHaStack = (model: Model, nonHaStacks: string[]) => nonHaStacks.includes(model.stack);
