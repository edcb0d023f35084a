// The program under mocks with an external Postgres: no database workload or password resource
// is made, and every Canton node carries the provider's CA chain and its password from config.
import * as pulumi from "@pulumi/pulumi";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { rawExactly } from "../support/fixtures";
import { isSecretValue, ofType, Registered, registered, reveal, setUpMocks, uploadsOf, valueOf } from "../support/mocks";

let CA: string;
let resources: Registered[];

beforeAll(async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "canton-ha-ext-"));
    const caFile = path.join(dir, "provider-ca.pem");
    // A real CA certificate: loadStack checks the chain is PEM and holds CAs.
    execFileSync(
        "openssl",
        [
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            path.join(dir, "ca.key"),
            "-out",
            caFile,
            "-subj",
            "/CN=managed ca",
            "-days",
            "2",
            "-addext",
            "basicConstraints=critical,CA:TRUE",
        ],
        { stdio: "pipe" },
    );
    CA = fs.readFileSync(caFile, "utf8");
    const passwords = { "domain-db": { sequencer: "s", mediator: "m", domain: "d", postgres: "x" }, "participant1-db": { participant1: "p1", postgres: "x" } };
    const config = {
        ...rawExactly({
            platform: "docker",
            canton: { image: "mirror.example/canton/canton-enterprise" },
            participants: [{ name: "participant1", replicas: 2 }],
            postgres: { passwords: "config", external: { host: "pg.managed.example", port: 6543, caChainFile: caFile } },
        }),
        "canton-ha:dbPasswords": JSON.stringify(passwords),
    };
    await setUpMocks("ext", {});
    pulumi.runtime.setAllConfig(config, ["canton-ha:dbPasswords"]);
    const program = await import("../../index");
    await valueOf(program.caChains);
    resources = await registered();
}, 120_000);

describe("an external Postgres, under mocks", () => {
    it("makes no database container, volume or random password; ExternalDatabase components instead", () => {
        const containers = ofType(resources, "docker:index/container:Container").map((c) => c.name);
        expect(containers.filter((n) => n.endsWith("-db"))).toEqual([]);
        expect(ofType(resources, "docker:index/volume:Volume")).toEqual([]);
        expect(ofType(resources, "random:index/randomPassword:RandomPassword")).toEqual([]);
        expect(
            ofType(resources, "canton-ha:data:ExternalDatabase")
                .map((r) => r.name)
                .sort(),
        ).toEqual(["domain-db", "participant1-db"]);
    });

    it("gives every node the provider's chain and points its storage at the managed host", () => {
        const replica = ofType(resources, "docker:index/container:Container").find((c) => c.name === "participant1-2")!;
        const files = uploadsOf(replica);
        expect(files["/canton/tls/db-server-ca-chain.pem"]).toBe(CA);
        expect(files["/canton/tls/db-client.crt"]).toBeUndefined(); // no client certificates asked for
        expect(files["/canton/config/node.conf"]).toContain('serverName = "pg.managed.example"');
        expect(files["/canton/config/node.conf"]).toContain("portNumber = 6543");
        expect(files["/canton/config/node.conf"]).toContain('sslrootcert = "/canton/tls/db-server-ca-chain.pem"');
        // The DBA's password reaches the node through its environment, as a secret.
        expect(isSecretValue(replica.state.envs)).toBe(true);
        expect(reveal(replica.state.envs)).toContain("CANTON_DB_PASSWORD=p1");
    });
});
