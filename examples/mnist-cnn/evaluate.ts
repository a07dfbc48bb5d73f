/**
 * Accuracy of the bundled MNIST CNN on the 2,000 held-out digits, float (onnxruntime) and
 * quantized (zkml's integer reference, which the circuit equals bit for bit), with argmax
 * agreement and per-layer error. Run: npm run evaluate:cnn   (needs ../shared/data/mnist)
 */
import path from "node:path";
import { measureFidelity, type FidelityReport } from "../../circuits/fidelity.js";
import { importOnnxFile } from "../../circuits/onnx/import.js";
import { quantizeGraph } from "../../circuits/quantize.js";
import { readCalibrationFile } from "../../core/input.js";
import { digit, EVAL_START, loadMnist, REPO_ROOT } from "../mnist/mnist.js";

export const CNN_ONNX = path.join(REPO_ROOT, "examples/mnist-cnn/mnist-cnn.onnx");
export const CNN_CALIBRATION = path.join(REPO_ROOT, "examples/mnist-cnn/calibration.json");

export async function evaluateCnn(): Promise<FidelityReport> {
  const graph = await importOnnxFile(CNN_ONNX);
  const model = quantizeGraph(graph, { samples: (await readCalibrationFile(CNN_CALIBRATION)).samples });
  const data = loadMnist();
  const samples: number[][] = [];
  const labels: number[] = [];
  for (let i = EVAL_START; i < data.count; i++) {
    samples.push(digit(data, i));
    labels.push(data.labels[i]!);
  }
  return measureFidelity(CNN_ONNX, model, samples, labels, graph);
}

if (process.argv[1] && import.meta.url.endsWith(path.basename(process.argv[1]))) {
  const r = await evaluateCnn();
  console.log(`held-out digits: ${r.samples}`);
  console.log(`accuracy: float ${(100 * r.floatAccuracy!).toFixed(2)}%, quantized ${(100 * r.quantizedAccuracy!).toFixed(2)}%`);
  console.log(
    `argmax agreement ${(100 * r.argmaxAgreement).toFixed(2)}%, logits max |err| ${r.maxAbsError.toFixed(4)}, mean |err| ${r.meanAbsError.toFixed(4)}`,
  );
  for (const l of r.layers ?? []) console.log(`  ${l.node} (${l.op}): max |err| ${l.maxAbsError.toFixed(4)}, mean |err| ${l.meanAbsError.toFixed(4)}`);
}
