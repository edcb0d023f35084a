// Load-balancer mode with NGINX on Docker against the provider contract (issue 19: the empty
// `.keep` upload was refused by the provider, and a root-owned temp directory crash-looped
// NGINX as uid 101).
import { beforeAll, describe, expect, it } from "vitest";
import { BIG, raw } from "../../support/fixtures";
import type { Registered } from "../../support/mocks";
import { contractViolations } from "./provider-contract";
import { dockerContainers, permissionsOf } from "./stacks";

let containers: Registered[];
const byName = (n: string) => containers.find((c) => c.name === n)!;

beforeAll(async () => {
    containers = await dockerContainers("big-nginx", raw({ ...BIG, platform: "docker", loadBalancer: { kind: "nginx" } }));
});

describe("load-balancer mode with NGINX: the Docker provider's contract", () => {
    it("holds for every container", () => {
        expect(byName("sequencer-proxy").state.command[0]).toBe("nginx");
        expect(containers.flatMap((c) => contractViolations(c.name, c.state))).toEqual([]);
    });

    it("NGINX's temp directory is a tmpfs of its user (101), not an upload", () => {
        for (const p of ["sequencer-proxy", "bank-proxy", "custodian-proxy"]) {
            const c = byName(p);
            expect(c.state.tmpfs).toEqual({ "/tmp/canton-ha-proxy": "uid=101,gid=101,mode=0700" });
            expect(Object.keys(permissionsOf(c)).filter((f) => f.startsWith("/tmp/"))).toEqual([]);
        }
    });

    it("the proxies' keys are 0440, read through group 0", () => {
        const c = byName("bank-proxy");
        expect(c.state.groupAdds).toEqual(["0"]);
        const modes = permissionsOf(c);
        expect(modes["/etc/canton-ha-proxy/tls/server.key"]).toBe("0440");
        expect(modes["/etc/canton-ha-proxy/tls/backend-client.key"]).toBe("0440");
        expect(modes["/etc/nginx/nginx.conf"]).toBe("0444");
    });
});
