/**
 * Input files: {"input": [...]} nested in the model's shape or flat, or the
 * {"input_data": [[...]]} form other ZKML tools write (one array per graph input).
 * Calibration files: {"samples": [input, input, ...]} or any input file (one sample).
 */
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { ZkmlError } from "./errors.js";

function flatten(value: unknown, file: string, out: number[] = []): number[] {
  if (Array.isArray(value)) {
    for (const v of value) flatten(v, file, out);
  } else if (typeof value === "number") {
    out.push(value);
  } else {
    throw new ZkmlError("BAD_INPUT", `${file}: input value ${JSON.stringify(value)} is not a number`, "inputs must be finite numbers");
  }
  return out;
}

async function readJson(file: string, what: string): Promise<unknown> {
  if (!existsSync(file)) throw new ZkmlError("FILE_NOT_FOUND", `${what} file not found: ${file}`);
  const text = await readFile(file, "utf8");
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new ZkmlError("BAD_INPUT", `${file} is not valid JSON (${(e as Error).message})`, "NaN and Infinity are not JSON; inputs must be finite numbers");
  }
}

/** The flat input values of one inference, from an already-parsed input object. */
export function inputValues(doc: unknown, file: string): number[] {
  const d = doc as Record<string, unknown> | null;
  let values: number[];
  if (d && typeof d === "object" && "input" in d) {
    values = flatten(d.input, file);
  } else if (d && typeof d === "object" && "input_data" in d) {
    const arrays = d.input_data;
    if (!Array.isArray(arrays) || arrays.length === 0) throw new ZkmlError("BAD_INPUT", `${file}: "input_data" must be a non-empty array of arrays`);
    // One array per graph input, in graph order: the circuit input is their concatenation.
    values = flatten(arrays, file);
  } else {
    throw new ZkmlError("BAD_INPUT", `${file}: expected {"input": [...]} or {"input_data": [[...]]}`);
  }
  values.forEach((v, i) => {
    if (!Number.isFinite(v)) throw new ZkmlError("BAD_INPUT", `${file}: input value #${i} is ${v}, not a finite number`);
  });
  return values;
}

export async function readInputFile(file: string): Promise<number[]> {
  return inputValues(await readJson(file, "input"), file);
}

export async function readCalibrationFile(file: string): Promise<{ samples: number[][]; labels?: number[] }> {
  const doc = (await readJson(file, "calibration")) as Record<string, unknown>;
  if (doc && Array.isArray(doc.samples)) {
    const samples = doc.samples.map((s, i) => inputValues({ input: s }, `${file} sample #${i}`));
    const labels = Array.isArray(doc.labels) ? (doc.labels as number[]) : undefined;
    return { samples, labels };
  }
  return { samples: [inputValues(doc, file)] };
}
