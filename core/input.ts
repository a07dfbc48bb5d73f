/**
 * Input files: {"input": [...]} nested in the model's shape or flat, or the
 * {"input_data": [[...]]} form other ZKML tools write (one array per graph input).
 * Calibration files: {"samples": [input, input, ...]} or any input file (one sample).
 */
import { existsSync } from "node:fs";
import { readFile, stat } from "node:fs/promises";
import { ZkmlError } from "./errors.js";
import { LIMITS } from "./limits.js";

/**
 * The numbers of a nested array, in order, and the array's shape (undefined when it is ragged).
 * Iterative with a depth limit: a hostile 200,000-deep array must not overflow the stack.
 */
function flatten(value: unknown, file: string): { values: number[]; shape?: number[] } {
  const values: number[] = [];
  const shapeAt: (number | undefined)[] = [];
  let rectangular = true;
  let leafDepth: number | undefined;
  const stack: { v: unknown; depth: number }[] = [{ v: value, depth: 0 }];
  while (stack.length) {
    const { v, depth } = stack.pop()!;
    if (Array.isArray(v)) {
      if (depth >= LIMITS.inputDepth) throw new ZkmlError("BAD_INPUT", `${file}: input nested deeper than ${LIMITS.inputDepth} levels`);
      if (shapeAt[depth] === undefined) shapeAt[depth] = v.length;
      else if (shapeAt[depth] !== v.length) rectangular = false;
      for (let i = v.length - 1; i >= 0; i--) stack.push({ v: v[i], depth: depth + 1 });
    } else if (typeof v === "number") {
      if (leafDepth === undefined) leafDepth = depth;
      else if (leafDepth !== depth) rectangular = false;
      values.push(v);
      if (values.length > LIMITS.tensorElements) throw new ZkmlError("BAD_INPUT", `${file}: over ${LIMITS.tensorElements} input values`);
    } else {
      throw new ZkmlError("BAD_INPUT", `${file}: input value ${String(JSON.stringify(v) ?? v).slice(0, 40)} is not a number`, "inputs must be finite numbers");
    }
  }
  const shape = shapeAt.slice(0, leafDepth ?? shapeAt.length) as number[];
  return { values, shape: rectangular ? shape : undefined };
}

/**
 * A nested input must have the model's shape (a leading batch dimension of 1 may be there or
 * not); a flat array only needs the right count, which quantizeInput checks.
 */
function checkShape(got: number[] | undefined, want: readonly number[] | undefined, file: string, what: string): void {
  if (!want || (got && got.length === 1)) return;
  const strip = (s: readonly number[]) => (s.length > 1 && s[0] === 1 ? s.slice(1) : [...s]);
  if (!got || strip(got).join(",") !== strip(want).join(",")) {
    throw new ZkmlError(
      "BAD_INPUT",
      `${file}: ${what} is nested as [${got ?? "ragged"}], the model takes [${want.join(", ")}]`,
      "give the values flat, or nested in the model's shape",
    );
  }
}

const FINITE_HINT = "NaN and Infinity are not JSON; inputs must be finite numbers";

/** A JSON file of at most LIMITS.jsonBytes, parsed; `what` names it in errors. */
export async function readJsonFile(file: string, what: string, hint?: string): Promise<unknown> {
  if (!existsSync(file)) throw new ZkmlError("FILE_NOT_FOUND", `${what} file not found: ${file}`);
  const { size } = await stat(file);
  if (size > LIMITS.jsonBytes) throw new ZkmlError("BAD_INPUT", `${file}: ${size} bytes, over zkml's limit of ${LIMITS.jsonBytes} for a JSON file`);
  const text = await readFile(file, "utf8");
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new ZkmlError("BAD_INPUT", `${file} is not valid JSON (${(e as Error).message})`, hint);
  }
}

/**
 * The flat input values of one inference, from an already-parsed input object. With `shapes`
 * (the model's input shapes, one per graph input), nested arrays are checked against them.
 */
export function inputValues(doc: unknown, file: string, shapes?: readonly (readonly number[])[]): number[] {
  const d = doc as Record<string, unknown> | null;
  let values: number[];
  if (d && typeof d === "object" && "input" in d) {
    const flat = flatten(d.input, file);
    if (shapes?.length === 1) checkShape(flat.shape, shapes[0], file, `"input"`);
    values = flat.values;
  } else if (d && typeof d === "object" && "input_data" in d) {
    const arrays = d.input_data;
    if (!Array.isArray(arrays) || arrays.length === 0) throw new ZkmlError("BAD_INPUT", `${file}: "input_data" must be a non-empty array of arrays`);
    // One array per graph input, in graph order: the circuit input is their concatenation.
    if (shapes && shapes.length > 1 && arrays.length !== shapes.length) {
      throw new ZkmlError("BAD_INPUT", `${file}: "input_data" has ${arrays.length} arrays, the model has ${shapes.length} inputs`);
    }
    values = [];
    arrays.forEach((a, k) => {
      const flat = flatten(a, file);
      if (shapes && shapes.length === arrays.length) checkShape(flat.shape, shapes[k], file, `"input_data"[${k}]`);
      values.push(...flat.values);
    });
  } else {
    throw new ZkmlError("BAD_INPUT", `${file}: expected {"input": [...]} or {"input_data": [[...]]}`);
  }
  values.forEach((v, i) => {
    if (!Number.isFinite(v)) throw new ZkmlError("BAD_INPUT", `${file}: input value #${i} is ${v}, not a finite number`);
  });
  return values;
}

/**
 * The float input of an input file ({"input": [...]}, flat or nested, or {"input_data": [[...]]}),
 * flattened and checked against the model's input shapes when given; bounded before it is parsed.
 */
export async function readInputFile(file: string, shapes?: readonly (readonly number[])[]): Promise<number[]> {
  return inputValues(await readJsonFile(file, "input", FINITE_HINT), file, shapes);
}

/** Calibration samples ({"samples": [[...], ...], "labels"?: [...]}) for the quantizer's scales and the fidelity report. */
export async function readCalibrationFile(file: string): Promise<{ samples: number[][]; labels?: number[] }> {
  const doc = (await readJsonFile(file, "calibration", FINITE_HINT)) as Record<string, unknown>;
  if (doc && Array.isArray(doc.samples)) {
    const samples = doc.samples.map((s, i) => inputValues({ input: s }, `${file} sample #${i}`));
    const labels = Array.isArray(doc.labels) ? (doc.labels as number[]) : undefined;
    return { samples, labels };
  }
  return { samples: [inputValues(doc, file)] };
}
