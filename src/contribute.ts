/**
 * Groth16 phase 2 after `zkml setup`: more contributions (each participant's randomness makes
 * the key safe if any one of them destroyed theirs), a closing random beacon, and checking a
 * key against its r1cs and ptau. PLONK and FFLONK keys are universal: nothing to contribute, and
 * checking one means recomputing it.
 */
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import * as snarkjs from "snarkjs";
import { FILES } from "../core/build_files.js";
import { keyFromCeremony } from "../core/ceremony.js";
import { ZkmlError } from "../core/errors.js";
import { sha256File } from "../core/manifest.js";
import { backend } from "../core/systems/index.js";
import { blake2b, readPtauHeader } from "../prover/ptau/index.js";
import { OFFICIAL_PTAU_BLAKE2B } from "../prover/ptau/official.js";
import { compileModel } from "../circuits/compile.js";
import { compileSolidity, generateVerifierSources, statementSpecOf } from "../verifier/solidity.js";
import { openReady, type ReadyModel } from "./build.js";
import { installKeys, readVerifierArtifact, type Contribution, type SetupInfo } from "./setup.js";

export interface ContributeOptions {
  name?: string;
  /** Extra entropy mixed with 32 random bytes from this machine. */
  entropy?: string;
  /** A public random beacon (hex, e.g. a future block hash) instead of private randomness. */
  beacon?: { hash: string; iterationsExp: number };
}

const hex = (h: unknown) => (h instanceof Uint8Array ? Buffer.from(h).toString("hex") : String(h));

/** Adds a Groth16 phase-2 contribution (or, with `beacon`, the closing random beacon) to a build folder's key. */
export async function contribute(dir: string, opts: ContributeOptions = {}): Promise<{ info: SetupInfo; contribution: Contribution }> {
  const ready = await openReady(dir);
  const system = ready.setupInfo.system;
  if (!backend(system).phase2) {
    throw new ZkmlError("USAGE", `${dir} is set up for ${system}: its keys are universal (the ptau alone), so there is no phase 2 to contribute to`);
  }
  if (ready.setupInfo.keys === "direct") throw directKeys(dir, "a phase-2 contribution");
  if (opts.beacon && !/^(0x)?[0-9a-fA-F]{2,128}$/.test(opts.beacon.hash)) {
    throw new ZkmlError("USAGE", `--beacon ${opts.beacon.hash} is not a hex string`);
  }
  if (opts.beacon && !(Number.isInteger(opts.beacon.iterationsExp) && opts.beacon.iterationsExp >= 10 && opts.beacon.iterationsExp <= 63)) {
    throw new ZkmlError("USAGE", "--iterations must be an integer exponent from 10 to 63 (snarkjs hashes the beacon 2^N times)");
  }
  const name = opts.name ?? (opts.beacon ? "zkml beacon" : "zkml contribution");
  const zkeyTmp = path.join(dir, `${FILES.zkey}.contrib-${process.pid}`);
  const quiet = { info() {}, debug() {}, warn() {}, error() {} };
  try {
    let hash: unknown;
    if (opts.beacon) {
      hash = await snarkjs.zKey.beacon(ready.file("zkey"), zkeyTmp, name, opts.beacon.hash.replace(/^0x/, ""), opts.beacon.iterationsExp, quiet);
    } else {
      const entropy = randomBytes(32).toString("hex") + (opts.entropy ?? "");
      hash = await snarkjs.zKey.contribute(ready.file("zkey"), zkeyTmp, name, entropy, quiet);
    }
    if (hash === false || hash === undefined) throw new ZkmlError("BAD_INPUT", `snarkjs refused the contribution to ${ready.file("zkey")}`);
    const contribution: Contribution = {
      name,
      kind: opts.beacon ? "beacon" : opts.entropy ? "entropy" : "random",
      at: new Date().toISOString(),
      hash: hex(hash),
    };
    const verificationKey = await snarkjs.zKey.exportVerificationKey(await readFile(zkeyTmp));
    const base = ready.setupInfo;
    const info = await installKeys(ready, zkeyTmp, verificationKey, {
      system,
      ptau: base.ptau,
      contributions: [...(base.contributions ?? []), contribution],
      timingsMs: base.timingsMs,
    });
    return { info, contribution };
  } finally {
    await rm(zkeyTmp, { force: true });
  }
}

export interface SetupCheck {
  valid: boolean;
  system: string;
  /**
   * What the ptau is, derived from its own hash (not from the manifest): an official Hermez
   * file, or not, in which case the keys are development-only unless that file is the output
   * of a ceremony you trust.
   */
  ptauKind: "official" | "not official";
  /** What was checked, each true or false. */
  checks: Record<string, boolean>;
  /** snarkjs's account of the key (Groth16: the contributions it verified), and what was skipped. */
  log: string[];
}

export interface VerifySetupOptions {
  ptauFile?: string;
  /** The ONNX file to recompile (default: the one the manifest names, if its hash matches). */
  onnxFile?: string;
  /** The calibration file it was compiled with (default: the one the manifest names). */
  calibrationFile?: string;
}

/**
 * What a ceremony participant or a verifier's deployer needs, trusting nothing in DIR's
 * manifest: the ptau's kind from its hash; the key from DIR's r1cs and that ptau (Groth16 with
 * every phase-2 contribution, as snarkjs `zkey verify`; PLONK/FFLONK by recomputing it); the
 * verification key from the key; the Solidity verifier and wrapper regenerated from the key and
 * compared, source and bytecode, with what `deploy` and `register` would ship; and the circuit
 * recompiled from the ONNX file and compared with DIR's r1cs.
 */
/** Direct development keys come from no powers of tau: there is no ceremony to join or check. */
function directKeys(dir: string, what: string): ZkmlError {
  return new ZkmlError(
    "USAGE",
    `${dir} has development keys drawn directly (no powers of tau): ${what} needs keys made on a ptau`,
    "run `zkml setup DIR --ceremony` (on the development ptau, to rehearse) or `zkml setup DIR --ptau FILE` (production: docs/SEPOLIA.md)",
  );
}

/** Checks a build folder's Groth16 key against its r1cs and ptau (snarkjs zkey verify) and lists its contributions. */
export async function verifySetup(dir: string, opts: VerifySetupOptions = {}): Promise<SetupCheck> {
  const ready = await openReady(dir);
  const system = ready.setupInfo.system;
  if (ready.setupInfo.keys === "direct") throw directKeys(dir, "--verify");
  const ptauFile = opts.ptauFile ?? ready.setupInfo.ptau.path;
  const checks: Record<string, boolean> = {};
  const log: string[] = [];
  if (!existsSync(ptauFile)) throw new ZkmlError("FILE_NOT_FOUND", `ptau file not found: ${ptauFile}`, "pass the one the keys were made with: --ptau FILE");
  const hash = await blake2b(ptauFile);
  checks.ptau = hash === ready.setupInfo.ptau.blake2b;
  const { power } = await readPtauHeader(ptauFile);
  const official = OFFICIAL_PTAU_BLAKE2B[power] === hash;
  // The manifest's word on the ptau must be what the file is (a rewritten "official" is caught).
  checks.ptauKind = official === ready.setupInfo.ptau.official && !(official && ready.setupInfo.ptau.devOnly);

  const logger = { info: (m: string) => log.push(m), debug() {}, warn: (m: string) => log.push(m), error: (m: string) => log.push(m) };
  if (backend(system).phase2) {
    checks.zkey = (await snarkjs.zKey.verifyFromR1cs(ready.file("r1cs"), ptauFile, ready.file("zkey"), logger)) === true;
  } else {
    // PLONK and FFLONK setup is deterministic: recompute the key and compare bytes.
    const again = path.join(dir, `${FILES.zkey}.verify-${process.pid}`);
    try {
      await backend(system).setup(ready.file("r1cs"), ptauFile, again);
      checks.zkey = (await sha256File(again)) === (await sha256File(ready.file("zkey")));
    } finally {
      await rm(again, { force: true });
    }
  }
  const vk = await snarkjs.zKey.exportVerificationKey(await readFile(ready.file("zkey")));
  checks.verificationKey = JSON.stringify(vk) === JSON.stringify(ready.verificationKey);

  // What deploy and register would ship, regenerated from the key.
  const sol = await generateVerifierSources(ready.file("zkey"), ready.model.name, ready.info.modelId, {
    system,
    modelCommitment: ready.info.modelCommitment,
    statement: statementSpecOf(ready.model, ready.info.layout),
    devKeys: ready.setupInfo.ptau.devOnly,
    verificationKey: vk,
  });
  const wrapper = await compileSolidity(sol.sources, sol.mainFile, sol.mainContract);
  const bare = await compileSolidity(sol.sources, `${sol.verifierContract}.sol`, sol.verifierContract);
  const shipped = await readVerifierArtifact(dir);
  const shippedBare = await readVerifierArtifact(dir, "snark");
  checks.solidity =
    shipped.bytecode === wrapper.bytecode &&
    shippedBare.bytecode === bare.bytecode &&
    JSON.stringify(shipped.abi) === JSON.stringify(wrapper.abi) &&
    JSON.stringify(shippedBare.abi) === JSON.stringify(bare.abi);
  // deploy and register read the artifacts' flag first: it must be what the contract says.
  const devOnly = ready.setupInfo.ptau.devOnly;
  checks.devKeys = shipped.devKeys === devOnly && shippedBare.devKeys === devOnly;
  if (!checks.devKeys) log.push(`devKeys: the verifier artifacts say ${shipped.devKeys}/${shippedBare.devKeys}, the keys' record and contract say ${devOnly}`);
  // The key's own points say whether it was made on the official ceremony (core/ceremony.ts).
  checks.ceremonyPoints = keyFromCeremony(vk) === official;
  if (!checks.ceremonyPoints)
    log.push(`keys: ${official ? "made on the official ptau but without" : "not made on the official ptau, yet with"} its ceremony's points`);
  for (const [name, text] of Object.entries(sol.sources)) {
    const file = path.join(ready.file("contractsDir"), name);
    if (!existsSync(file) || (await readFile(file, "utf8")) !== text) {
      checks.solidity = false;
      log.push(`${FILES.contractsDir}/${name} differs from the source regenerated from the key`);
    }
  }

  checks.circuit = await recompiledCircuitMatches(ready, opts, log);
  return { valid: Object.values(checks).every(Boolean), system, ptauKind: official ? "official" : "not official", checks, log };
}

/** Recompiles the model from its ONNX file into a temporary folder and compares the r1cs. */
async function recompiledCircuitMatches(ready: ReadyModel, opts: VerifySetupOptions, log: string[]): Promise<boolean> {
  // The manifest records sources relative to the build folder (absolute in older builds: resolve keeps those).
  const recorded = (file: string | undefined) => (file === undefined ? undefined : path.resolve(ready.dir, file));
  const onnx = opts.onnxFile ?? recorded(ready.manifest.model.source);
  if (!onnx || !existsSync(onnx)) {
    log.push(`circuit: the ONNX file ${onnx ?? "(none recorded)"} is not there to recompile; pass --onnx FILE`);
    return false;
  }
  if ((await sha256File(onnx)) !== ready.manifest.model.sha256) {
    log.push(`circuit: ${onnx} is not the ONNX file ${ready.dir} was compiled from (sha256 differs)`);
    return false;
  }
  const info = ready.compile.info as { calibration?: string };
  const recordedCalibration = ready.compile.inputs.calibration;
  const calibrationFile = opts.calibrationFile ?? (recordedCalibration ? recorded(info.calibration) : undefined);
  if (recordedCalibration && (!calibrationFile || !existsSync(calibrationFile) || (await sha256File(calibrationFile)) !== recordedCalibration)) {
    log.push(`circuit: the calibration file ${calibrationFile ?? "(none)"} is missing or not the one it was compiled with; pass --calibration FILE`);
    return false;
  }
  const tmp = await mkdtemp(path.join(os.tmpdir(), "zkml-verify-"));
  try {
    const again = await compileModel(onnx, { outDir: path.join(tmp, "m"), calibrationFile, weights: ready.info.weights ?? "constants", fidelity: false });
    const r1cs = await sha256File(path.join(again.outDir, FILES.r1cs));
    const same = r1cs === ready.compile.outputs[FILES.r1cs] && r1cs === (await sha256File(ready.file("r1cs")));
    if (!same) log.push(`circuit: recompiling ${onnx} gives another r1cs (${r1cs.slice(0, 16)}…)`);
    return same;
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}
