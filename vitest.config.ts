import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: "forks",
    // vitest's default is one worker on a 2-core machine; most suites wait on child processes,
    // sockets and timers rather than on the CPU, so two files at a time halve the wall time
    maxWorkers: 2,
  },
});
