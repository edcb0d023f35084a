// Load-balancer mode with HAProxy on Docker (the default kind) against the provider contract.
import { beforeAll, describe, expect, it } from "vitest";
import { BIG, raw } from "../../support/fixtures";
import type { Registered } from "../../support/mocks";
import { contractViolations } from "./provider-contract";
import { dockerContainers, permissionsOf } from "./stacks";

let containers: Registered[];
const byName = (n: string) => containers.find((c) => c.name === n)!;

beforeAll(async () => {
    containers = await dockerContainers("big", raw({ ...BIG, platform: "docker" }));
});

describe("load-balancer mode with HAProxy: the Docker provider's contract", () => {
    it("holds for every container", () => {
        expect(byName("sequencer-proxy").state.command[0]).toBe("haproxy");
        expect(containers.flatMap((c) => contractViolations(c.name, c.state))).toEqual([]);
    });

    it("HAProxy needs no scratch mount, and its combined key files are 0440", () => {
        const c = byName("bank-proxy");
        expect(c.state.tmpfs).toBeUndefined();
        const modes = permissionsOf(c);
        expect(modes["/etc/canton-ha-proxy/tls/server.pem"]).toBe("0440");
        expect(modes["/etc/canton-ha-proxy/tls/backend-client.pem"]).toBe("0440");
    });
});
