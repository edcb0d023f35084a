// One Docker e2e stack: `Pulumi.dev.yaml` (the Docker dev stack) adapted to an HA mode and a
// proxy kind, with the project's own images (the Canton image is the stand-in node, a TEST
// DOUBLE: test/standin/README.md) and a PKI made with openssl (`pki.source: files`; under
// mocks the tls provider would hand out placeholder keys). The program runs under mocks
// (program.ts) and the harness runs its containers on the real dockerd (harness.ts).
import path from "node:path";
import { parseConfig } from "../../components/config";
import { buildPlan } from "../../components/plan/build";
import type { Plan } from "../../components/plan/types";
import { stackFileRaw } from "../support/fixtures";
import { makeFilesPki, type FilesPki } from "../support/pki-files";
import { DockerStack } from "./harness";
import { runProgram, type ProgramRun } from "./program";

export const IMAGES = {
    canton: { image: "localhost/canton-ha/standin-canton", version: "2.9.4" },
    postgres: "localhost/canton-ha/postgres:15",
    haproxy: "localhost/canton-ha/haproxy:2.6",
    nginx: "localhost/canton-ha/nginx:1.22",
};

export interface Variant {
    stack: string;
    haMode: "clientside" | "loadbalancer";
    proxy?: "haproxy" | "nginx";
    label: string;
    /** postgres.retainData: the data volumes outlive `destroy`. */
    retainData?: boolean;
}

export interface E2eDockerStack {
    variant: Variant;
    /** `canton-ha-<stack>`: every container, network and volume name starts with it. */
    prefix: string;
    plan: Plan;
    program: ProgramRun;
    harness: DockerStack;
}

function stackConfig(v: Variant): Record<string, string> {
    const raw = stackFileRaw("dev");
    return {
        ...raw,
        "canton-ha:haMode": v.haMode,
        "canton-ha:canton": JSON.stringify({ ...JSON.parse(raw["canton-ha:canton"]), ...IMAGES.canton }),
        "canton-ha:postgres": JSON.stringify({ ...JSON.parse(raw["canton-ha:postgres"]), image: IMAGES.postgres, retainData: v.retainData ?? false }),
        ...(v.proxy ? { "canton-ha:loadBalancer": JSON.stringify({ kind: v.proxy, image: IMAGES[v.proxy] }) } : {}),
    };
}

/**
 * One files PKI for every variant (openssl's RSA keys take most of a minute on two busy cores,
 * so they are made once): the load-balancer plan's certificates (client-side's plus the
 * proxies'), each carrying the union of both modes' names. Client-side sequencer certificates
 * carry every sequencer name up to total-node-count (issue 18, item 10), which load-balancer
 * mode does not ask for; the files check wants each mode's names on its certificates.
 */
export function makeSharedPki(): Promise<FilesPki> {
    const planOf = (haMode: "loadbalancer" | "clientside") =>
        buildPlan(parseConfig(stackConfig({ stack: "pki", haMode, proxy: haMode === "loadbalancer" ? "haproxy" : undefined, label: "" })), "pki");
    const lb = planOf("loadbalancer");
    const cs = planOf("clientside");
    const union = (a: string[], b: string[] = []) => [...new Set([...a, ...b])];
    const trustDomains = lb.trustDomains.map((td) => {
        const other = new Map((cs.trustDomains.find((t) => t.id === td.id)?.certificates ?? []).map((c) => [c.id, c]));
        return {
            ...td,
            certificates: td.certificates.map((c) => ({
                ...c,
                dnsNames: union(c.dnsNames, other.get(c.id)?.dnsNames),
                ipAddresses: union(c.ipAddresses, other.get(c.id)?.ipAddresses),
            })),
        };
    });
    return makeFilesPki({ ...lb, trustDomains });
}

export async function makeDockerStack(v: Variant, files: FilesPki): Promise<E2eDockerStack> {
    const config = { ...stackConfig(v), "canton-ha:pki": JSON.stringify({ source: "files", directory: files.dir }) };
    const plan = buildPlan(parseConfig(config), v.stack);
    const program = await runProgram(v.stack, config);
    return { variant: v, prefix: `canton-ha-${v.stack}`, plan, program, harness: new DockerStack(program.resources) };
}

/** The project's image archive (tools/cluster/app-images.sh), as users load it with `docker load`. */
export function appsArchive(): string {
    const cache = process.env.CANTON_HA_CLUSTER_CACHE ?? path.join(process.env.HOME ?? "/root", ".cache", "canton-ha", "cluster");
    return path.join(cache, "images", "apps.tar");
}
