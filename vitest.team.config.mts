import { defineConfig } from "vitest/config";

// Team mode's suite (test/team): each file starts its own throwaway PostgreSQL and drives several
// real Pulumi CLIs at once, so files run one at a time and are kept out of `npm test`'s run
// (.ci/run runs this config as its own step, counted in its closing line).
export default defineConfig({
  test: {
    include: ["test/team/**/*.test.ts"],
    testTimeout: 300_000,
    hookTimeout: 180_000,
    maxWorkers: 1,
    fileParallelism: false,
    pool: "forks",
  },
});
