/**
 * The MNIST test set from ../shared/data/mnist (IDX, gzip). MNIST is by Yann LeCun, Corinna
 * Cortes and Christopher Burges, CC BY-SA 3.0. zkml splits the 10k digits: the first 8,000
 * train, the last 2,000 evaluate.
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const MNIST_DIR = process.env.ZKML_MNIST_DIR ?? path.resolve(REPO_ROOT, "../shared/data/mnist");
export const TRAIN_COUNT = 8000;
export const EVAL_START = 8000;

export interface Digits {
  count: number;
  /** Pixels scaled to [0, 1], 784 per digit. */
  images: Float32Array;
  labels: Uint8Array;
}

export function mnistAvailable(): boolean {
  return existsSync(path.join(MNIST_DIR, "t10k-images-idx3-ubyte.gz"));
}

export function loadMnist(dir = MNIST_DIR): Digits {
  const img = gunzipSync(readFileSync(path.join(dir, "t10k-images-idx3-ubyte.gz")));
  const lab = gunzipSync(readFileSync(path.join(dir, "t10k-labels-idx1-ubyte.gz")));
  if (img.readUInt32BE(0) !== 2051 || lab.readUInt32BE(0) !== 2049) throw new Error(`${dir}: not MNIST IDX files`);
  const count = img.readUInt32BE(4);
  const pixels = img.subarray(16);
  const images = new Float32Array(count * 784);
  for (let i = 0; i < images.length; i++) images[i] = pixels[i]! / 255;
  return { count, images, labels: Uint8Array.from(lab.subarray(8)) };
}

export function digit(d: Digits, i: number): number[] {
  return Array.from(d.images.subarray(i * 784, (i + 1) * 784));
}
