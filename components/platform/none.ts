// The `none` platform renders PKI, passwords and configs but runs nothing: for operators
// who deploy the rendered files with their own tooling, and for engine tests without Docker.
import { exposeThroughProxy } from "./expose";
import type { ExposeRequest, Exposure, Platform } from "./types";
import type * as pulumi from "@pulumi/pulumi";

export class NonePlatform implements Platform {
    readonly name = "none";
    readonly nonRoot = false;
    deploy(): undefined {
        return undefined;
    }
    /** Nothing runs: the rendered scripts and remote configs are the output (see docs/bootstrap.md). */
    runOnce(): undefined {
        return undefined;
    }
    /** The proxy configs are rendered too (the LoadBalancer component), so they can be deployed by hand. */
    expose(req: ExposeRequest, opts: pulumi.ComponentResourceOptions): Exposure {
        return exposeThroughProxy(this, req, opts);
    }
    disruptionBudget(): void {
        // Nothing runs, so nothing can be disrupted.
    }
}
