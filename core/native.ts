/**
 * The curve backend: zkml's native BN254 addon (native/, C++ over Node-API, built by node-gyp
 * when the package installs) or ffjavascript's WebAssembly. The addon is optional by design:
 * where it was not built (no compiler, another platform) or cannot load, zkml runs on
 * WebAssembly as before. Both give the same proofs and keys; the native one is faster
 * (docs/BENCHMARKS.md). Node only: the browser always runs WebAssembly.
 *
 * Chosen by `--backend` on the CLI, `setCurveBackend` in the SDK, or ZKML_BACKEND; "auto" (the
 * default) takes the addon when it loads.
 */
import { existsSync, readdirSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { ZkmlError } from "./errors.js";
import { PACKAGE_ROOT } from "./package_files.js";

/**
 * What the addon does, on ffjavascript's byte layouts: field elements little-endian in
 * Montgomery form, affine points (x, y) with (0, 0) for infinity, Jacobian results (x, y, z);
 * scalars 32 bytes little-endian in normal form. Group 1 is G1 (over Fq), 2 is G2 (over Fq2).
 */
export interface CurveAccel {
  /** Σ scalars[i]·bases[i] (affine bases), a Jacobian point. */
  msm(group: 1 | 2, bases: Uint8Array, scalars: Uint8Array, threads?: number): Uint8Array;
  /** scalars[i]·generator for each scalar, affine points. */
  fixedBaseMul(group: 1 | 2, generator: Uint8Array, scalars: Uint8Array, threads?: number): Uint8Array;
  /** Evaluations at ω^0..ω^(n-1) (or, inverse, the coefficients), Montgomery in and out; ω in normal form. */
  ntt(values: Uint8Array, omega: Uint8Array, inverse: boolean): Uint8Array;
  /** Groth16's H scalars (normal form): (A·B − C) on the coset inc·ωʲ, from a zkey's coefficient section and a witness. */
  groth16Quotient(coefficients: Uint8Array, witness: Uint8Array, domainSize: number, omega: Uint8Array, inc: Uint8Array): Uint8Array;
  /**
   * Groth16 development keys' scalars from an r1cs constraints section (section 2's bytes): the
   * QAP at τ and what each key section multiplies the generator by. secrets: τ, α, β, δ (normal
   * form, 32 bytes each). Out, normal form, 32 bytes each: α, β, δ, u and v per wire, IC
   * (public wires), C (the others, ÷ δ), H (÷ δ, the domain's size).
   */
  groth16KeyScalars(
    constraints: Uint8Array,
    nConstraints: number,
    nWires: number,
    nPublic: number,
    power: number,
    omega: Uint8Array,
    omega2: Uint8Array,
    secrets: Uint8Array,
  ): Uint8Array;
  /** A zkey's section 4 (the A and B coefficients, x·R²) from an r1cs constraints section. */
  groth16CoefficientSection(constraints: Uint8Array, nConstraints: number, nWires: number, nPublic: number): Uint8Array;
  /**
   * Whether ∏ e(P_i, Q_i) is 1: `pairs` holds n × (G1 affine, 64 bytes; G2 affine, 128 bytes).
   * False when a point is not on its curve.
   */
  pairingCheck(pairs: Uint8Array): boolean;
  /**
   * The product of the pairings, an Fq12 (384 bytes, Montgomery). form: "reduced" (the default);
   * "byPower", the final exponentiation's hard part as a plain power (for tests); "ffjavascript",
   * the value ffjavascript's pairing gives (a power of the reduced one), as snarkjs writes a
   * verification key's e(α, β).
   */
  pairing(pairs: Uint8Array, form?: "reduced" | "byPower" | "ffjavascript"): Uint8Array;
  /** The threads it runs on. */
  threads(): number;
}

export const CURVE_BACKENDS = ["auto", "native", "wasm"] as const;
export type CurveBackendChoice = (typeof CURVE_BACKENDS)[number];

/** Where the addon is built (node-gyp's output folder in the package). ZKML_NATIVE_ADDON names another file. */
export function addonPath(): string {
  return process.env.ZKML_NATIVE_ADDON ?? path.join(PACKAGE_ROOT, "native", "build", "Release", "zkml_native.node");
}

/**
 * Why an addon built before one of its sources last changed is not to be used, or undefined. A
 * checkout pulled without rebuilding keeps the old addon, which may lack a function or read an
 * argument another way than this code passes it; the install step builds after npm has written
 * the sources, so an installed package's addon is always the newer.
 */
export function staleAddonReason(addonFile: string, sourceFiles: readonly string[]): string | undefined {
  const built = statSync(addonFile).mtimeMs;
  const newer = sourceFiles.find((f) => existsSync(f) && statSync(f).mtimeMs > built);
  return newer && `the native addon is older than its source ${path.basename(newer)}: \`node scripts/build_native.mjs\` (or \`npm rebuild zkml\`) rebuilds it`;
}

/** The addon's sources in the package: native/src and binding.gyp. */
function addonSources(): string[] {
  const dir = path.join(PACKAGE_ROOT, "native");
  const src = path.join(dir, "src");
  return existsSync(src) ? [...readdirSync(src).map((f) => path.join(src, f)), path.join(dir, "binding.gyp")] : [];
}

let loaded: { accel?: CurveAccel; why?: string } | undefined;

/** The addon, loaded once; undefined (with the reason) where it is not built, is older than its sources, or does not load. */
export function loadNativeAddon(): { accel?: CurveAccel; why?: string } {
  if (loaded) return loaded;
  const file = addonPath();
  if (!existsSync(file)) {
    loaded = { why: `the native addon is not built (${file}); \`npm rebuild zkml\` builds it where g++, make and python3 are installed` };
    return loaded;
  }
  // An addon named by ZKML_NATIVE_ADDON is the caller's to vouch for.
  const stale = process.env.ZKML_NATIVE_ADDON ? undefined : staleAddonReason(file, addonSources());
  if (stale) {
    loaded = { why: stale };
    return loaded;
  }
  try {
    loaded = { accel: createRequire(import.meta.url)(file) as CurveAccel };
  } catch (e) {
    loaded = { why: `the native addon did not load: ${(e as Error).message.split("\n")[0]}` };
  }
  return loaded;
}

let choice: CurveBackendChoice | undefined;

function parseChoice(value: string, where: string): CurveBackendChoice {
  if ((CURVE_BACKENDS as readonly string[]).includes(value)) return value as CurveBackendChoice;
  throw new ZkmlError("USAGE", `${where} is "${value}"`, `choose one of ${CURVE_BACKENDS.join(", ")}`);
}

/** Chooses the curve backend for this process; "native" fails at once if the addon cannot load. */
export function setCurveBackend(value: string): void {
  const c = parseChoice(value, "the curve backend");
  if (c === "native") requireNative();
  choice = c;
}

function requireNative(): CurveAccel {
  const { accel, why } = loadNativeAddon();
  if (!accel) throw new ZkmlError("USAGE", `the native curve backend was asked for, but ${why}`, "use --backend wasm (or auto), or build the addon");
  return accel;
}

/** The accelerator to use now, or undefined for WebAssembly. */
export function curveAccel(): CurveAccel | undefined {
  const c = choice ?? (process.env.ZKML_BACKEND ? parseChoice(process.env.ZKML_BACKEND, "ZKML_BACKEND") : "auto");
  if (c === "wasm") return undefined;
  if (c === "native") return requireNative();
  return loadNativeAddon().accel;
}

/** Which backend runs, and why not the native one when it does not: for `zkml --version`. */
export function curveBackendInfo(): { backend: "native" | "wasm"; threads?: number; note?: string } {
  const accel = curveAccel();
  if (accel) return { backend: "native", threads: accel.threads() };
  const { why } = loadNativeAddon();
  return { backend: "wasm", note: why ?? "WebAssembly chosen" };
}
