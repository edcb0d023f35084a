// The program under mocks on the Docker platform, and its containers as the contract sees them.
import * as pulumi from "@pulumi/pulumi";
import { ofType, Registered, registered, reveal, setUpMocks, valueOf } from "../../support/mocks";

/**
 * The shared mocks leave the JWKS document's computed output undefined (auth-program.test.ts
 * builds real ones); the contract reads every upload's content, so the document gets a
 * placeholder of the shape the dynamic provider returns.
 */
function withJwksOutputs(): void {
    const monitor = pulumi.runtime.getMonitor() as any;
    const inner = monitor.mocks;
    monitor.mocks = {
        call: (args: any) => inner.call(args),
        newResource: async (args: any) => {
            const res = await inner.newResource(args);
            if (args.type !== "pulumi-nodejs:dynamic/canton-ha:Jwks") return res;
            return { ...res, state: { ...res.state, jwks: `{"keys":[{"kid":"${args.name}"}]}\n`, kids: [args.name] } };
        },
    };
}

/** Runs the program once per test file (it registers on import) and returns its containers. */
export async function dockerContainers(stack: string, config: Record<string, string>): Promise<Registered[]> {
    await setUpMocks(stack, config);
    withJwksOutputs();
    const program = await import("../../../index");
    await valueOf(program.caChains);
    return ofType(await registered(), "docker:index/container:Container");
}

/** Upload permissions by path. */
export function permissionsOf(c: Registered): Record<string, string> {
    return Object.fromEntries(reveal(c.state.uploads).map((u: any) => [u.file, u.permissions]));
}
