// The whole resource graph of Pulumi.prod.yaml under mocks, against its golden file. After a
// deliberate change: `npm run test:golden` rewrites it; review the diff before committing.
import { beforeAll, expect, it } from "vitest";
import { stackFileConfig } from "../support/fixtures";
import { resourceGraph } from "../support/graph";
import { registered, Registered, setUpMocks, valueOf } from "../support/mocks";

let resources: Registered[];

beforeAll(async () => {
    await setUpMocks("prod", stackFileConfig("prod"));
    const program = await import("../../index");
    await valueOf(program.caChains);
    resources = await registered();
});

it("Pulumi.prod.yaml: the resource graph matches golden/graph/prod.json", async () => {
    const graph = resourceGraph(resources);
    expect(graph.length).toBeGreaterThan(50);
    await expect(JSON.stringify(graph, null, 1) + "\n").toMatchFileSnapshot("golden/graph/prod.json");
});
