import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { connectRpc, deployVerifier, openReady, readProofFile, readVerifierArtifact, submitInference, writeFileAtomic, ZkmlError } from "../../src/index.js";
import { addressArg, bigintArg, requirePositional, str, toJson, type Verb, type VerbContext } from "../io.js";

const KEY_HELP = `The signing key comes from $ZKML_PRIVATE_KEY (or --private-key, which shell history keeps);
it is never printed. Without one, the node's first unlocked account signs (a local
\`npx hardhat node --hostname 127.0.0.1\` has funded ones).`;

function privateKey(ctx: VerbContext): string | undefined {
  return str(ctx, "private-key") ?? process.env.ZKML_PRIVATE_KEY ?? undefined;
}

function rpc(ctx: VerbContext, verb: string): string {
  const url = str(ctx, "rpc");
  if (!url) throw new ZkmlError("USAGE", `${verb}: --rpc URL is required`, `e.g. --rpc http://127.0.0.1:8545; see \`zkml ${verb} --help\``);
  return url;
}

export const deployVerb: Verb = {
  name: "deploy",
  summary: "deploy the model's verifier contract to a JSON-RPC chain",
  usage: "zkml deploy DIR --rpc URL [--private-key KEY] [--json]",
  help: `Deploys DIR's verifier (the snarkjs verifier of DIR's proof system + zkml's context/replay wrapper) and
records the address in DIR/deployments.json.\n\n${KEY_HELP}`,
  options: { rpc: { type: "string" }, "private-key": { type: "string" } },
  async run(ctx) {
    const dir = requirePositional(ctx, 0, "the build folder", "deploy");
    await openReady(dir);
    const artifact = await readVerifierArtifact(dir);
    const chain = await connectRpc(rpc(ctx, "deploy"), privateKey(ctx));
    try {
      const d = await deployVerifier(chain.signer, artifact);
      const file = path.join(dir, "deployments.json");
      const all = existsSync(file) ? JSON.parse(await readFile(file, "utf8")) : {};
      all[chain.chainId.toString()] = { address: d.address, contract: artifact.contractName, txHash: d.txHash, at: new Date().toISOString() };
      await writeFileAtomic(file, toJson(all) + "\n");
      ctx.say(`deployed ${artifact.contractName} at ${d.address} on chain ${chain.chainId} (gas ${d.gasUsed})`);
      ctx.result({ address: d.address, chainId: chain.chainId, contract: artifact.contractName, gasUsed: d.gasUsed, txHash: d.txHash });
      return 0;
    } finally {
      await chain.close();
    }
  },
};

export const verifyOnchainVerb: Verb = {
  name: "verify-onchain",
  summary: "submit a proof to a deployed verifier (exit 0 accepted, 1 rejected)",
  usage: "zkml verify-onchain DIR proof.json --rpc URL --address ADDR [--nonce N] [--private-key KEY] [--json]",
  help: `Sends verifyInference(proof, publicSignals, nonce) to the verifier at ADDR. The proof must
have been made for this chain, contract, sender and nonce (zkml prove --chain-id ... --nonce N);
the nonce is read from the proof file unless --nonce is given.\n\n${KEY_HELP}`,
  options: { rpc: { type: "string" }, address: { type: "string" }, nonce: { type: "string" }, "private-key": { type: "string" } },
  async run(ctx) {
    const dir = requirePositional(ctx, 0, "the build folder", "verify-onchain");
    const proofPath = requirePositional(ctx, 1, "the proof file", "verify-onchain");
    const addressText = str(ctx, "address");
    if (!addressText) throw new ZkmlError("USAGE", "verify-onchain: --address ADDR is required");
    const address = addressArg(addressText, "--address");
    const nonceFlag = str(ctx, "nonce");
    const nonceArg = nonceFlag === undefined ? undefined : bigintArg(nonceFlag, "--nonce");
    const proof = await readProofFile(proofPath);
    const nonce = nonceArg ?? (proof.context.nonce === undefined ? undefined : BigInt(proof.context.nonce));
    if (nonce === undefined) throw new ZkmlError("USAGE", "the proof file has no nonce: pass --nonce N (the one the context was made with)");
    await openReady(dir);
    const artifact = await readVerifierArtifact(dir);
    const chain = await connectRpc(rpc(ctx, "verify-onchain"), privateKey(ctx));
    try {
      const sender = await chain.signer.getAddress();
      if (proof.context.sender && addressArg(proof.context.sender, "the proof's context sender") !== sender) {
        ctx.say(`warning: the proof was made for sender ${proof.context.sender}, but ${sender} is signing: the contract will reject it`);
      }
      const r = await submitInference(chain.signer, address, artifact.abi, proof, nonce);
      ctx.say(r.valid ? `accepted on chain ${chain.chainId}: class ${r.class}, gas ${r.gasUsed} (tx ${r.txHash})` : `REJECTED: ${r.reason}`);
      ctx.result({ valid: r.valid, gasUsed: r.gasUsed, txHash: r.txHash, class: r.class ?? null, reason: r.reason ?? null });
      return r.valid ? 0 : 1;
    } finally {
      await chain.close();
    }
  },
};
