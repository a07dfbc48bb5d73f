/**
 * The compile stage: ONNX file → build folder with the quantized model, circom source, r1cs,
 * witness wasm and a manifest. Everything is checked before anything is written, and the folder
 * is swapped in whole at the end.
 */
import { existsSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { publicSignalNames } from "../core/circuit_input.js";
import type { CompileInfo, WeightsMode } from "../core/compiled.js";
import { FILES } from "../core/build_files.js";
import { ZkmlError } from "../core/errors.js";
import { readCalibrationFile } from "../core/input.js";
import { buildFolderAtomically, MANIFEST_FORMAT, sha256Bytes, sha256File, writeManifest, type Manifest } from "../core/manifest.js";
import type { QModel } from "../core/qmodel.js";
import { sizeOf } from "../core/ir.js";
import { layerConstantTerms } from "../core/ops/index.js";
import { mulberry32 } from "../core/random.js";
import { parseVisibility, type Visibility } from "../core/statement.js";
import { circuitLayout, generateCircom } from "./codegen.js";
import { parseCircomStats, runCircom } from "./circom.js";
import { fidelityUnavailable, measureFidelity, type FidelityReport } from "./fidelity.js";
import { importOnnxFile } from "./onnx/import.js";
import { type InputDomain, quantizeGraph, withPrivateWeights } from "./quantize.js";

export interface CompileOptions {
  outDir?: string;
  calibrationFile?: string;
  bits?: number;
  /** constants (default): weights are part of the circuit. private: inputs bound by a commitment. */
  weights?: WeightsMode;
  /** Measure agreement with onnxruntime when a calibration file is given (default true; a recompile that only compares the r1cs skips it). */
  fidelity?: boolean;
  /** Salt of the private-weights commitment (default: 31 random bytes). */
  salt?: bigint;
  /** With several graph outputs: the one whose argmax is the proof's class (QuantizeOptions.classOutput). */
  classOutput?: string;
  /** Fuse polynomial activations (QuantizeOptions.fuse); default true. */
  fuse?: boolean;
  /** The input's domain (QuantizeOptions.inputDomain); default auto. */
  inputDomain?: InputDomain;
  /**
   * How the input and the output appear in public signal 0 (core/statement.ts): private (the
   * default, a blinded commitment) or hashed (a statement a contract holding the values recomputes).
   */
  inputVisibility?: Visibility;
  outputVisibility?: Visibility;
  progress?: (message: string) => void;
}

export interface CompileResult {
  outDir: string;
  model: QModel;
  info: CompileInfo;
  fidelity?: FidelityReport;
  /** Why no fidelity report was made though a calibration file was given (onnxruntime-node is not installed). */
  fidelitySkipped?: string;
  calibration: { source: string; samples: number };
}

/**
 * The model's id: sha256 of the quantized model with its name left out. The name comes from the
 * ONNX file's name; renaming the file must not make another model (the weights, scales and
 * layers are what the id stands for).
 */
export function modelIdOf(model: QModel): string {
  return "0x" + sha256Bytes(JSON.stringify({ ...model, name: "" }) + "\n");
}

/** A file's path as the manifest records it: relative to the build folder, with forward slashes. */
function fromBuild(outDir: string, file: string): string {
  return path.relative(path.resolve(outDir), path.resolve(file)).split(path.sep).join("/");
}

/** Synthetic calibration when the user gives none: uniform in [-1, 1], fixed seed. */
function syntheticSamples(size: number, count = 64): number[][] {
  const rand = mulberry32(0x9e3779b9);
  return Array.from({ length: count }, () => Array.from({ length: size }, () => rand() * 2 - 1));
}

/** Above this many multiply-adds, circom's older simplification heuristics are the faster ones. */
const OLD_SIMPLIFICATION_ABOVE = 100_000;

/** Multiply-adds by constant weights: the size of the linear combinations circom must simplify (each layer kind says its own). */
export function multiplyAdds(model: QModel): number {
  return model.layers.reduce((n, l) => n + layerConstantTerms(l), 0);
}

/** The model with each side's visibility recorded (private is the default and is left out, so such models keep their id). */
export function withVisibility(model: QModel, opts: { inputVisibility?: string; outputVisibility?: string }): QModel {
  const pick = (v: string | undefined, flag: string): Visibility | undefined => {
    if (v === undefined) return undefined;
    try {
      const parsed = parseVisibility(v, flag);
      return parsed === "private" ? undefined : parsed;
    } catch (e) {
      throw new ZkmlError("USAGE", `model ${model.name}: ${(e as Error).message}`);
    }
  };
  const input = pick(opts.inputVisibility, "--input-visibility");
  const output = pick(opts.outputVisibility, "--output-visibility");
  return {
    ...model,
    input: { ...model.input, ...(input && { visibility: input }) },
    output: { ...model.output, ...(output && { visibility: output }) },
  };
}

/** build/<model name>/ for an ONNX file. */
export function defaultOutDir(onnxFile: string): string {
  return path.join("build", path.basename(onnxFile).replace(/\.onnx$/i, ""));
}

/** The compile stage's manifest: every output's hash, the sources' hashes and their paths from the build folder. */
async function writeCompileManifest(
  tmp: string,
  c: { outDir: string; onnxFile: string; calibrationFile?: string; calibrationSource: string; name: string; info: CompileInfo },
): Promise<void> {
  const outputs: Record<string, string> = {};
  for (const f of [FILES.qmodel, FILES.circom, FILES.r1cs, FILES.wasm, FILES.sym]) {
    if (!existsSync(path.join(tmp, f))) throw new ZkmlError("CIRCOM_FAILED", `circom2 did not write ${f}`);
    outputs[f] = await sha256File(path.join(tmp, f));
  }
  const inputs: Record<string, string> = { model: await sha256File(c.onnxFile) };
  if (c.calibrationFile) inputs.calibration = await sha256File(c.calibrationFile);
  const manifest: Manifest = {
    format: MANIFEST_FORMAT,
    // Paths from the build folder, not the developer's absolute ones: the folder may be published or moved with its sources.
    model: { name: c.name, source: fromBuild(c.outDir, c.onnxFile), sha256: inputs.model! },
    stages: {
      compile: {
        at: new Date().toISOString(),
        inputs,
        outputs,
        info: { ...c.info, calibration: c.calibrationFile ? fromBuild(c.outDir, c.calibrationFile) : c.calibrationSource },
      },
    },
  };
  await writeManifest(tmp, manifest);
}

/**
 * ONNX file → build folder: import, quantize (scales from the calibration samples, or the
 * model's own Q/DQ scales), generate the circom circuit, compile it with circom2 and write the
 * quantized model, circuit, r1cs, witness wasm and manifest atomically. With a calibration file
 * and onnxruntime-node installed, also measures agreement with the float model.
 */
export async function compileModel(onnxFile: string, opts: CompileOptions = {}): Promise<CompileResult> {
  const t0 = performance.now();
  const progress = opts.progress ?? (() => {});
  const graph = await importOnnxFile(onnxFile);
  const inSize = sizeOf(graph.input.shape);
  let samples: number[][];
  let labels: number[] | undefined;
  let calibrationSource: string;
  if (opts.calibrationFile) {
    ({ samples, labels } = await readCalibrationFile(opts.calibrationFile));
    calibrationSource = opts.calibrationFile;
  } else {
    samples = syntheticSamples(inSize);
    calibrationSource = "synthetic: 64 inputs uniform in [-1, 1] (pass --calibration for real scales)";
  }
  const weights = opts.weights ?? "constants";
  if (weights !== "constants" && weights !== "private") {
    throw new ZkmlError("USAGE", `--weights ${String(weights)}: expected constants or private`);
  }
  const quantized = quantizeGraph(graph, {
    samples,
    bits: opts.bits,
    ...(opts.classOutput !== undefined && { classOutput: opts.classOutput }),
    ...(opts.fuse === false && { fuse: false }),
    ...(opts.inputDomain !== undefined && { inputDomain: opts.inputDomain }),
  });
  const visible = withVisibility(quantized, opts);
  // 31 bytes: below the field modulus, so the salt is a field element as it is.
  const model = weights === "private" ? await withPrivateWeights(visible, opts.salt ?? BigInt("0x" + randomBytes(31).toString("hex"))) : visible;
  let source: string;
  try {
    source = generateCircom(model);
  } catch (e) {
    throw new ZkmlError("BAD_MODEL", `model ${model.name}: ${(e as Error).message}`);
  }
  const wantFidelity = Boolean(opts.calibrationFile) && opts.fidelity !== false;
  const fidelitySkipped = wantFidelity ? await fidelityUnavailable() : undefined;
  const fidelity = wantFidelity && !fidelitySkipped ? await measureFidelity(onnxFile, model, samples, labels, graph) : undefined;
  const outDir = opts.outDir ?? defaultOutDir(onnxFile);
  const layout = circuitLayout(model);
  const qmodelText = JSON.stringify(model) + "\n";

  const info = await buildFolderAtomically(outDir, async (tmp) => {
    await writeFile(path.join(tmp, FILES.qmodel), qmodelText);
    await writeFile(path.join(tmp, FILES.circom), source);
    progress(`circom2: compiling ${FILES.circom}:`);
    const started = Date.now();
    const ticker = setInterval(() => progress(`circom2: compiling, ${Math.round((Date.now() - started) / 1000)} s`), 5000);
    const oldSimplification = multiplyAdds(model) >= OLD_SIMPLIFICATION_ABOVE;
    const circom = await runCircom(path.join(tmp, FILES.circom), tmp, { optimize: "O2", oldSimplification }).finally(() => clearInterval(ticker));
    const stats = parseCircomStats(circom.stdout);
    const constraints = (stats["non-linear constraints"] ?? 0) + (stats["linear constraints"] ?? 0);
    const info: CompileInfo = {
      constraints,
      publicSignals: publicSignalNames(model),
      weights,
      ...(model.privateWeights && { modelCommitment: model.privateWeights.commitment }),
      layout,
      modelId: modelIdOf(model),
      circomStats: stats,
      timingsMs: { compile: performance.now() - t0, circom: circom.ms },
      fidelity,
    };
    await writeCompileManifest(tmp, { outDir, onnxFile, calibrationFile: opts.calibrationFile, calibrationSource, name: model.name, info });
    return info;
  });
  return { outDir, model, info, fidelity, ...(fidelitySkipped && { fidelitySkipped }), calibration: { source: calibrationSource, samples: samples.length } };
}
