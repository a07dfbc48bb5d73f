/** The `zkml` block of a Hardhat config: what a user writes, and what the plugin resolves it to. */
import path from "node:path";
import { PROOF_SYSTEMS, type ProofSystem } from "../core/proof_system.js";

export interface ZkmlModelUserConfig {
  /** The ONNX file, relative to the project root. */
  onnx: string;
  /** Calibration samples ({"samples": [...]}); without, the model must carry its scales (QDQ). */
  calibration?: string;
  /** groth16 (default), plonk or fflonk. */
  system?: ProofSystem;
  /** "constants" (default: the verifying key identifies the model) or "private" (committed weights). */
  weights?: "constants" | "private";
  /** A powers-of-tau file for production keys; without, development keys (local chains only). */
  ptau?: string;
}

export interface ZkmlUserConfig {
  /** Models by name: the name is the build folder's and the one every task and helper takes. */
  models?: Record<string, ZkmlModelUserConfig>;
  /** Where build folders go, relative to the project root (default "zkml"). */
  buildDir?: string;
}

export interface ZkmlModelConfig {
  name: string;
  onnx: string;
  calibration?: string;
  system: ProofSystem;
  weights: "constants" | "private";
  ptau?: string;
  /** Its build folder (absolute). */
  dir: string;
}

export interface ZkmlConfig {
  buildDir: string;
  models: Record<string, ZkmlModelConfig>;
}

const SYSTEMS: readonly string[] = PROOF_SYSTEMS;
/** A model name becomes a folder name: no separators, no dots at the start. */
const NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$/;

/** What is wrong with a user's zkml block, as Hardhat's validation errors (path, message). */
export function validateZkmlConfig(user: unknown): { path: (string | number)[]; message: string }[] {
  if (user === undefined) return [];
  const errors: { path: (string | number)[]; message: string }[] = [];
  const isObj = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
  if (!isObj(user)) return [{ path: ["zkml"], message: "expected an object: { models: { name: { onnx, calibration?, system? } }, buildDir? }" }];
  if (user.buildDir !== undefined && typeof user.buildDir !== "string") errors.push({ path: ["zkml", "buildDir"], message: "expected a folder path" });
  if (user.models === undefined) return errors;
  if (!isObj(user.models)) return [...errors, { path: ["zkml", "models"], message: "expected an object of models by name" }];
  for (const [name, m] of Object.entries(user.models)) {
    const at = ["zkml", "models", name];
    if (!NAME.test(name)) errors.push({ path: at, message: "a model name is a folder name: letters, digits, _ . - (not starting with . or -), at most 64" });
    if (!isObj(m)) {
      errors.push({ path: at, message: "expected { onnx, calibration?, system?, weights?, ptau? }" });
      continue;
    }
    if (typeof m.onnx !== "string") errors.push({ path: [...at, "onnx"], message: "expected the ONNX file's path" });
    for (const k of ["calibration", "ptau"] as const)
      if (m[k] !== undefined && typeof m[k] !== "string") errors.push({ path: [...at, k], message: "expected a file path" });
    if (m.system !== undefined && !SYSTEMS.includes(m.system as string))
      errors.push({ path: [...at, "system"], message: `expected one of ${SYSTEMS.join(", ")}` });
    if (m.weights !== undefined && m.weights !== "constants" && m.weights !== "private")
      errors.push({ path: [...at, "weights"], message: "expected constants or private" });
    const known = new Set(["onnx", "calibration", "system", "weights", "ptau"]);
    for (const k of Object.keys(m)) if (!known.has(k)) errors.push({ path: [...at, k], message: `unknown field (known: ${[...known].join(", ")})` });
  }
  return errors;
}

/** The `zkml` block of a Hardhat config, checked, with paths resolved against the project root. */
export function resolveZkmlConfig(user: ZkmlUserConfig | undefined, root: string): ZkmlConfig {
  const buildDir = path.resolve(root, user?.buildDir ?? "zkml");
  const models: Record<string, ZkmlModelConfig> = {};
  for (const [name, m] of Object.entries(user?.models ?? {})) {
    models[name] = {
      name,
      onnx: path.resolve(root, m.onnx),
      ...(m.calibration !== undefined && { calibration: path.resolve(root, m.calibration) }),
      system: m.system ?? "groth16",
      weights: m.weights ?? "constants",
      ...(m.ptau !== undefined && { ptau: path.resolve(root, m.ptau) }),
      dir: path.join(buildDir, name),
    };
  }
  return { buildDir, models };
}
