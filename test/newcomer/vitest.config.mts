// The newcomer's path (quickstart.newcomer.ts): a fresh clone, npm ci and the README's commands.
// Run by `.ci/run` and `npm run test:newcomer`, not by `vitest run`: it takes minutes and needs
// the ports 8787/8788 that `npm start` uses.
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    root: fileURLToPath(new URL("../..", import.meta.url)),
    include: ["test/newcomer/**/*.newcomer.ts"],
    testTimeout: 20 * 60_000,
    hookTimeout: 5 * 60_000,
    fileParallelism: false,
    pool: "forks",
  },
});
