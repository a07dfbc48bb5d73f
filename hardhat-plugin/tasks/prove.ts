import path from "node:path";
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { pluginAction } from "./errors.js";
import { say } from "./models.js";
import { networkSigner } from "./signer.js";

interface ProveArgs {
  model: string;
  input: string;
  out: string;
  beneficiary: string;
  sender: string;
  nonce: string;
}

/** `hardhat zkml prove`: a proof for the signer's context (next unused nonce), written to a file. */
async function prove(args: ProveArgs, hre: HardhatRuntimeEnvironment): Promise<void> {
  if (!args.input) throw new Error("zkml prove: --input FILE is required");
  const { writeFileAtomic } = await import("../../src/index.js");
  const m = hre.zkml.model(args.model);
  const { signer, inProcess, name, close } = await networkSigner(hre);
  try {
    const proof = await hre.zkml
      .prove(m.name, path.resolve(args.input), {
        sender: args.sender || signer,
        provider: signer.provider!,
        ...(args.beneficiary && { beneficiary: args.beneficiary }),
        ...(args.nonce && { nonce: BigInt(args.nonce) }),
      })
      .catch((e: unknown) => {
        // The nonce is read from the verifier on the network. A chain simulated for this task has
        // none (unless a script deployed one to it first): say which network to pass.
        if (inProcess && !args.nonce && (e as { code?: unknown })?.code === "NO_VERIFIER") {
          throw new Error(
            `zkml prove: network "${name}" is a chain simulated in this process, where no verifier is deployed: pass the --network the verifier is on (e.g. --network localhost), or --nonce N`,
          );
        }
        throw e;
      });
    const out = args.out ? path.resolve(args.out) : path.join(m.dir, "proof.json");
    await writeFileAtomic(out, JSON.stringify(proof, null, 2) + "\n");
    const c = proof.context;
    say(
      `zkml: ${m.name}: class ${proof.output.class}; context: chain ${c.chainId}, contract ${c.contract}, sender ${c.sender}${c.beneficiary ? `, beneficiary ${c.beneficiary}` : ""}, nonce ${c.nonce}`,
    );
    console.log(out);
  } finally {
    await close();
    await hre.zkml.release();
  }
}

export default pluginAction(prove);
