// Stack configs the unit tests plan against, in the raw form Pulumi hands over.
import { parseConfig } from "../../components/config";
import { buildPlan } from "../../components/plan/build";
import type { Plan } from "../../components/plan/types";
import * as yaml from "js-yaml";
import { readFileSync } from "node:fs";
import { join } from "node:path";

export function raw(entries: Record<string, unknown>): Record<string, string> {
    return Object.fromEntries(
        Object.entries(entries).map(([k, v]) => [`canton-ha:${k}`, typeof v === "string" ? v : JSON.stringify(v)]),
    );
}

/** The config of a checked-in stack file, e.g. `Pulumi.dev.yaml`, as raw entries. */
export function stackFileConfig(stack: string): Record<string, string> {
    const doc = yaml.load(readFileSync(join(__dirname, "..", "..", `Pulumi.${stack}.yaml`), "utf8")) as { config: Record<string, unknown> };
    return Object.fromEntries(Object.entries(doc.config).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]));
}

export function devPlan(): Plan {
    return buildPlan(parseConfig(stackFileConfig("dev")), "dev");
}

/** A bigger topology: 3 sequencers, a participant with 3 replicas, proxies in front. */
export const BIG = {
    haMode: "loadbalancer",
    domain: { sequencers: 3, totalNodeCount: 5 },
    participants: [
        { name: "bank", replicas: 3, users: ["alice", "bob"] },
        { name: "exchange", replicas: 1, users: [] },
        { name: "custodian", dnsDomain: "custody.example.org", replicas: 2, users: ["carol"] },
    ],
};

export function bigPlan(haMode: "clientside" | "loadbalancer" = "loadbalancer"): Plan {
    return buildPlan(parseConfig(raw({ ...BIG, haMode })), "big");
}
