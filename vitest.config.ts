import { defineConfig } from "vitest/config";

/**
 * Two projects. `unit`: the registries, importer, quantizer, reference interpreter and ONNX
 * writers, with no circom, snarkjs, chain or server and no global setup (`npm run test:unit`,
 * the inner loop). `full`: everything else, which shares the MNIST build of the global setup.
 * `npm test` runs both.
 */
const UNIT = ["test/unit/**/*.test.ts", "test/onnx-import.test.ts", "test/quantize.test.ts", "test/layer-kinds.test.ts", "test/onnx-node-tests.test.ts"];

export default defineConfig({
  test: {
    testTimeout: 300_000,
    hookTimeout: 900_000,
    pool: "forks",
    // Two files at a time (vitest's default here is cores - 1 = 1): compiles, solc, chains and
    // servers are single-threaded, so a second file fills the gaps. Measured on 2 cores: the
    // suite took 1,158 s with 2 against 1,437 s with 1.
    maxWorkers: 2,
    reporters: ["default"],
    projects: [
      { extends: true, test: { name: "unit", include: UNIT } },
      { extends: true, test: { name: "full", include: ["test/**/*.test.ts"], exclude: UNIT, globalSetup: ["test/global-setup.ts"] } },
    ],
  },
});
