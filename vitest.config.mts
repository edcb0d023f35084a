import { fileURLToPath } from "node:url";
import { configDefaults, defineConfig } from "vitest/config";

// test/engine-providers needs provider plugins that cannot be built on the machines this
// project is developed on (tools/engine/README.md). scripts/test.sh includes it whenever
// bin/ holds them (CANTON_HA_PROVIDER_TESTS=1) and prints a loud NOT RUN line otherwise.
const withProviders = process.env.CANTON_HA_PROVIDER_TESTS === "1";

export default defineConfig({
    resolve: {
        // Programs import the library by its package name; under test that is its source, so a
        // test and the program it runs share one copy of every class (no build needed to test).
        alias: { "canton-ha": fileURLToPath(new URL("./components/index.ts", import.meta.url)) },
    },
    test: {
        testTimeout: 60_000,
        hookTimeout: 120_000,
        pool: "forks",
        exclude: [...configDefaults.exclude, "policies/**", "components/dist/**", ...(withProviders ? [] : ["test/engine-providers/**"])],
    },
});
