// The `none` platform renders PKI, passwords and configs but runs nothing: for operators
// who deploy the rendered files with their own tooling, and for engine tests without Docker.
import type { Platform } from "./types";

export class NonePlatform implements Platform {
    readonly name = "none";
    deploy(): undefined {
        return undefined;
    }
    /** Nothing runs: the rendered scripts and remote configs are the output (see docs/bootstrap.md). */
    runOnce(): undefined {
        return undefined;
    }
}
