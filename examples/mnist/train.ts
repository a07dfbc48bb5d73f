/**
 * Trains the bundled MNIST classifier (784-32-10, ReLU) in plain TypeScript, reproducibly from
 * a seed, and exports it to ONNX with zkml's own writer. Run: npm run train.
 *   Data: ../shared/data/mnist — first 8,000 digits train, last 2,000 evaluate.
 * Writes examples/mnist/mnist-mlp.onnx, examples/mnist/digits/*.json (10 held-out digits) and
 * examples/mnist/calibration.json (the same 10 digits, used as quantization calibration).
 */
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { writeMlp } from "../../circuits/onnx/write.js";
import { mulberry32 } from "../../core/random.js";
import { Adam, gaussian, shuffle } from "./adam.js";
import { digit, EVAL_START, loadMnist, REPO_ROOT, TRAIN_COUNT } from "./mnist.js";

const SEED = 20261125;
const HIDDEN = 32;
const EPOCHS = 20;
const BATCH = 32;
const OUT_DIR = path.join(REPO_ROOT, "examples/mnist");

export interface Mlp {
  w1: Float32Array;
  b1: Float32Array;
  w2: Float32Array;
  b2: Float32Array;
}

export function forward(m: Mlp, x: ArrayLike<number>, h = new Float32Array(HIDDEN), out = new Float32Array(10)) {
  for (let j = 0; j < HIDDEN; j++) {
    let s = m.b1[j]!;
    const row = j * 784;
    for (let i = 0; i < 784; i++) s += m.w1[row + i]! * x[i]!;
    h[j] = s > 0 ? s : 0;
  }
  for (let k = 0; k < 10; k++) {
    let s = m.b2[k]!;
    for (let j = 0; j < HIDDEN; j++) s += m.w2[k * HIDDEN + j]! * h[j]!;
    out[k] = s;
  }
  return { h, out };
}

function argmax(v: ArrayLike<number>): number {
  let b = 0;
  for (let i = 1; i < v.length; i++) if (v[i]! > v[b]!) b = i;
  return b;
}

export function train(): { model: Mlp; log: string[] } {
  const data = loadMnist();
  const rand = mulberry32(SEED);
  const gauss = gaussian(rand);
  const m: Mlp = {
    w1: Float32Array.from({ length: HIDDEN * 784 }, () => gauss() * Math.sqrt(2 / 784)),
    b1: new Float32Array(HIDDEN),
    w2: Float32Array.from({ length: 10 * HIDDEN }, () => gauss() * Math.sqrt(2 / HIDDEN)),
    b2: new Float32Array(10),
  };
  // Adam state, one per parameter tensor.
  const adam = new Adam([m.w1, m.b1, m.w2, m.b2]);
  const grads = adam.grads;
  const order = Array.from({ length: TRAIN_COUNT }, (_, i) => i);
  const h = new Float32Array(HIDDEN);
  const out = new Float32Array(10);
  const dh = new Float32Array(HIDDEN);
  const log: string[] = [];
  for (let epoch = 0; epoch < EPOCHS; epoch++) {
    shuffle(order, rand);
    const lr = 0.002 * (epoch < EPOCHS / 2 ? 1 : 0.3);
    let loss = 0;
    for (let start = 0; start < order.length; start += BATCH) {
      adam.zeroGrad();
      const batch = order.slice(start, start + BATCH);
      for (const idx of batch) {
        const x = data.images.subarray(idx * 784, (idx + 1) * 784);
        forward(m, x, h, out);
        const mx = Math.max(...out);
        let z = 0;
        for (let k = 0; k < 10; k++) z += Math.exp(out[k]! - mx);
        const label = data.labels[idx]!;
        loss += -(out[label]! - mx - Math.log(z));
        dh.fill(0);
        for (let k = 0; k < 10; k++) {
          const d = (Math.exp(out[k]! - mx) / z - (k === label ? 1 : 0)) / batch.length;
          grads[3]![k]! += d;
          for (let j = 0; j < HIDDEN; j++) {
            grads[2]![k * HIDDEN + j]! += d * h[j]!;
            dh[j]! += d * m.w2[k * HIDDEN + j]!;
          }
        }
        for (let j = 0; j < HIDDEN; j++) {
          if (h[j]! <= 0) continue;
          const d = dh[j]!;
          grads[1]![j]! += d;
          const row = j * 784;
          for (let i = 0; i < 784; i++) if (x[i]! !== 0) grads[0]![row + i]! += d * x[i]!;
        }
      }
      adam.step(lr);
    }
    log.push(`epoch ${epoch + 1}/${EPOCHS}: loss ${(loss / order.length).toFixed(4)}, held-out accuracy ${(100 * accuracy(m, data)).toFixed(2)}%`);
    console.log(log.at(-1));
  }
  return { model: m, log };
}

export function accuracy(m: Mlp, data = loadMnist()): number {
  let ok = 0;
  for (let i = EVAL_START; i < data.count; i++) {
    if (argmax(forward(m, data.images.subarray(i * 784, (i + 1) * 784)).out) === data.labels[i]) ok++;
  }
  return ok / (data.count - EVAL_START);
}

async function main() {
  const t0 = performance.now();
  const { model } = train();
  await writeMlp(path.join(OUT_DIR, "mnist-mlp.onnx"), {
    name: "mnist-mlp",
    inputName: "input",
    outputName: "logits",
    docString: `MNIST 784-32-10 MLP trained by zkml (seed ${SEED}) on the first 8,000 MNIST test digits. MNIST: Yann LeCun, Corinna Cortes, Christopher Burges, CC BY-SA 3.0.`,
    layers: [
      { weight: model.w1, bias: model.b1, inFeatures: 784, outFeatures: HIDDEN, relu: true },
      { weight: model.w2, bias: model.b2, inFeatures: HIDDEN, outFeatures: 10, relu: false },
    ],
  });
  // One held-out digit of each class, the first of each in the evaluation split.
  const data = loadMnist();
  await mkdir(path.join(OUT_DIR, "digits"), { recursive: true });
  const picked: number[] = [];
  for (let c = 0; c < 10; c++) {
    for (let i = EVAL_START; i < data.count; i++)
      if (data.labels[i] === c) {
        picked.push(i);
        break;
      }
  }
  const round = (v: number) => Math.round(v * 255) / 255;
  for (const i of picked) {
    const label = data.labels[i]!;
    await writeFile(
      path.join(OUT_DIR, "digits", `digit-${label}.json`),
      JSON.stringify({ input: digit(data, i).map((v) => Number(round(v).toFixed(6))), label, mnistIndex: i }) + "\n",
    );
  }
  await writeFile(
    path.join(OUT_DIR, "calibration.json"),
    JSON.stringify({ samples: picked.map((i) => digit(data, i).map((v) => Number(round(v).toFixed(6)))) }) + "\n",
  );
  console.log(`float accuracy on the 2,000 held-out digits: ${(100 * accuracy(model, data)).toFixed(2)}%`);
  console.log(`trained in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

if (process.argv[1] && import.meta.url.endsWith(path.basename(process.argv[1]))) {
  await main();
}
