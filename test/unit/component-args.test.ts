// Hand-built component arguments are checked before anything is registered: a missing
// argument is an InputPropertiesError naming it, not a crash deep inside the component.
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { registered, setUpMocks } from "../support/mocks";
import { devPlan } from "../support/fixtures";

beforeAll(async () => {
    await setUpMocks("args", {});
});

describe("component arguments", () => {
    it("CantonDomain, CantonParticipant and CantonHaTopology name every missing argument and register nothing", async () => {
        const lib = await import("canton-ha");
        const attempts: [string, () => unknown, string[]][] = [
            ["CantonDomain", () => new lib.CantonDomain("d", { stack: "x" } as never), ["domain", "pki", "database", "platform"]],
            ["CantonParticipant", () => new lib.CantonParticipant("p", { participant: devPlan().participants[0], stack: "x" } as never), ["pki", "database", "domain", "platform"]],
            ["CantonHaTopology", () => new lib.CantonHaTopology("t", {} as never), ["plan"]],
        ];
        for (const [what, attempt, missing] of attempts) {
            let error: unknown;
            try {
                attempt();
            } catch (e) {
                error = e;
            }
            expect(pulumi.InputPropertiesError.isInstance(error), what).toBe(true);
            const e = error as pulumi.InputPropertiesError;
            expect(
                e.errors.map((x) => x.propertyPath),
                what,
            ).toEqual(missing);
            expect(e.message).toContain(`invalid arguments to ${what}`);
        }
        expect((await registered()).filter((r) => r.type.startsWith("canton-ha:"))).toEqual([]);
    });

    it("a participant without sequencer URLs is refused, naming the property", async () => {
        const lib = await import("canton-ha");
        const p = devPlan().participants[0];
        const bad = { ...p, domain: { ...p.domain, sequencerUrls: [] } };
        let error: unknown;
        try {
            new lib.CantonParticipant("p", { participant: bad, stack: "x", pki: {} as never, database: {} as never, domain: {} as never, platform: {} as never });
        } catch (e) {
            error = e;
        }
        expect(pulumi.InputPropertyError.isInstance(error)).toBe(true);
        expect(error).toMatchObject({ propertyPath: "participant.domain.sequencerUrls", reason: expect.stringContaining("at least one sequencer URL") });
        expect((await registered()).filter((r) => r.type.startsWith("canton-ha:"))).toEqual([]);
    });
});
