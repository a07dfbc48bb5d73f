import path from "node:path";
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import type { ProofFile } from "../../src/index.js";

/** The proof file a task names (default: the model's build folder's proof.json, where `zkml prove` writes). */
export async function taskProof(hre: HardhatRuntimeEnvironment, model: string, file: string): Promise<{ dir: string; file: string; proof: ProofFile }> {
  const { readProofFile } = await import("../../src/index.js");
  const dir = hre.zkml.model(model).dir;
  const chosen = file ? path.resolve(file) : path.join(dir, "proof.json");
  return { dir, file: chosen, proof: await readProofFile(chosen) };
}
