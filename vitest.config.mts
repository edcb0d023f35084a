import { configDefaults, defineConfig } from "vitest/config";

// test/engine-providers needs provider plugins that cannot be built on the machines this
// project is developed on (tools/engine/README.md). scripts/test.sh includes it whenever
// bin/ holds them (CANTON_HA_PROVIDER_TESTS=1) and prints a loud NOT RUN line otherwise.
const withProviders = process.env.CANTON_HA_PROVIDER_TESTS === "1";

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: "forks",
    exclude: [...configDefaults.exclude, "policies/**", ...(withProviders ? [] : ["test/engine-providers/**"])],
  },
});
