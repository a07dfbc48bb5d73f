/**
 * Gas of a bare snarkjs verifier (per proof system) as a function of the number of public
 * signals: the curve that shows why zkml commits to inputs and outputs instead of exposing them.
 */
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { runCircom } from "../circuits/circom.js";
import { curveAccel } from "../core/native.js";
import type { ProofSystem } from "../core/proof_system.js";
import { backend, proverFor } from "../core/systems/index.js";
import { requiredPtauPower } from "../prover/keys.js";
import { WitnessGenerator } from "../prover/witness.js";
import { resolvePtau } from "../prover/ptau/index.js";
import { compileSolidity, EIP170_LIMIT, exportSnarkVerifier } from "../verifier/solidity.js";
import { connectInProcessChain, deployVerifier, measureVerifierCallGas } from "../src/index.js";

/** EIP-1108: a pairing check of 4 pairings costs 45,000 + 4 × 34,000 gas. */
export const PAIRING_FLOOR_GAS = 45_000 + 4 * 34_000;
export const TX_BASE_GAS = 21_000;

export interface PublicSignalsPoint {
  publicSignals: number;
  gas: number;
  verifierBytes: number;
}

/** A point whose verifier exceeds EIP-170: it cannot be deployed, so it has no gas. */
export interface UndeployablePoint {
  publicSignals: number;
  verifierBytes: number;
}

export interface SystemGasCurve {
  system: ProofSystem;
  points: PublicSignalsPoint[];
  undeployable: UndeployablePoint[];
  /** Least-squares fit gas ≈ intercept + slope · publicSignals. */
  fit: { intercept: number; slope: number };
}

export interface PublicSignalsCurve {
  systems: SystemGasCurve[];
  pairingFloor: number;
  txFloor: number;
}

/** Least-squares line through the points (x, y). */
export function linearFit(xs: number[], ys: number[]): { intercept: number; slope: number } {
  const n = xs.length;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  xs.forEach((x, i) => {
    sxy += (x - mx) * (ys[i]! - my);
    sxx += (x - mx) ** 2;
  });
  const slope = sxx === 0 ? 0 : sxy / sxx;
  return { intercept: my - slope * mx, slope };
}

/** A circuit whose only job is to have n public signals (n outputs, one constraint each). */
function circuitWithPublicSignals(n: number): string {
  return `pragma circom 2.1.6;
template PublicSignals(n) {
    signal input x;
    signal output out[n];
    for (var i = 0; i < n; i++) out[i] <== x * x + i;
}
component main = PublicSignals(${n});
`;
}

/** The snarkjs verifiers' gas at growing public-signal counts, per system: what hashing the large values into one signal saves. */
export async function gasVsPublicSignals(
  counts: number[],
  workDir: string,
  progress: (m: string) => void,
  systems: ProofSystem[] = ["groth16"],
): Promise<PublicSignalsCurve> {
  const chain = await connectInProcessChain();
  const curves: SystemGasCurve[] = [];
  try {
    for (const system of systems) {
      const points: PublicSignalsPoint[] = [];
      const undeployable: UndeployablePoint[] = [];
      for (const n of counts) {
        progress(`gas vs public signals: ${system}, n = ${n}`);
        const dir = path.join(workDir, `public-signals-${system}-${n}`);
        await mkdir(dir, { recursive: true });
        await writeFile(path.join(dir, "circuit.circom"), circuitWithPublicSignals(n));
        await runCircom(path.join(dir, "circuit.circom"), dir, { optimize: "O2" });
        const r1cs = path.join(dir, "circuit.r1cs");
        const ptau = await resolvePtau({ minPower: await requiredPtauPower(system, r1cs, n, n) });
        const keys = await backend(system).setup(r1cs, ptau.path, path.join(dir, "circuit.zkey"));
        const witness = await (await WitnessGenerator.load(path.join(dir, "circuit_js/circuit.wasm"))).compute({ x: 3n });
        const proof = await (await proverFor(backend(system), await readFile(keys.zkeyFile), curveAccel()))(witness);
        const name = `Verifier_${system}_n${n}`;
        const artifact = await compileSolidity({ [`${name}.sol`]: await exportSnarkVerifier(system, keys.zkeyFile, name) }, `${name}.sol`, name);
        if (artifact.deployedBytecodeSize > EIP170_LIMIT) {
          undeployable.push({ publicSignals: n, verifierBytes: artifact.deployedBytecodeSize });
          continue;
        }
        const { address } = await deployVerifier(chain.signer, artifact);
        const gas = await measureVerifierCallGas(chain.signer, address, artifact.abi, { system, ...proof });
        points.push({ publicSignals: n, gas: Number(gas), verifierBytes: artifact.deployedBytecodeSize });
      }
      curves.push({
        system,
        points,
        undeployable,
        fit: linearFit(
          points.map((p) => p.publicSignals),
          points.map((p) => p.gas),
        ),
      });
    }
  } finally {
    await chain.close();
  }
  return { systems: curves, pairingFloor: PAIRING_FLOOR_GAS, txFloor: TX_BASE_GAS + PAIRING_FLOOR_GAS };
}
