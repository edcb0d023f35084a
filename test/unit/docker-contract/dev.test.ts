// The dev stack (client-side HA, Docker) against the provider contract: every container input
// is one the provider accepts and reads back unchanged.
import { beforeAll, describe, expect, it } from "vitest";
import { stackFileConfig } from "../../support/fixtures";
import type { Registered } from "../../support/mocks";
import { contractViolations } from "./provider-contract";
import { dockerContainers, permissionsOf } from "./stacks";

let containers: Registered[];
const byName = (n: string) => containers.find((c) => c.name === n)!;

beforeAll(async () => {
    containers = await dockerContainers("dev", stackFileConfig("dev"));
});

describe("dev stack: the Docker provider's contract", () => {
    it("holds for every container, the bootstrap jobs included", () => {
        expect(containers.length).toBe(11 + containers.filter((c) => c.state.attach).length);
        expect(containers.filter((c) => c.state.attach).length).toBeGreaterThan(0);
        expect(containers.flatMap((c) => contractViolations(c.name, c.state))).toEqual([]);
    });

    it("health checks use the spelling the provider reads back", () => {
        expect(byName("participant1-1").state.healthcheck).toMatchObject({ interval: "2s", timeout: "2s", startPeriod: "2m0s", retries: 3 });
    });

    it("keys are 0440 root:root, read by the Canton image's user through group 0; nothing is world-writable", () => {
        const p1 = byName("participant1-1");
        expect(p1.state.groupAdds).toEqual(["0"]);
        const modes = permissionsOf(p1);
        const keys = Object.keys(modes).filter((f) => /\.(key|pk8)$/.test(f));
        expect(keys.length).toBeGreaterThanOrEqual(2);
        for (const k of keys) expect([k, modes[k]]).toEqual([k, "0440"]);
        for (const c of containers) for (const [f, m] of Object.entries(permissionsOf(c))) expect([c.name, f, parseInt(m, 8) & 0o022]).toEqual([c.name, f, 0]);
    });

    it("Postgres starts as root and copies its key for itself: 0400, no extra group", () => {
        const db = byName("domain-db");
        expect(db.state.groupAdds).toBeUndefined();
        const modes = permissionsOf(db);
        const key = Object.keys(modes).find((f) => f.endsWith(".key"))!;
        expect(modes[key]).toBe("0400");
        // Its socket directory is a tmpfs of the postgres user; /tmp stays the image's.
        expect(db.state.tmpfs).toEqual({ "/var/run/postgresql": "uid=999,gid=999,mode=0700" });
    });

    it("a crashed replica is restarted by the engine, an operator's stop is kept (unless-stopped); jobs never restart", () => {
        for (const c of containers) expect([c.name, c.state.restart]).toEqual([c.name, c.state.attach ? "no" : "unless-stopped"]);
    });
});
