/**
 * The setup stage: powers of tau → keys of the chosen proof system → Solidity verifier,
 * recorded in the manifest against the exact r1cs it was made from.
 */
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { openCompiled, type CompiledModel } from "../core/compiled.js";
import { FILES } from "../core/build_files.js";
import { sha256File, writeFileAtomic, writeManifest } from "../core/manifest.js";
import type { ProofSystem } from "../core/proof_system.js";
import { ZkmlError } from "../core/errors.js";
import { backend } from "../core/systems/index.js";
import { DIRECT_SETUP, type DirectSetup, requiredPtauPower } from "../prover/keys.js";
import { resolvePtau, type PtauInfo } from "../prover/ptau/index.js";
import type { Progress } from "../prover/ptau/dev.js";
import { compileSolidity, EIP170_LIMIT, generateVerifierSources, statementSpecOf, type CompiledContract } from "../verifier/solidity.js";

export interface SetupOptions {
  /** groth16 (default), plonk or fflonk. */
  system?: ProofSystem;
  ptauFile?: string;
  /**
   * How Groth16 keys are made. "direct" (the default without a ptau file): development keys
   * drawn straight from sampled secrets, no powers of tau, seconds instead of minutes.
   * "ceremony" (the default with a ptau file): snarkjs `zkey new` on the ptau and one local
   * contribution, the path phase-2 contributions and `setup --verify` build on; without a ptau
   * file it uses the development ptau (to rehearse a ceremony).
   */
  keys?: KeysMode;
  progress?: Progress;
}

export type KeysMode = "direct" | "ceremony";

export interface SetupInfo {
  system: ProofSystem;
  ptau: { path: string; power: number; official: boolean; devOnly: boolean; blake2b: string };
  contract: {
    name: string;
    verifierName: string;
    deployedBytecodeSize: number;
    fitsEip170: boolean;
    /** The bare snarkjs verifier, deployed alone for a registry. */
    verifierBytecodeSize: number;
    verifierFitsEip170: boolean;
    solc: string;
    evmVersion: string;
  };
  /** Groth16 phase-2 contributions, in order (setup adds one local random contribution). */
  contributions: Contribution[];
  /**
   * "direct": Groth16 development keys drawn from sampled secrets, with no ptau (then `ptau`
   * records only the domain's power, path and blake2b empty). Absent: made on `ptau`.
   */
  keys?: "direct";
  timingsMs: { ptau: number; setup: number; solidity: number };
}

export interface Contribution {
  name: string;
  kind: "random" | "entropy" | "beacon";
  at: string;
  /** snarkjs's contribution hash, for participants to check their contribution is included. */
  hash?: string;
}

export interface SetupResult {
  dir: string;
  info: SetupInfo;
  ptau: PtauInfo;
}

/**
 * Keys and Solidity verifier for a compiled build folder: Groth16 (default; development keys
 * drawn directly unless a ptau file is given), PLONK or FFLONK on a ptau. Writes the zkey,
 * verification key, verifier sources and compiled artifact, and records them in the manifest.
 */
export async function setupModel(dir: string, opts: SetupOptions = {}): Promise<SetupResult> {
  const compiled = await openCompiled(dir);
  const system = opts.system ?? "groth16";
  const nPublic = compiled.info.publicSignals.length;
  const t0 = performance.now();
  const mode = opts.keys ?? (opts.ptauFile === undefined ? "direct" : "ceremony");
  if (mode !== "direct" && mode !== "ceremony") throw new ZkmlError("USAGE", `keys: expected direct or ceremony, got ${String(mode)}`);
  const direct = DIRECT_SETUP[system];
  if (mode === "direct" && direct) {
    if (opts.ptauFile !== undefined)
      throw new ZkmlError("USAGE", "direct development keys use no ptau file", "drop --ptau, or make keys on it (the default with --ptau)");
    return directSetup(compiled, system, t0, direct, opts.progress);
  }
  const minPower = await requiredPtauPower(system, compiled.file("r1cs"), compiled.info.constraints, nPublic);
  const ptau = await resolvePtau({ file: opts.ptauFile, minPower, progress: opts.progress });
  const t1 = performance.now();
  opts.progress?.(`${system} setup`, 0);
  const zkeyTmp = path.join(dir, `${FILES.zkey}.tmp-${process.pid}`);
  try {
    const keys = await backend(system).setup(compiled.file("r1cs"), ptau.path, zkeyTmp);
    const t2 = performance.now();
    opts.progress?.("solidity verifier", 0);
    const ptauRecord = { path: ptau.path, power: ptau.power, official: ptau.official, devOnly: ptau.devOnly, blake2b: ptau.blake2b };
    // A system with a phase 2 gets one contribution from local randomness (so delta is not the generator).
    const contributions = backend(system).phase2 ? [{ name: "zkml local contribution", kind: "random" as const, at: new Date().toISOString() }] : [];
    const info = await installKeys(compiled, zkeyTmp, keys.verificationKey, {
      system,
      ptau: ptauRecord,
      contributions,
      timingsMs: { ptau: t1 - t0, setup: t2 - t1, solidity: 0 },
    });
    return { dir, info, ptau };
  } finally {
    await rm(zkeyTmp, { force: true });
  }
}

/** Groth16 development keys with no ptau (prover/groth16_direct.ts). */
async function directSetup(compiled: CompiledModel, system: ProofSystem, t0: number, draw: DirectSetup, progress?: Progress): Promise<SetupResult> {
  const zkeyTmp = path.join(compiled.dir, `${FILES.zkey}.tmp-${process.pid}`);
  try {
    progress?.(`${system} development keys (direct)`, 0);
    const keys = await draw(compiled.file("r1cs"), zkeyTmp, progress);
    const t1 = performance.now();
    const power = Math.floor(Math.log2(compiled.info.constraints + compiled.info.publicSignals.length)) + 1;
    const ptau = { path: "", power, official: false, devOnly: true, blake2b: "" };
    const info = await installKeys(compiled, zkeyTmp, keys.verificationKey, {
      system,
      ptau,
      contributions: [],
      keys: "direct",
      timingsMs: { ptau: 0, setup: t1 - t0, solidity: 0 },
    });
    return { dir: compiled.dir, info, ptau: { ...ptau, generatedMs: 0 } };
  } finally {
    await rm(zkeyTmp, { force: true });
  }
}

/**
 * Puts a new proving key in place with everything derived from it (verification key, Solidity
 * verifiers), manifest last: used by setup and by each phase-2 contribution.
 */
export async function installKeys(compiled: CompiledModel, zkeyTmp: string, verificationKey: unknown, base: Omit<SetupInfo, "contract">): Promise<SetupInfo> {
  const t0 = performance.now();
  const { system } = base;
  const sol = await generateVerifierSources(zkeyTmp, compiled.model.name, compiled.info.modelId, {
    system,
    modelCommitment: compiled.info.modelCommitment,
    statement: statementSpecOf(compiled.model, compiled.info.layout),
    devKeys: base.ptau.devOnly,
    verificationKey,
  });
  const artifact = await compileSolidity(sol.sources, sol.mainFile, sol.mainContract);
  const snarkArtifact = await compileSolidity(sol.sources, `${sol.verifierContract}.sol`, sol.verifierContract);
  const dir = compiled.dir;

  await writeFileAtomic(compiled.file("vkey"), JSON.stringify(verificationKey, null, 2) + "\n");
  await rm(compiled.file("contractsDir"), { recursive: true, force: true });
  await mkdir(compiled.file("contractsDir"), { recursive: true });
  for (const [name, text] of Object.entries(sol.sources)) await writeFile(path.join(compiled.file("contractsDir"), name), text);
  // The artifacts say whether their keys are development-only: deployVerifier reads it.
  const devKeys = base.ptau.devOnly;
  await writeFileAtomic(compiled.file("verifierArtifact"), JSON.stringify({ ...artifact, devKeys }, null, 2) + "\n");
  await writeFileAtomic(compiled.file("snarkVerifierArtifact"), JSON.stringify({ ...snarkArtifact, devKeys }, null, 2) + "\n");
  await rename(zkeyTmp, compiled.file("zkey"));

  const outputs: Record<string, string> = {};
  for (const f of [FILES.zkey, FILES.vkey, FILES.verifierArtifact, FILES.snarkVerifierArtifact]) outputs[f] = await sha256File(path.join(dir, f));
  for (const name of Object.keys(sol.sources)) {
    const rel = path.join(FILES.contractsDir, name);
    outputs[rel] = await sha256File(path.join(dir, rel));
  }
  const info: SetupInfo = {
    ...base,
    contract: {
      name: sol.mainContract,
      verifierName: sol.verifierContract,
      deployedBytecodeSize: artifact.deployedBytecodeSize,
      fitsEip170: artifact.deployedBytecodeSize <= EIP170_LIMIT,
      verifierBytecodeSize: snarkArtifact.deployedBytecodeSize,
      verifierFitsEip170: snarkArtifact.deployedBytecodeSize <= EIP170_LIMIT,
      solc: artifact.solcVersion,
      evmVersion: artifact.evmVersion,
    },
    timingsMs: { ...base.timingsMs, solidity: performance.now() - t0 },
  };
  compiled.manifest.stages.setup = {
    at: new Date().toISOString(),
    inputs: {
      [FILES.r1cs]: compiled.compile.outputs[FILES.r1cs]!,
      ptau: base.keys === "direct" ? "none: development keys drawn directly" : `blake2b:${base.ptau.blake2b}`,
    },
    outputs,
    info: info as unknown as Record<string, unknown>,
  };
  await writeManifest(dir, compiled.manifest);
  return info;
}

/** The verifier contract artifact a build folder's setup produced (the wrapper, or the bare snarkjs verifier). */
export async function readVerifierArtifact(dir: string, which: "wrapper" | "snark" = "wrapper"): Promise<CompiledContract & { devKeys?: boolean }> {
  return JSON.parse(await readFile(path.join(dir, which === "snark" ? FILES.snarkVerifierArtifact : FILES.verifierArtifact), "utf8"));
}
