// Every checked-in stack file (Pulumi.<stack>.yaml: Docker, the render stack, Kubernetes, and
// any stack added later) passes the whole pack with no mandatory violation, run against the
// resources the program records under mocks. The pack's config lists the test registry, as an
// operator lists theirs (image-allowed-registries has no default registry); a stack that needs
// more (the e2e stack's local images and NodePorts) has its exceptions listed in support/stacks.ts.
import { afterAll, describe, expect, it } from "vitest";
import { parseConfig } from "../../components/config";
import { buildPlan } from "../../components/plan/build";
import { stackArgs } from "../../policies/lib/engine-shape";
import { buildModel } from "../../policies/lib/model";
import { resOfStack } from "../../policies/lib/props";
import { recordProgram } from "./support/record";
import { mandatory, runPack, show } from "./support/run";
import { packConfigFor, runnableStack, shippedStacks, type RunnableStack } from "./support/stacks";

const stacks = shippedStacks();
const cleanups: RunnableStack[] = [];
afterAll(() => cleanups.forEach((s) => s.cleanup()));

describe("the shipped stacks", () => {
    it("include the Docker, render and Kubernetes stacks", () => {
        expect(stacks).toEqual(expect.arrayContaining(["dev", "prod", "render", "prod-k8s"]));
    });

    for (const stack of stacks) {
        it(`Pulumi.${stack}.yaml passes the pack with no mandatory violation, and the pack sees every node`, async () => {
            const s = await runnableStack(stack);
            cleanups.push(s);
            const { resources } = await recordProgram(stack, s.config, s.secretKeys);
            const violations = await runPack(resources, packConfigFor(stack));
            expect(mandatory(violations), show(mandatory(violations))).toEqual([]);
            // Passing is not vacuous: the model found every Canton node config the plan has.
            const plan = buildPlan(parseConfig(s.config), stack);
            const expected = plan.domain.sequencers.nodes.length + plan.domain.mediators.replicas.length + 1 + plan.participants.reduce((n, p) => n + p.replicas.length, 0);
            const model = buildModel(resOfStack(stackArgs(resources).resources));
            expect(model.cantonNodes.length).toBe(expected);
            expect(model.unreadable).toEqual([]);
            if (plan.platform !== "none") expect(model.scripts.length).toBeGreaterThanOrEqual(1 + plan.participants.length);
        }, 120_000);
    }
});
