/**
 * Groth16 phase 2 after `zkml setup`: more contributions (each participant's randomness makes
 * the key safe if any one of them destroyed theirs), a closing random beacon, and checking a
 * key against its r1cs and ptau. PLONK and FFLONK keys are universal: nothing to contribute, and
 * checking one means recomputing it.
 */
import { randomBytes } from "node:crypto";
import { readFile, rm } from "node:fs/promises";
import path from "node:path";
import * as snarkjs from "snarkjs";
import { FILES } from "../core/compiled.js";
import { ZkmlError } from "../core/errors.js";
import { sha256File } from "../core/manifest.js";
import { setupKeys } from "../prover/keys.js";
import { blake2b } from "../prover/ptau/index.js";
import { openReady } from "./build.js";
import { installKeys, type Contribution, type SetupInfo } from "./setup.js";

export interface ContributeOptions {
  name?: string;
  /** Extra entropy mixed with 32 random bytes from this machine. */
  entropy?: string;
  /** A public random beacon (hex, e.g. a future block hash) instead of private randomness. */
  beacon?: { hash: string; iterationsExp: number };
}

const hex = (h: unknown) => (h instanceof Uint8Array ? Buffer.from(h).toString("hex") : String(h));

export async function contribute(dir: string, opts: ContributeOptions = {}): Promise<{ info: SetupInfo; contribution: Contribution }> {
  const ready = await openReady(dir);
  const system = ready.setupInfo.system;
  if (system !== "groth16") {
    throw new ZkmlError("USAGE", `${dir} is set up for ${system}: its keys are universal (the ptau alone), so there is no phase 2 to contribute to`);
  }
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
  /** What was checked, each true or false. */
  checks: Record<string, boolean>;
  /** snarkjs's account of the key (Groth16: the contributions it verified). */
  log: string[];
}

/** Is DIR's key the one its r1cs and the ptau give (plus, for Groth16, valid contributions)? */
export async function verifySetup(dir: string, opts: { ptauFile?: string } = {}): Promise<SetupCheck> {
  const ready = await openReady(dir);
  const system = ready.setupInfo.system;
  const ptauFile = opts.ptauFile ?? ready.setupInfo.ptau.path;
  const checks: Record<string, boolean> = {};
  checks.ptau = (await blake2b(ptauFile)) === ready.setupInfo.ptau.blake2b;
  const log: string[] = [];
  const logger = { info: (m: string) => log.push(m), debug() {}, warn: (m: string) => log.push(m), error: (m: string) => log.push(m) };
  if (system === "groth16") {
    checks.zkey = (await snarkjs.zKey.verifyFromR1cs(ready.file("r1cs"), ptauFile, ready.file("zkey"), logger)) === true;
  } else {
    // PLONK and FFLONK setup is deterministic: recompute the key and compare bytes.
    const again = path.join(dir, `${FILES.zkey}.verify-${process.pid}`);
    try {
      await setupKeys(system, ready.file("r1cs"), ptauFile, again);
      checks.zkey = (await sha256File(again)) === (await sha256File(ready.file("zkey")));
    } finally {
      await rm(again, { force: true });
    }
  }
  const vk = await snarkjs.zKey.exportVerificationKey(await readFile(ready.file("zkey")));
  checks.verificationKey = JSON.stringify(vk) === JSON.stringify(ready.verificationKey);
  return { valid: Object.values(checks).every(Boolean), system, checks, log };
}
