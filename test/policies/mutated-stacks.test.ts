// Insecure or non-HA changes to real stacks, each caught by the right policy: stack configs
// changed the way an operator would (the program re-run under mocks), and recorded resources
// changed the way a bug in the program or a hand edit would. The unchanged stacks pass (see
// shipped-stacks.test.ts; each base is checked here again).
import { beforeAll, describe, expect, it } from "vitest";
import { FAKE_KEY } from "../support/mocks";
import { fakeJwt } from "./cases/secrets";
import { cloneResources, recordProgram } from "./support/record";
import { mandatory, runPack, show, type Violation, type WireResource } from "./support/run";
import { PACK_CONFIG, runnableStack } from "./support/stacks";

const SIG = "4dabf18193072939515e22adb298388d";
const isSecretWire = (v: any) => v !== null && typeof v === "object" && SIG in v;

/** Applies `f` to every plain object inside a wire value, looking through secret markers. */
function visit(v: any, f: (o: any) => void): void {
    if (Array.isArray(v)) v.forEach((x) => visit(x, f));
    else if (isSecretWire(v)) visit(v.value, f);
    else if (v !== null && typeof v === "object") {
        f(v);
        Object.values(v).forEach((x) => visit(x, f));
    }
}

/** The value with every secret marker removed. */
const plain = (v: any): any =>
    isSecretWire(v)
        ? plain(v.value)
        : Array.isArray(v)
          ? v.map(plain)
          : v !== null && typeof v === "object"
            ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]))
            : v;

/** Changes matching resources (inputs and outputs) of a copy. */
function mutate(rs: WireResource[], match: (r: WireResource) => boolean, f: (props: any, r: WireResource) => void): WireResource[] {
    const copy = cloneResources(rs);
    const hits = copy.filter(match);
    if (hits.length === 0) throw new Error("the mutation matched no resource");
    for (const r of hits) {
        f(r.inputs, r);
        if (r.outputs) f(r.outputs, r);
    }
    return copy;
}

/** Edits the text of a file a container uploads (through secret markers). */
const editUpload = (rs: WireResource[], host: string, file: string, edit: (t: string) => string) =>
    mutate(
        rs,
        (r) => r.type === "docker:index/container:Container" && r.name === host,
        (props) =>
            visit(props.uploads, (u) => {
                if (u.file !== file) return;
                if (isSecretWire(u.content)) u.content.value = edit(u.content.value);
                else u.content = edit(u.content);
            }),
    );

const named = (type: string, name: string) => (r: WireResource) => r.type === type && r.name === name;
const DEPLOYMENT = "kubernetes:apps/v1:Deployment";

function caughtBy(vs: Violation[], policy: string, message?: RegExp): void {
    const hits = mandatory(vs).filter((v) => v.policy === policy);
    expect(hits.length, `expected a mandatory ${policy} violation; got:\n${show(mandatory(vs))}`).toBeGreaterThan(0);
    if (message) expect(hits.map((v) => v.message).join("\n")).toMatch(message);
}

async function record(stack: string, overrides: Record<string, unknown> = {}) {
    const s = await runnableStack(stack, overrides);
    try {
        return (await recordProgram(stack, s.config, s.secretKeys)).resources;
    } finally {
        s.cleanup();
    }
}
const pack = (rs: WireResource[]) => runPack(rs, PACK_CONFIG);

describe("stack configs changed by an operator", () => {
    const cases: [string, string, Record<string, unknown>, string, RegExp][] = [
        ["one mediator", "dev", { domain: { sequencers: 2, mediators: 1 } }, "ha-min-mediators", /the mediator 'mediator' has 1 replica \(mediator1\)/],
        ["one sequencer", "dev", { domain: { sequencers: 1, mediators: 2 } }, "ha-min-sequencers", /the domain has 1 sequencer \(sequencer1\)/],
        ["ports on every address", "dev", { network: { bindAddress: "0.0.0.0" } }, "host-ports-loopback", /container 'sequencer1': port 4401 is published on 0.0.0.0:4401/],
        ["an unpinned Postgres image", "dev", { postgres: { image: "postgres" } }, "image-pinned", /image postgres has no tag/],
        ["a proxy image at :latest", "prod", { loadBalancer: { kind: "haproxy", image: "haproxy:latest" } }, "image-pinned", /image haproxy:latest uses the moving tag 'latest'/],
        ["protection off in production (Docker)", "prod", { protect: false }, "protect-stateful-resources", /private key 'domain-ca-root': the CA private key is not protected/],
        ["protection off in production (Kubernetes)", "prod-k8s", { protect: false }, "protect-stateful-resources", /the database password is not protected/],
        [
            "a Canton image from a registry nobody allowed",
            "prod",
            { canton: { registry: "other.canton-ha.test", image: "canton-enterprise", version: "2.9.4" } },
            "image-allowed-registries",
            /registry 'other.canton-ha.test'/,
        ],
        ["leaf certificates for 825 days", "dev", { pki: { leafValidityHours: 24 * 825 } }, "leaf-certificate-validity", /valid for 19800 hours/],
    ];
    for (const [what, stack, overrides, policy, message] of cases) {
        it(`${what} (Pulumi.${stack}.yaml + ${JSON.stringify(overrides)}) is caught by ${policy}`, async () => {
            caughtBy(await pack(await record(stack, overrides)), policy, message);
        }, 120_000);
    }

    it("30-day tokens get the advisory jwt-token-lifetime", async () => {
        const vs = await pack(await record("dev", { auth: { tokenLifetimeHours: 720, renewalWindowHours: 6 } }));
        expect(vs.filter((v) => v.policy === "jwt-token-lifetime" && v.level === "advisory").length).toBe(4);
    }, 120_000);
});

describe("recorded resources changed by a bug or a hand edit", () => {
    const base: Record<string, WireResource[]> = {};
    beforeAll(async () => {
        for (const stack of ["dev", "prod", "prod-k8s"]) base[stack] = await record(stack);
    }, 300_000);

    it("the unchanged stacks pass", async () => {
        for (const rs of Object.values(base)) expect(mandatory(await pack(rs)), "baseline").toEqual([]);
    });

    const cases: [string, string, (rs: WireResource[]) => WireResource[], string, RegExp][] = [
        [
            "TLS off on a sequencer's public API",
            "dev",
            (rs) => editUpload(rs, "sequencer1", "/canton/config/node.conf", (t) => t.replace(/(public-api \{[^}]*?port = \d+\n)\s*tls \{[^}]*\}\n/, "$1")),
            "canton-api-tls",
            /public-api of sequencer 'sequencer1' has no tls block/,
        ],
        [
            "a participant replica on another database",
            "dev",
            (rs) => editUpload(rs, "participant1-2", "/canton/config/node.conf", (t) => t.replace('databaseName = "participant1"', 'databaseName = "participant1-copy"')),
            "ha-replicas-share-node-and-database",
            /use different databases/,
        ],
        [
            "a participant that knows one sequencer",
            "dev",
            (rs) =>
                editUpload(rs, "bootstrap-participant-participant2", "/canton/bootstrap/participant-participant2.canton", (t) =>
                    t.replace(/, "https:\/\/sequencer2\.domain\.canton\.local:4421"/g, ""),
                ),
            "ha-sequencer-connections",
            /not to sequencer2/,
        ],
        [
            "the admin API without client certificates",
            "prod",
            (rs) => editUpload(rs, "mediator2", "/canton/config/node.conf", (t) => t.replace('type = "require"', 'type = "none"')),
            "canton-api-client-auth",
            /admin-api of mediator 'mediator' does not require client certificates/,
        ],
        [
            "a replicated participant without its proxy",
            "prod",
            (rs) => rs.filter((r) => !(r.name === "participant1-proxy" || r.urn.includes("LoadBalancer::participant1-proxy"))),
            "ha-participant-load-balancer",
            /participant 'participant1' has 2 replicas .* but no proxy/,
        ],
        [
            "container env stored in plain text",
            "prod",
            (rs) => mutate(rs, named("docker:index/container:Container", "participant1-1"), (p) => (p.envs = plain(p.envs))),
            "docker-secrets-encrypted-in-state",
            /env CANTON_DB_PASSWORD is stored in plain text/,
        ],
        [
            "a Secret value in a ConfigMap",
            "prod-k8s",
            (rs) => mutate(rs, named("kubernetes:core/v1:ConfigMap", "participant1-1-files"), (p) => (p.data["canton_tls_server.key"] = FAKE_KEY)),
            "no-secrets-in-configmaps",
            /ConfigMap 'participant1-1-files': data.canton_tls_server.key holds a PEM private key/,
        ],
        [
            "a missing PDB",
            "prod-k8s",
            (rs) => rs.filter((r) => !(r.type === "kubernetes:policy/v1:PodDisruptionBudget" && r.name === "mediator-pdb")),
            "k8s-pdb-per-ha-group",
            /HA group 'mediator' \(mediator1, mediator2\) has no PodDisruptionBudget/,
        ],
        [
            "no NetworkPolicy",
            "prod-k8s",
            (rs) => rs.filter((r) => r.type !== "kubernetes:networking.k8s.io/v1:NetworkPolicy"),
            "k8s-network-policy-per-workload",
            /pod participant1-1 is selected by no NetworkPolicy/,
        ],
        [
            "a literal password env",
            "prod-k8s",
            (rs) => mutate(rs, named(DEPLOYMENT, "participant1-2"), (p) => (p.spec.template.spec.containers[0].env[0] = { name: "CANTON_DB_PASSWORD", value: "hunter2" })),
            "k8s-env-secrets-from-secret-refs",
            /env CANTON_DB_PASSWORD is set as a literal value/,
        ],
        [
            "a root container",
            "prod-k8s",
            (rs) => mutate(rs, named(DEPLOYMENT, "mediator1"), (p) => (p.spec.template.spec.securityContext = { runAsUser: 0 })),
            "k8s-pod-security-context",
            /runs as UID 0/,
        ],
        [
            "a rolling update of a mediator",
            "prod-k8s",
            (rs) => mutate(rs, named(DEPLOYMENT, "mediator2"), (p) => (p.spec.strategy = { type: "RollingUpdate" })),
            "k8s-active-passive-recreate",
            /update strategy is RollingUpdate/,
        ],
        [
            "tokens exported in plain text",
            "prod-k8s",
            (rs) =>
                mutate(
                    rs,
                    (r) => r.type === "pulumi:pulumi:Stack",
                    (p) => (p.tokens = { participant1: { alice: fakeJwt() } }),
                ),
            "no-plaintext-secrets-in-outputs",
            /the output tokens.participant1.alice holds a JWT/,
        ],
        [
            "the database published by a LoadBalancer",
            "prod-k8s",
            (rs) => mutate(rs, named("kubernetes:core/v1:Service", "domain-db"), (p) => (p.spec.type = "LoadBalancer")),
            "k8s-external-services",
            /publishes the database domain-db outside the cluster/,
        ],
    ];
    for (const [what, stack, change, policy, message] of cases) {
        it(`${what} (${stack}) is caught by ${policy}`, async () => {
            caughtBy(await pack(change(base[stack])), policy, message);
        });
    }
});
