// SPDX-License-Identifier: MIT
// Lint rules for every TypeScript file in the repository; `npm test` runs them
// (test/unit/lint.test.ts) so a violation fails the run.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
    { ignores: ["dist/**", "node_modules/**", "**/*.js", "**/*.mjs"] },
    js.configs.recommended,
    ...tseslint.configs.recommended,
    {
        languageOptions: { parserOptions: { projectService: false } },
        rules: {
            // Unused names are errors, except the `_`-prefixed ones an interface demands.
            "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none" }],
            eqeqeq: ["error", "always", { null: "ignore" }],
            "no-console": "off",
            "prefer-const": "error",
        },
    },
    {
        // Small files with one job, and functions a reader takes in at once.
        // Tests may be long: a scenario reads best in one piece.
        files: ["provider/**/*.ts", "examples/**/*.ts", "index.ts"],
        rules: {
            "max-lines": ["error", { max: 400 }],
            "max-lines-per-function": ["error", { max: 80 }],
        },
    },
);
