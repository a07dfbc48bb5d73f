/**
 * How far the quantized model is from the float one: onnxruntime-node runs the original ONNX
 * file, the reference interpreter runs the quantized model, on the same samples.
 */
import * as ort from "onnxruntime-node";
import { argmax, dequantize, quantizeInput, runReference, type QModel } from "../core/qmodel.js";

export interface FidelityReport {
  samples: number;
  /** Fraction of samples whose float and quantized argmax agree. */
  argmaxAgreement: number;
  maxAbsError: number;
  meanAbsError: number;
  /** With labels: accuracy of each. */
  floatAccuracy?: number;
  quantizedAccuracy?: number;
}

export async function floatOutputs(onnxFile: string | Uint8Array, model: QModel, samples: number[][]): Promise<number[][]> {
  // Two overloads (path, bytes): the union has to be narrowed for the compiler.
  const session = typeof onnxFile === "string" ? await ort.InferenceSession.create(onnxFile) : await ort.InferenceSession.create(onnxFile);
  try {
    const name = session.inputNames[0]!;
    const out: number[][] = [];
    for (const s of samples) {
      const feeds = { [name]: new ort.Tensor("float32", Float32Array.from(s), model.input.shape) };
      const res = await session.run(feeds);
      out.push(Array.from(res[session.outputNames[0]!]!.data as Float32Array));
    }
    return out;
  } finally {
    await session.release();
  }
}

export async function measureFidelity(onnxFile: string, model: QModel, samples: number[][], labels?: number[]): Promise<FidelityReport> {
  const floats = await floatOutputs(onnxFile, model, samples);
  let agree = 0, maxAbs = 0, sumAbs = 0, count = 0, floatOk = 0, quantOk = 0;
  samples.forEach((s, i) => {
    const ref = runReference(model, quantizeInput(model, s));
    const deq = dequantize(ref.output, model.output.frac);
    const f = floats[i]!;
    if (argmax(f) === ref.argmax) agree++;
    f.forEach((v, j) => {
      const e = Math.abs(v - deq[j]!);
      maxAbs = Math.max(maxAbs, e);
      sumAbs += e;
      count++;
    });
    if (labels) {
      if (argmax(f) === labels[i]) floatOk++;
      if (ref.argmax === labels[i]) quantOk++;
    }
  });
  const report: FidelityReport = {
    samples: samples.length,
    argmaxAgreement: agree / samples.length,
    maxAbsError: maxAbs,
    meanAbsError: sumAbs / count,
  };
  if (labels) {
    report.floatAccuracy = floatOk / samples.length;
    report.quantizedAccuracy = quantOk / samples.length;
  }
  return report;
}
