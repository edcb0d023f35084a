/**
 * TEST DOUBLE build — bundles the canton-ha stand-in Canton node (see ./README.md) into one
 * file that runs with plain `node`, no node_modules needed (tests, the stand-in image).
 *
 *   esbuild test/standin/bundle.ts --bundle --platform=node --packages=external --outfile=<b>.js
 *   node <b>.js test/standin/main.ts <out.js> [node20|node18]
 *
 * Why not one esbuild command line: @pushcorn/hocon-parser (the HOCON parser `canton daemon`
 * and `canton run` use) loads its components with `require(\`../${d}/${f}\`)`, which esbuild
 * turns into a glob whose keys carry `.js`, so the bundle fails at load with "Module not
 * found in bundle: ../sources/ContextSource". The plugin below makes those requires static.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { build, type Plugin } from "esbuild";

const CONTEXT_JS = /@pushcorn[\\/]hocon-parser[\\/]lib[\\/]core[\\/]Context\.js$/;
const DYNAMIC_REQUIRE = "require (`../${d}/${f}`)";

/** Replaces the parser's dynamic component require by a static table of its component files. */
export const hoconStaticComponents: Plugin = {
  name: "hocon-parser-static-components",
  setup(b) {
    b.onLoad({ filter: CONTEXT_JS }, async (args) => {
      const src = await fs.promises.readFile(args.path, "utf8");
      if (!src.includes(DYNAMIC_REQUIRE)) throw new Error(`${args.path}: the dynamic require this build rewrites is gone; check the hocon-parser version`);
      const lib = path.dirname(path.dirname(args.path));
      const table: string[] = [];
      for (const dir of ["sources", "builders", "transforms"]) {
        for (const f of fs.readdirSync(path.join(lib, dir)).filter((n) => n.endsWith(".js"))) {
          const stem = f.slice(0, -3);
          table.push(`  ${JSON.stringify(`${dir}/${stem}`)}: () => require(${JSON.stringify(`../${dir}/${stem}`)}),`);
        }
      }
      const contents =
        `const __hoconComponents = {\n${table.join("\n")}\n};\n` +
        src.replace(DYNAMIC_REQUIRE, "(__hoconComponents[`${d}/${f}`] || (() => { throw new Error(`hocon-parser component ${d}/${f} missing from the bundle`); }))()");
      return { contents, loader: "js" };
    });
  },
};

/** `entry`: test/standin/main.ts (passed in: this file itself runs bundled, away from its source). */
export async function bundleStandin(entry: string, outfile: string, target = "node20"): Promise<void> {
  await build({
    entryPoints: [entry],
    bundle: true,
    platform: "node",
    target,
    external: ["pg-native"],
    outfile,
    logLevel: "error",
    plugins: [hoconStaticComponents],
  });
}

if (require.main === module) {
  const [entry, out, target] = process.argv.slice(2);
  if (!entry || !out) {
    process.stderr.write("usage: node <bundle.js> test/standin/main.ts <out.js> [node20|node18]\n");
    process.exit(2);
  }
  bundleStandin(path.resolve(entry), path.resolve(out), target).catch((e: Error) => {
    process.stderr.write(`bundle: ${e.message}\n`);
    process.exit(1);
  });
}
