// The resource graph of a program run under mocks, as a stable, diffable document: every
// resource's URN, type, parent and the options that decide its fate (protect, retain,
// aliases), and its inputs with long texts and secrets reduced to digests. An accidental
// URN change would replace databases and CAs on a real stack; the golden diff shows it.
import { createHash } from "node:crypto";
import { beforeAll, expect, it } from "vitest";
import { stackFileConfig } from "./fixtures";
import { isSecretValue, optionsOf, Registered, registered, setUpMocks, valueOf } from "./mocks";

const digest = (s: string) => `sha256:${createHash("sha256").update(s).digest("hex").slice(0, 16)}`;

/** Inputs with secrets and long texts replaced by digests, and the dynamic providers' code left out. */
function stable(v: unknown): unknown {
  if (isSecretValue(v)) return `[secret ${digest(JSON.stringify((v as { value: unknown }).value))}]`;
  if (typeof v === "string") return v.length > 120 || v.includes("\n") ? digest(v) : v;
  if (Array.isArray(v)) return v.map(stable);
  if (typeof v === "object" && v !== null) {
    return Object.fromEntries(
      Object.entries(v)
        .filter(([k]) => k !== "__provider")
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, x]) => [k, stable(x)]),
    );
  }
  return v;
}

export interface GraphNode {
  urn: string;
  type: string;
  parent: string | null;
  options: { protect: boolean; retainOnDelete: boolean; deleteBeforeReplace: boolean; aliases: number } | null;
  inputs: unknown;
}

export function resourceGraph(resources: Registered[]): GraphNode[] {
  return resources
    .filter((r) => r.type !== "pulumi:pulumi:Stack")
    .map((r) => {
      const o = optionsOf(r.urn);
      return {
        urn: r.urn,
        type: r.type,
        parent: r.parentTypes.length > 0 ? r.parentTypes[r.parentTypes.length - 1] : null,
        options: o ? { protect: o.protect, retainOnDelete: o.retainOnDelete, deleteBeforeReplace: o.deleteBeforeReplace, aliases: o.aliases } : null,
        inputs: stable(r.state),
      };
    })
    .sort((a, b) => a.urn.localeCompare(b.urn));
}

/**
 * The golden test of one checked-in stack: the program runs under mocks with `Pulumi.<stack>.yaml`
 * (one stack per test file: the program module runs once per process), and its graph is
 * compared with `test/unit/golden/graph/<stack>.json`.
 */
export function graphGolden(stack: string): void {
  let resources: Registered[];
  beforeAll(async () => {
    await setUpMocks(stack, stackFileConfig(stack));
    const program = await import("../../index");
    await valueOf(program.caChains);
    resources = await registered();
  });
  it(`Pulumi.${stack}.yaml: the resource graph matches golden/graph/${stack}.json`, async () => {
    const graph = resourceGraph(resources);
    expect(graph.length).toBeGreaterThan(50);
    await expect(JSON.stringify(graph, null, 1) + "\n").toMatchFileSnapshot(`../unit/golden/graph/${stack}.json`);
  });
}
