// The program under the SDK's mocks, recording what a `pulumi up` would hand the docker
// provider: every resource's inputs (secrets revealed), its parent and the URNs it depends on
// (explicit `dependsOn` and the outputs its inputs use, as the engine orders creation), and
// `retainOnDelete`/`protect`. Mocks stand in for the other providers: RandomPassword answers
// a fresh random value, and the dynamic resources (Jwks, JwtToken, SuccessMarker) run their
// own providers' `create`, so the JWKS and the tokens are real. Jobs (`attach` containers)
// answer the shared mocks' successful run here; the harness runs them for real afterwards.
import { randomBytes } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import { vi } from "vitest";
import { jwksProvider, tokenProvider } from "../../components/auth/providers";
import { defaultJobResult, reveal, valueOf } from "../support/mocks";

export interface Captured {
    urn: string;
    type: string;
    name: string;
    custom: boolean;
    parent: string;
    inputs: Record<string, any>;
    dependsOn: string[];
    retainOnDelete: boolean;
    protect: boolean;
}

export interface ProgramRun {
    resources: Captured[];
    /** The stack outputs (secrets revealed). */
    outputs: Record<string, any>;
}

const OUTPUTS = ["endpoints", "caChains", "adminClients", "tokens", "jwks"] as const;

async function mockedOutputs(type: string, name: string, inputs: Record<string, any>): Promise<Record<string, unknown>> {
    switch (type) {
        case "random:index/randomPassword:RandomPassword":
            return { result: randomBytes(18).toString("base64url") };
        case "pulumi-nodejs:dynamic/canton-ha:Jwks":
            return (await jwksProvider.create!(reveal(inputs))).outs;
        case "pulumi-nodejs:dynamic/canton-ha:JwtToken":
            return (await tokenProvider.create!(reveal(inputs))).outs;
        case "docker:index/remoteImage:RemoteImage":
            // Resolved to the local image by the harness (imageRef below).
            return { imageId: `sha256:${name}`, repoDigest: "" };
        case "docker:index/container:Container":
            return inputs.attach ? defaultJobResult(name) : {};
        default:
            if (type.startsWith("tls:")) throw new Error(`${type} ${name}: the Docker e2e runs with pki.source files (real keys); tls resources would carry mock keys`);
            return {};
    }
}

/** Runs the program (index.ts) once under mocks with `config`; callable again for another stack. */
export async function runProgram(stack: string, config: Record<string, string>): Promise<ProgramRun> {
    vi.resetModules();
    const captured = new Map<string, Captured>();
    await pulumi.runtime.setMocks(
        {
            newResource: async (args) => ({ id: `${args.name}-id`, state: { ...args.inputs, ...(await mockedOutputs(args.type, args.name, args.inputs)) } }),
            call: (args) => args.inputs,
        },
        "canton-ha",
        stack,
        false,
    );
    pulumi.runtime.setAllConfig(config);
    const monitor = pulumi.runtime.getMonitor() as any;
    const register = monitor.registerResource.bind(monitor);
    monitor.registerResource = (req: any, callback: (err: unknown, res: any) => void) =>
        register(req, (err: unknown, res: any) => {
            if (res) {
                const urn = res.getUrn();
                captured.set(urn, {
                    urn,
                    type: req.getType(),
                    name: req.getName(),
                    custom: req.getCustom(),
                    parent: req.getParent(),
                    inputs: reveal(pulumi.runtime.deserializeProperties(req.getObject())),
                    dependsOn: req.getDependenciesList(),
                    retainOnDelete: req.getRetainondelete() === true,
                    protect: req.getProtect() === true,
                });
            }
            callback(err, res);
        });
    const program = (await import("../../index")) as unknown as Record<string, pulumi.Input<unknown>>;
    const outputs: Record<string, any> = {};
    for (const k of OUTPUTS) outputs[k] = reveal(await valueOf(program[k]));
    await settle(() => captured.size);
    return { resources: [...captured.values()], outputs };
}

/** Waits until registrations stop arriving (bounded at 10 s), as test/support/mocks.ts does. */
async function settle(count: () => number): Promise<void> {
    let last = -1;
    let stable = 0;
    for (let waited = 0; waited < 10_000 && stable < 5; waited += 20) {
        await new Promise((r) => setTimeout(r, 20));
        stable = count() === last ? stable + 1 : 0;
        last = count();
    }
}
