// Whether a path is an executable regular file: how the scripts and the test support find
// the binaries they run (openssl, postgres, haproxy, nginx).
import * as fs from "node:fs";

export function isExecutable(p: string): boolean {
    try {
        fs.accessSync(p, fs.constants.X_OK);
        return fs.statSync(p).isFile();
    } catch {
        return false;
    }
}
