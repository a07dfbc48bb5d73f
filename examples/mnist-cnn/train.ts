/**
 * Trains the bundled MNIST CNN in plain TypeScript, reproducibly from a seed, and exports it
 * with zkml's sequential ONNX writer. Run: npm run train:cnn.
 *   Conv 5x5 stride 2 (8 channels) → ReLU → MaxPool 2x2 → Flatten → Gemm 10.
 *   Data: ../shared/data/mnist — first 8,000 digits train, last 2,000 evaluate.
 * Writes examples/mnist-cnn/mnist-cnn.onnx and calibration.json (32 training digits).
 */
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { writeSequential } from "../../circuits/onnx/write_sequential.js";
import { mulberry32 } from "../../core/random.js";
import { Adam, gaussian, shuffle } from "../mnist/adam.js";
import { digit, EVAL_START, loadMnist, REPO_ROOT, TRAIN_COUNT, type Digits } from "../mnist/mnist.js";

const SEED = 20261126;
const CH = 8;
const K = 5;
const STRIDE = 2;
const CONV = 12; // (28 - 5) / 2 + 1
const POOL = 6;
const FEATURES = CH * POOL * POOL;
const EPOCHS = 12;
const BATCH = 32;
const OUT_DIR = path.join(REPO_ROOT, "examples/mnist-cnn");

export interface Cnn {
  wc: Float32Array;
  bc: Float32Array;
  wd: Float32Array;
  bd: Float32Array;
}

interface Activations {
  conv: Float32Array; // after ReLU, [CH][12][12]
  pool: Float32Array; // [CH][6][6]
  argPool: Int32Array; // index into conv of each pool max
  out: Float32Array;
}

function newActivations(): Activations {
  return { conv: new Float32Array(CH * CONV * CONV), pool: new Float32Array(FEATURES), argPool: new Int32Array(FEATURES), out: new Float32Array(10) };
}

export function forward(m: Cnn, x: ArrayLike<number>, a = newActivations()): Activations {
  for (let c = 0; c < CH; c++) {
    for (let oy = 0; oy < CONV; oy++) {
      for (let ox = 0; ox < CONV; ox++) {
        let s = m.bc[c]!;
        for (let ky = 0; ky < K; ky++) {
          const row = (oy * STRIDE + ky) * 28 + ox * STRIDE;
          for (let kx = 0; kx < K; kx++) s += m.wc[(c * K + ky) * K + kx]! * x[row + kx]!;
        }
        a.conv[(c * CONV + oy) * CONV + ox] = s > 0 ? s : 0;
      }
    }
    for (let py = 0; py < POOL; py++) {
      for (let px = 0; px < POOL; px++) {
        let best = -Infinity,
          at = 0;
        for (let dy = 0; dy < 2; dy++)
          for (let dx = 0; dx < 2; dx++) {
            const i = (c * CONV + py * 2 + dy) * CONV + px * 2 + dx;
            if (a.conv[i]! > best) {
              best = a.conv[i]!;
              at = i;
            }
          }
        a.pool[(c * POOL + py) * POOL + px] = best;
        a.argPool[(c * POOL + py) * POOL + px] = at;
      }
    }
  }
  for (let k = 0; k < 10; k++) {
    let s = m.bd[k]!;
    for (let j = 0; j < FEATURES; j++) s += m.wd[k * FEATURES + j]! * a.pool[j]!;
    a.out[k] = s;
  }
  return a;
}

function argmax(v: ArrayLike<number>): number {
  let b = 0;
  for (let i = 1; i < v.length; i++) if (v[i]! > v[b]!) b = i;
  return b;
}

export function accuracy(m: Cnn, data: Digits): number {
  let ok = 0;
  const a = newActivations();
  for (let i = EVAL_START; i < data.count; i++) if (argmax(forward(m, data.images.subarray(i * 784, (i + 1) * 784), a).out) === data.labels[i]) ok++;
  return ok / (data.count - EVAL_START);
}

export function train(data: Digits): Cnn {
  const rand = mulberry32(SEED);
  const gauss = gaussian(rand);
  const m: Cnn = {
    wc: Float32Array.from({ length: CH * K * K }, () => gauss() * Math.sqrt(2 / (K * K))),
    bc: new Float32Array(CH),
    wd: Float32Array.from({ length: 10 * FEATURES }, () => gauss() * Math.sqrt(1 / FEATURES)),
    bd: new Float32Array(10),
  };
  const adam = new Adam([m.wc, m.bc, m.wd, m.bd]);
  const grads = adam.grads;
  const order = Array.from({ length: TRAIN_COUNT }, (_, i) => i);
  const a = newActivations();
  const dPool = new Float32Array(FEATURES);
  for (let epoch = 0; epoch < EPOCHS; epoch++) {
    shuffle(order, rand);
    const lr = 0.003 * (epoch < EPOCHS / 2 ? 1 : epoch < (3 * EPOCHS) / 4 ? 0.3 : 0.1);
    let loss = 0;
    for (let start = 0; start < order.length; start += BATCH) {
      adam.zeroGrad();
      const batch = order.slice(start, start + BATCH);
      for (const idx of batch) {
        const x = data.images.subarray(idx * 784, (idx + 1) * 784);
        forward(m, x, a);
        const mx = Math.max(...a.out);
        let z = 0;
        for (let k = 0; k < 10; k++) z += Math.exp(a.out[k]! - mx);
        const label = data.labels[idx]!;
        loss += -(a.out[label]! - mx - Math.log(z));
        dPool.fill(0);
        for (let k = 0; k < 10; k++) {
          const d = (Math.exp(a.out[k]! - mx) / z - (k === label ? 1 : 0)) / batch.length;
          grads[3]![k]! += d;
          for (let j = 0; j < FEATURES; j++) {
            grads[2]![k * FEATURES + j]! += d * a.pool[j]!;
            dPool[j]! += d * m.wd[k * FEATURES + j]!;
          }
        }
        // Back through the pool (to its argmax) and the ReLU (only where the conv output was > 0).
        for (let j = 0; j < FEATURES; j++) {
          const i = a.argPool[j]!;
          if (a.conv[i]! <= 0) continue;
          const d = dPool[j]!;
          const c = Math.floor(i / (CONV * CONV));
          const oy = Math.floor(i / CONV) % CONV;
          const ox = i % CONV;
          grads[1]![c]! += d;
          for (let ky = 0; ky < K; ky++) {
            const row = (oy * STRIDE + ky) * 28 + ox * STRIDE;
            for (let kx = 0; kx < K; kx++) grads[0]![(c * K + ky) * K + kx]! += d * x[row + kx]!;
          }
        }
      }
      adam.step(lr);
    }
    console.log(`epoch ${epoch + 1}/${EPOCHS}: loss ${(loss / order.length).toFixed(4)}, held-out accuracy ${(100 * accuracy(m, data)).toFixed(2)}%`);
  }
  return m;
}

async function main() {
  const t0 = performance.now();
  const data = loadMnist();
  const m = train(data);
  await writeSequential(path.join(OUT_DIR, "mnist-cnn.onnx"), {
    name: "mnist-cnn",
    inputShape: [1, 28, 28],
    docString: `MNIST CNN (conv 5x5/2 x8, ReLU, maxpool 2, dense 10) trained by zkml (seed ${SEED}) on the first 8,000 MNIST test digits. MNIST: Yann LeCun, Corinna Cortes, Christopher Burges, CC BY-SA 3.0.`,
    layers: [
      { kind: "conv", outChannels: CH, kernel: K, stride: STRIDE, weight: m.wc, bias: m.bc },
      { kind: "activation", op: "Relu" },
      { kind: "maxpool", kernel: 2 },
      { kind: "flatten" },
      { kind: "dense", outFeatures: 10, weight: m.wd, bias: m.bd },
    ],
  });
  // Calibration: 32 training digits (never the held-out ones), rounded like the bundled inputs.
  const round = (v: number) => Number((Math.round(v * 255) / 255).toFixed(6));
  const samples = Array.from({ length: 32 }, (_, k) => digit(data, k * 97).map(round));
  await writeFile(path.join(OUT_DIR, "calibration.json"), JSON.stringify({ samples }) + "\n");
  console.log(`float accuracy on the 2,000 held-out digits: ${(100 * accuracy(m, data)).toFixed(2)}%`);
  console.log(`trained in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

if (process.argv[1] && import.meta.url.endsWith(path.basename(process.argv[1]))) {
  await main();
}
