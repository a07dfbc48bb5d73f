/**
 * The compiled artifact as later stages see it: file names in the build folder and the facts
 * the compile stage recorded. The prover and verifier read this, never the compiler.
 */
import path from "node:path";
import { readFile } from "node:fs/promises";
import type { QModel } from "./qmodel.js";
import { FILES } from "./build_files.js";
import { readManifest, requireStage, type Manifest, type StageRecord } from "./manifest.js";
import type { Visibility } from "./statement.js";

/** What the circuit commits to and how it packs it (see docs/CIRCUIT.md). */
export interface CircuitLayout {
  inputSize: number;
  inputBits: number;
  outputSize: number;
  outputBits: number;
  packedInput: number;
  packedOutput: number;
  /** With several graph outputs: the size of each, in order (bound into the commitment's layout tag). */
  outputParts?: number[];
  /** How the input and the output appear in public signal 0 (absent: private; see core/statement.ts). */
  inputVisibility?: Visibility;
  outputVisibility?: Visibility;
}

/** Where the weights live: in the circuit (constants) or in the witness (private inputs). */
export type WeightsMode = "constants" | "private";

export interface CompileInfo {
  constraints: number;
  publicSignals: string[];
  /** Absent in build folders from before the private-weights mode: constants. */
  weights?: WeightsMode;
  /** Private weights: the public commitment to them (decimal), the third public signal. */
  modelCommitment?: string;
  layout: CircuitLayout;
  modelId: string;
  circomStats: Record<string, number>;
  timingsMs: { compile: number; circom: number };
  fidelity?: unknown;
}

export interface CompiledModel {
  dir: string;
  manifest: Manifest;
  compile: StageRecord;
  info: CompileInfo;
  model: QModel;
  file(name: keyof typeof FILES): string;
}

/** Open a build folder, checking that what compile wrote is still intact. */
export async function openCompiled(dir: string): Promise<CompiledModel> {
  const manifest = await readManifest(dir);
  const compile = await requireStage(dir, manifest, "compile");
  const model = JSON.parse(await readFile(path.join(dir, FILES.qmodel), "utf8")) as QModel;
  return {
    dir,
    manifest,
    compile,
    info: compile.info as unknown as CompileInfo,
    model,
    file: (name) => path.join(dir, FILES[name]),
  };
}
