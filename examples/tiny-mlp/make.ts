/**
 * The bundled tiny MLP (16-16-4, ReLU, weights from a fixed seed): the smallest model that goes
 * through every stage, for quick benchmarks and smoke tests. Run: node --import tsx examples/tiny-mlp/make.ts
 */
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { randomDenseLayers, writeMlp } from "../../circuits/onnx/write.js";
import { mulberry32 } from "../../core/random.js";

const DIR = path.dirname(fileURLToPath(import.meta.url));
const rand = mulberry32(16164);
const widths = [16, 16, 4];

await writeMlp(path.join(DIR, "tiny-mlp.onnx"), {
  name: "tiny-mlp",
  inputName: "input",
  outputName: "logits",
  docString: "zkml's tiny benchmark MLP: random weights from seed 16164, not trained.",
  layers: randomDenseLayers(widths, rand),
});
const sample = () => Array.from({ length: 16 }, () => Math.round((rand() * 2 - 1) * 1000) / 1000);
await writeFile(path.join(DIR, "input.json"), JSON.stringify({ input: sample() }) + "\n");
await writeFile(path.join(DIR, "calibration.json"), JSON.stringify({ samples: Array.from({ length: 32 }, sample) }) + "\n");
