import {
  checkDeployedKey,
  connectRpc,
  deployAndRegister,
  deployedVerifier,
  deployRegistry,
  deployVerifier,
  explainContextMismatch,
  FILES,
  openReady,
  readDeployment,
  readProofFile,
  readVerifierArtifact,
  recordDeployment,
  submitBatchToRegistry,
  submitInference,
  submitInferenceBatch,
  submitToRegistry,
  verifyProofBatch,
  ZkmlError,
  type BatchEntry,
  type ChainConnection,
  type ProofFile,
  type ReadyModel,
} from "../../src/index.js";
import { addressArg, bigintArg, requirePositional, str, type Verb, type VerbContext, options } from "../io.js";

const DEV_KEYS_HELP = `Development keys (zkml setup without --ptau: drawn directly, or on the development powers of
tau) are forgeable by whoever made them: they deploy to local chains (31337, 1337) only, unless --allow-dev-keys is
given, which prints a warning (the contract's DEVELOPMENT_KEYS and the registry entry's devKeys
record it). Production keys: docs/SEPOLIA.md.`;

const KEY_HELP = `The signing key comes from $ZKML_PRIVATE_KEY (or --private-key, which shell history keeps);
it is never printed. Without one, the node's first unlocked account signs (a local
\`npx hardhat node --hostname 127.0.0.1\` has funded ones).`;

function privateKey(ctx: VerbContext): string | undefined {
  return str(ctx, "private-key") ?? process.env.ZKML_PRIVATE_KEY ?? undefined;
}

/** The --rpc URL (or ZKML_RPC), or a USAGE error naming the verb. */
export function rpc(ctx: VerbContext, verb: string): string {
  const url = str(ctx, "rpc");
  if (!url) throw new ZkmlError("USAGE", `${verb}: --rpc URL is required`, `e.g. --rpc http://127.0.0.1:8545; see \`zkml ${verb} --help\``);
  return url;
}

/** Connects with --rpc and the key, runs `f`, and always closes the connection. */
export async function withChain<T>(ctx: VerbContext, verb: string, f: (chain: ChainConnection) => Promise<T>): Promise<T> {
  const chain = await connectRpc(rpc(ctx, verb), privateKey(ctx));
  try {
    return await f(chain);
  } finally {
    await chain.close();
  }
}

export const deployVerb: Verb = {
  name: "deploy",
  usage: "zkml deploy DIR --rpc URL [--allow-dev-keys] [--private-key KEY] [--json]",
  help: `Deploys DIR's verifier (the snarkjs verifier of DIR's proof system + zkml's context/replay wrapper) and
records the address in DIR/deployments.json.\n\n${DEV_KEYS_HELP}\n\n${KEY_HELP}`,
  options: { rpc: { type: "string" }, "private-key": { type: "string" }, "allow-dev-keys": { type: "boolean" } },
  async run(ctx) {
    const dir = requirePositional(ctx, 0, "the build folder", "deploy");
    const ready = await openReady(dir);
    const artifact = await readVerifierArtifact(dir);
    return withChain(ctx, "deploy", async (chain) => {
      const d = await deployVerifier(chain.signer, artifact, { allowDevKeys: Boolean(ctx.values["allow-dev-keys"]) });
      for (const w of d.warnings ?? []) ctx.say(w);
      await recordDeployment(dir, chain.chainId, {
        address: d.address,
        contract: artifact.contractName,
        txHash: d.txHash,
        vkey: ready.setup.outputs[FILES.vkey]!,
      });
      ctx.say(`deployed ${artifact.contractName} at ${d.address} on chain ${chain.chainId} (gas ${d.gasUsed})`);
      ctx.result({ address: d.address, chainId: chain.chainId, contract: artifact.contractName, gasUsed: d.gasUsed, txHash: d.txHash });
      return 0;
    });
  },
};

export const verifyOnchainVerb: Verb = {
  name: "verify-onchain",
  usage:
    "zkml verify-onchain DIR proof.json --rpc URL [--address ADDR | --registry ADDR [--model-id ID]] [--nonce N] [--private-key KEY] [--json]\n" +
    "       zkml verify-onchain DIR --batch proof1.json proof2.json ... --rpc URL [--address ADDR | --registry ADDR [--model-id ID]] [--json]",
  help: `Sends verifyInference(proof, publicSignals, nonce) to the model's verifier at ADDR (default: the
one \`zkml deploy\` recorded in DIR/deployments.json for this chain, refused if DIR's keys changed
since), or
verifyInference(modelId, proof, publicSignals, nonce) to the registry at --registry ADDR (the
model id defaults to the one \`zkml register\` recorded in DIR/deployments.json for this chain).
The proof must have been made for this chain, that contract (the verifier or the registry),
this sender and nonce (zkml prove --rpc URL fills all four in); the nonce is read from the proof
file unless --nonce is given. A WrongContext revert is explained: which of chain, contract,
sender and nonce differ from what the proof file says it was made for.

--batch: every file after DIR is a proof, all sent in one verifyInferences transaction (each
proof's nonce is read from its file). Groth16 proofs are checked together with k + 3 pairings
instead of 4k: about 70k gas a proof at k = 16 instead of ~230k. All or nothing: if any proof
fails, the batch reverts; the reason names the item, or (a failed pairing check) zkml finds
the invalid proofs off-chain and lists them, so the rest can be sent again.\n\n${KEY_HELP}`,
  options: options(["rpc", "address", "registry", "model-id", "nonce", "private-key"], ["batch"]),
  async run(ctx) {
    const dir = requirePositional(ctx, 0, "the build folder", "verify-onchain");
    const args = await onchainArgs(ctx);
    const ready = await openReady(dir);
    return withChain(ctx, "verify-onchain", async (chain) => {
      const sender = await chain.signer.getAddress();
      const address = await verifierAddress(dir, chain.chainId, ready.setup.outputs[FILES.vkey]!, args);
      args.entries.forEach(({ proof }, i) => {
        if (proof.context.sender && addressArg(proof.context.sender, "the proof's context sender") !== sender) {
          ctx.say(`warning: ${args.proofPaths[i]} was made for sender ${proof.context.sender}, but ${sender} is signing: the contract will reject it`);
        }
      });
      const modelId = args.registry ? await registeredModelId(ctx, dir, chain.chainId) : undefined;
      const target = { dir, chain, address, sender, modelId };
      return args.batch ? submitBatch(ctx, ready, target, args) : submitOne(ctx, target, args.entries[0]!);
    });
  },
};

interface OnchainArgs {
  batch: boolean;
  proofPaths: string[];
  entries: (BatchEntry & { proof: ProofFile })[];
  /** --address (the model's verifier) or --registry, checked; neither: the recorded deployment. */
  address?: string;
  registry: boolean;
}

/** verify-onchain's flags and proof files, each proof with its nonce (--nonce, or the one in its file). */
async function onchainArgs(ctx: VerbContext): Promise<OnchainArgs> {
  const batch = Boolean(ctx.values.batch);
  const proofPaths = batch ? ctx.positionals.slice(1) : [requirePositional(ctx, 1, "the proof file", "verify-onchain")];
  if (batch && proofPaths.length === 0) throw new ZkmlError("USAGE", "verify-onchain --batch: give the proof files after DIR");
  if (batch && str(ctx, "nonce") !== undefined)
    throw new ZkmlError("USAGE", "verify-onchain --batch reads each proof's nonce from its file: --nonce does not apply");
  const addressText = str(ctx, "address");
  const registryText = str(ctx, "registry");
  if (addressText && registryText)
    throw new ZkmlError("USAGE", "verify-onchain: give either --address ADDR (the model's verifier) or --registry ADDR, not both");
  const given = addressText ?? registryText;
  const nonceFlag = str(ctx, "nonce");
  const nonceArg = nonceFlag === undefined ? undefined : bigintArg(nonceFlag, "--nonce");
  const entries: OnchainArgs["entries"] = [];
  for (const file of proofPaths) {
    const proof = await readProofFile(file);
    const nonce = nonceArg ?? (proof.context.nonce === undefined ? undefined : BigInt(proof.context.nonce));
    if (nonce === undefined) throw new ZkmlError("USAGE", `${file} has no nonce: pass --nonce N (the one the context was made with)`);
    entries.push({ proof, nonce });
  }
  return {
    batch,
    proofPaths,
    entries,
    ...(given !== undefined && { address: addressArg(given, addressText ? "--address" : "--registry") }),
    registry: registryText !== undefined,
  };
}

/** The contract to call: the one given, else the recorded deployment; a recorded verifier's key is checked either way. */
async function verifierAddress(dir: string, chainId: bigint, vkey: string, args: OnchainArgs): Promise<string> {
  const address = args.address ?? (await deployedVerifier(dir, chainId, vkey));
  if (args.address && !args.registry) {
    // The recorded verifier named by hand: its key is checked all the same.
    const record = await readDeployment(dir, chainId);
    if (record?.address?.toLowerCase() === address.toLowerCase()) checkDeployedKey(dir, chainId, record, vkey);
  }
  return address;
}

interface OnchainTarget {
  dir: string;
  chain: ChainConnection;
  address: string;
  sender: string;
  modelId: string | undefined;
}

/** A revert reason; WrongContext explained by which part of the context differs. */
function explainReason(t: OnchainTarget, reason: string, p: ProofFile, nonce: bigint): string {
  if (!reason.startsWith("WrongContext")) return reason;
  const why = explainContextMismatch(p.context, { chainId: t.chain.chainId, contract: t.address, sender: t.sender, nonce });
  return `${reason}: ${why ?? "the proof file names no context parts to compare (made with --context HEX?)"}`;
}

/** One proof through the verifier (or the registry): accepted with its class and gas, or the reason. */
async function submitOne(ctx: VerbContext, t: OnchainTarget, { proof, nonce }: BatchEntry & { proof: ProofFile }): Promise<number> {
  const r = t.modelId
    ? await submitToRegistry(t.chain.signer, t.address, t.modelId, proof, nonce)
    : await submitInference(t.chain.signer, t.address, (await readVerifierArtifact(t.dir)).abi, proof, nonce);
  const reason = r.reason === undefined ? undefined : explainReason(t, r.reason, proof, nonce);
  ctx.say(r.valid ? `accepted on chain ${t.chain.chainId}: class ${r.class}, gas ${r.gasUsed} (tx ${r.txHash})` : `REJECTED: ${reason}`);
  ctx.result({ valid: r.valid, gasUsed: r.gasUsed, txHash: r.txHash, class: r.class ?? null, reason: reason ?? null });
  return r.valid ? 0 : 1;
}

/** Every proof in one verifyInferences transaction; a failed Groth16 pairing check is followed by finding the invalid proofs off-chain. */
async function submitBatch(ctx: VerbContext, ready: ReadyModel, t: OnchainTarget, args: OnchainArgs): Promise<number> {
  const { entries, proofPaths } = args;
  const r = t.modelId
    ? await submitBatchToRegistry(t.chain.signer, t.address, t.modelId, entries)
    : await submitInferenceBatch(t.chain.signer, t.address, (await readVerifierArtifact(t.dir)).abi, entries);
  const k = entries.length;
  let invalid: string[] = [];
  if (r.valid) {
    const classes = r.items.map((i) => i.class).join(" ");
    ctx.say(`accepted on chain ${t.chain.chainId}: ${k} proofs, classes ${classes}; gas ${r.gasUsed} (${r.gasUsed / BigInt(k)} a proof) (tx ${r.txHash})`);
  } else {
    ctx.say(`REJECTED: ${r.reason}`);
    if (r.reason?.startsWith("BatchProofInvalid")) {
      const check = await verifyProofBatch(
        ready,
        entries.map((e) => e.proof),
      );
      invalid = check.invalid.map((i) => proofPaths[i]!);
      for (const i of check.invalid) ctx.say(`  invalid: ${proofPaths[i]} (${check.problems[i]})`);
      if (invalid.length) ctx.say(`  send the other ${k - invalid.length} again without these`);
    }
  }
  ctx.result({
    valid: r.valid,
    gasUsed: r.gasUsed,
    gasPerProof: r.valid ? r.gasUsed / BigInt(k) : null,
    txHash: r.txHash,
    reason: r.reason ?? null,
    items: r.items.map((it, i) => ({ file: proofPaths[i], class: it.class, nonce: it.nonce, commitment: it.commitment })),
    invalid,
  });
  return r.valid ? 0 : 1;
}

/** --model-id, or the id \`zkml register\` recorded in DIR/deployments.json for this chain. */
async function registeredModelId(ctx: VerbContext, dir: string, chainId: bigint): Promise<string> {
  const modelId = str(ctx, "model-id") ?? (await readDeployment(dir, chainId))?.modelId;
  if (!modelId || !/^0x[0-9a-fA-F]{64}$/.test(modelId)) {
    throw new ZkmlError(
      "USAGE",
      modelId ? `--model-id ${modelId} is not a 32-byte hex id` : `no model id for chain ${chainId} in ${dir}/deployments.json`,
      "pass --model-id, or run `zkml register` first",
    );
  }
  return modelId;
}

export const deployRegistryVerb: Verb = {
  name: "deploy-registry",
  usage: "zkml deploy-registry --rpc URL [--private-key KEY] [--json]",
  help: `Deploys contracts/ZkmlRegistry.sol (compiled here with the npm solc). Anyone may then
register models in it; entries are immutable. Prints the address.\n\n${KEY_HELP}`,
  options: { rpc: { type: "string" }, "private-key": { type: "string" } },
  async run(ctx) {
    return withChain(ctx, "deploy-registry", async (chain) => {
      const d = await deployRegistry(chain.signer);
      ctx.say(`deployed ZkmlRegistry at ${d.address} on chain ${chain.chainId} (gas ${d.gasUsed})`);
      ctx.result({ address: d.address, chainId: chain.chainId, gasUsed: d.gasUsed, txHash: d.txHash });
      return 0;
    });
  },
};

export const registerVerb: Verb = {
  name: "register",
  usage: "zkml register DIR --registry ADDR --rpc URL [--uri URI] [--allow-dev-keys] [--private-key KEY] [--json]",
  help: `Deploys DIR's bare snarkjs verifier and registers the model in the registry at ADDR with
its hashes (quantized model, r1cs, verification key), proof system, verifier and --uri (where
users find the model card and artifacts). The signer becomes the entry's owner; the entry can
never change. Records the model id in DIR/deployments.json for \`zkml verify-onchain --registry\`;
run again for the same build and registry, it finds that entry and sends nothing.
Proofs for the registry are made with --contract set to the registry's address.\n\n${DEV_KEYS_HELP}\n\n${KEY_HELP}`,
  options: options(["rpc", "registry", "uri", "private-key"], ["allow-dev-keys"]),
  async run(ctx) {
    const dir = requirePositional(ctx, 0, "the build folder", "register");
    const registryText = str(ctx, "registry");
    if (!registryText) throw new ZkmlError("USAGE", "register: --registry ADDR is required", "deploy one with `zkml deploy-registry`");
    const registry = addressArg(registryText, "--registry");
    const ready = await openReady(dir);
    return withChain(ctx, "register", async (chain) => {
      const r = await deployAndRegister(chain.signer, registry, ready, str(ctx, "uri") ?? "", { allowDevKeys: Boolean(ctx.values["allow-dev-keys"]) });
      for (const w of r.warnings ?? []) ctx.say(w);
      await recordDeployment(dir, chain.chainId, { registry, modelId: r.modelId, verifier: r.verifier });
      ctx.say(
        r.alreadyRegistered
          ? `already registered: model ${r.modelId} in ${registry} (verifier ${r.verifier}); nothing sent`
          : `registered model ${r.modelId} in ${registry} (verifier ${r.verifier}; gas: verifier ${r.gas.deployVerifier}, register ${r.gas.register})`,
      );
      ctx.result({ modelId: r.modelId, registry, verifier: r.verifier, chainId: chain.chainId, gas: r.gas, alreadyRegistered: r.alreadyRegistered ?? false });
      return 0;
    });
  },
};
