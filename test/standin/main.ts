#!/usr/bin/env node
/**
 * TEST DOUBLE — entry point of the canton-ha stand-in Canton node (see ./README.md).
 * This is NOT Canton. Build a plain-node bundle with `npm run build:standin`
 * (-> dist/standin.js) and run `node dist/standin.js --help`.
 */
import { parseConfig, usage } from "./config";
import { StandinNode } from "./node";

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv.includes("--help") || argv.includes("-h")) {
    process.stdout.write(usage() + "\n");
    return;
  }
  let cfg;
  try {
    cfg = parseConfig(argv);
  } catch (e) {
    process.stderr.write(`standin: ${(e as Error).message}\n`);
    process.exit(2);
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
