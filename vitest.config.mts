import { configDefaults, defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Team mode has its own config (vitest.team.config.mts): it needs PostgreSQL and runs alone.
    exclude: [...configDefaults.exclude, "test/team/**"],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    // Fails the run, naming them, when processes started by the tests outlive it.
    globalSetup: ["test/support/leftover-processes.ts"],
    // Two cores: e2e files each drive the real CLI, more workers only contend.
    maxWorkers: 2,
    pool: "forks",
  },
});
