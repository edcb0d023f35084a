/**
 * Test support: locate the real server binaries the artifact tests need and
 * fail LOUDLY when one is missing. Tests never skip for a missing binary.
 */
import * as path from "node:path";
import { isExecutable } from "../../scripts/lib/executables";

export type RequiredBinary = "postgres" | "initdb" | "pg_ctl" | "nginx" | "haproxy" | "openssl";

export const INSTALL_HINT = "install the servers with: bash tools/ci/install-apt.sh";

function extraDirs(name: RequiredBinary): string[] {
  const pgBin = process.env.CANTON_HA_PG_BIN ?? "/usr/lib/postgresql/15/bin";
  switch (name) {
    case "postgres":
    case "initdb":
    case "pg_ctl":
      // Only Debian's versioned dir (or the override): a PATH initdb may be another major version.
      return [pgBin];
    case "nginx":
    case "haproxy":
      return ["/usr/sbin"];
    case "openssl":
      return ["/usr/bin"];
  }
}

const PACKAGE: Record<RequiredBinary, string> = {
  postgres: "postgresql-15",
  initdb: "postgresql-15",
  pg_ctl: "postgresql-15",
  nginx: "nginx-light (or nginx)",
  haproxy: "haproxy",
  openssl: "openssl",
};

export class MissingBinaryError extends Error {}

/** Absolute path of a required binary; throws MissingBinaryError with the install hint. */
export function requireBinary(name: RequiredBinary): string {
  const isPg = name === "postgres" || name === "initdb" || name === "pg_ctl";
  const dirs = [...extraDirs(name), ...(isPg ? [] : (process.env.PATH ?? "").split(path.delimiter).filter(Boolean))];
  for (const d of dirs) {
    const p = path.join(d, name);
    if (isExecutable(p)) return p;
  }
  throw new MissingBinaryError(
    `REQUIRED BINARY MISSING: '${name}' (Debian package ${PACKAGE[name]}) not found in ${dirs.join(":")}.\n` +
      `These tests run against the real server and are never skipped: ${INSTALL_HINT}`,
  );
}

/** Check several at once so the error lists everything missing. */
export function requireBinaries(...names: RequiredBinary[]): Record<RequiredBinary, string> {
  const found: Partial<Record<RequiredBinary, string>> = {};
  const missing: string[] = [];
  for (const n of names) {
    try {
      found[n] = requireBinary(n);
    } catch (e) {
      missing.push((e as Error).message.split("\n")[0]);
    }
  }
  if (missing.length > 0) {
    throw new MissingBinaryError(`${missing.join("\n")}\nThese tests are never skipped: ${INSTALL_HINT}`);
  }
  return found as Record<RequiredBinary, string>;
}
