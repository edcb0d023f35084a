#!/usr/bin/env node
/**
 * TEST DOUBLE — entry point of the canton-ha stand-in Canton node (see ./README.md).
 * This is NOT Canton. Build a plain-node bundle with bundle.ts (see README.md "Running it")
 * and run `node <bundle> --help`. A one-command esbuild bundle (`npm run build:standin`) runs the
 * flag mode only: `daemon` and `run` load the HOCON parser, which needs bundle.ts's plugin.
 *
 * `daemon ...` and `run ...` make it behave like the Canton image's `canton` executable
 * (canton.ts); anything else is the stand-in's own flags (config.ts).
 */
import * as fs from "node:fs";
import { parseConfig, testTimingArgs, usage, type StandinConfig } from "./config";
import { StandinNode } from "./node";

const VERSION = "2.9.4";

async function cantonCli(argv: string[]): Promise<StandinConfig | undefined> {
  // Loaded only here: the flag mode then runs from a plain one-command esbuild bundle too.
  let canton: typeof import("./canton");
  try {
    canton = await import("./canton");
  } catch (e) {
    process.stderr.write(`canton stand-in: this bundle cannot load the HOCON parser (${(e as Error).message}); build it with test/standin/bundle.ts (README.md)\n`);
    process.exit(2);
  }
  const { parseCanton, translateDaemonConfig, runRemote } = canton;
  let inv;
  try {
    inv = parseCanton(argv);
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n`);
    process.exit(2);
  }
  try {
    if (inv.mode === "run") {
      const code = await runRemote(fs.readFileSync(inv.config, "utf8"), fs.readFileSync(inv.script!, "utf8"));
      process.exit(code);
    }
    const t = await translateDaemonConfig(fs.readFileSync(inv.config, "utf8"), { cantonVersion: process.env.CANTON_STANDIN_VERSION ?? VERSION });
    process.stdout.write(
      JSON.stringify({
        t: new Date().toISOString(),
        ms: Date.now(),
        event: "canton-daemon",
        testDouble: true,
        config: inv.config,
        role: t.role,
        node: t.node,
        standinArgs: t.redacted,
      }) + "\n",
    );
    // Only the parent-pid guard and test timings may come from the environment (tests: no
    // orphan survives them; faster-than-Canton delays, which the node then logs loudly).
    const parent = process.env.STANDIN_PARENT_PID;
    return parseConfig([...t.args, ...(parent ? ["--parent-pid", parent] : []), ...testTimingArgs(process.env.STANDIN_TEST_TIMINGS)], {});
  } catch (e) {
    process.stderr.write(`canton stand-in (TEST DOUBLE): ${inv.mode} --config=${inv.config}: FAILED: ${(e as Error).message}\n`);
    process.exit(1);
  }
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv[0] === "--version" || argv[0] === "version") {
    process.stdout.write(`Canton stand-in ${VERSION} (TEST DOUBLE, not Canton)\n`);
    return;
  }
  if (argv.includes("--help") || argv.includes("-h")) {
    process.stdout.write(usage() + "\n");
    return;
  }
  let cfg: StandinConfig | undefined;
  if (argv[0] === "daemon" || argv[0] === "run") {
    cfg = await cantonCli(argv);
    if (!cfg) return;
  } else {
    try {
      cfg = parseConfig(argv);
    } catch (e) {
      process.stderr.write(`standin: ${(e as Error).message}\n`);
      process.exit(2);
    }
  }
  const node = new StandinNode(cfg);
  let exiting = false;
  const shutdown = (signal: string) => {
    if (exiting) return;
    exiting = true;
    const hard = setTimeout(() => process.exit(1), 5000);
    hard.unref();
    node.stop(signal).then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on("SIGTERM", () => shutdown("SIGTERM"));
  process.on("SIGINT", () => shutdown("SIGINT"));
  if (cfg.parentPid !== undefined) {
    const parent = cfg.parentPid;
    setInterval(() => {
      try {
        process.kill(parent, 0);
      } catch {
        shutdown("parent-exited");
      }
    }, 500).unref();
  }
  try {
    await node.start();
  } catch (e) {
    process.stderr.write(`standin: failed to start: ${(e as Error).message}\n`);
    process.exit(1);
  }
}

void main();
