/**
 * The on-chain agent example: three action scores (hold, shift to token A, shift to token B)
 * from a pool's state: reserve A (millions), reserve B (thousands), four recent prices
 * (thousands of USD, oldest first). Hand-set: shift toward the token the pool is short of, and
 * away from B when its price is falling. Its input is hashed and its output private, so
 * RebalancingVault.sol acts on the proven action for the pool's current state.
 * Run: node --import tsx examples/vault-agent/make.ts
 */
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { writeMlp } from "../../circuits/onnx/write.js";
import { mulberry32 } from "../../core/random.js";

const DIR = path.dirname(fileURLToPath(import.meta.url));
// Rows: hold, toA, toB; columns: reserveA, reserveB, p0, p1, p2, p3.
const WEIGHTS = [
  [0, 0, 0, 0, 0, 0],
  [-1, 1, 0.5, 0, 0, -0.5],
  [1, -1, -0.5, 0, 0, 0.5],
].flat();

await writeMlp(path.join(DIR, "vault-agent.onnx"), {
  name: "vault-agent",
  inputName: "pool",
  outputName: "scores",
  docString: "zkml's on-chain agent example: hold / shift to A / shift to B scores from reserves and recent prices (hand-set).",
  layers: [{ inFeatures: 6, outFeatures: 3, weight: WEIGHTS, bias: [0.4, 0, 0], relu: false }],
});
const rand = mulberry32(6);
const sample = () => [rand() * 4, rand() * 4, ...Array.from({ length: 4 }, () => 1 + rand() * 3)].map((v) => Math.round(v * 100) / 100);
await writeFile(path.join(DIR, "calibration.json"), JSON.stringify({ samples: Array.from({ length: 32 }, sample) }) + "\n");
