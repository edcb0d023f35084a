// Lint: typescript-eslint's recommended rules, and exports nothing imports (dead surface).
// `npm run lint` runs it with --max-warnings 0; scripts/test.sh runs that. (.eslintrc.json holds
// only the ignore list, which no-unused-modules still reads from the legacy config.)
import js from "@eslint/js";
import tseslint from "typescript-eslint";
import importX from "eslint-plugin-import-x";

export default tseslint.config(
    { ignores: ["**/node_modules/**", "**/dist/**", "bin/**", ".cache/**", "policies/**", "test/engine/fixture*/**", "tools/**", "vitest.config.mts"] },
    js.configs.recommended,
    ...tseslint.configs.recommended,
    {
        plugins: { "import-x": importX },
        languageOptions: { parserOptions: { projectService: false } },
        settings: { "import-x/resolver": { node: { extensions: [".ts", ".js"] } }, "import-x/extensions": [".ts", ".js"] },
        rules: {
            "@typescript-eslint/no-explicit-any": "off", // tests read the mock monitor's untyped state
            "@typescript-eslint/no-unused-vars": ["warn", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", destructuredArrayIgnorePattern: "^_" }],
        },
    },
    {
        // Exports that no module imports. The library's public surface is what components/index.ts
        // re-exports, so the barrel and the program entry points are the roots.
        files: ["components/**/*.ts"],
        ignores: ["components/index.ts"],
        rules: { "import-x/no-unused-modules": ["warn", { unusedExports: true, src: ["components/**/*.ts", "index.ts", "examples/**/*.ts", "test/**/*.ts", "bench/**/*.ts"] }] },
    },
);
