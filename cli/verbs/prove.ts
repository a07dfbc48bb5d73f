import path from "node:path";
import {
  computeContext,
  deployedVerifier,
  FILES,
  InferenceProver,
  inputShapes,
  nextUnusedNonce,
  nonceReservations,
  parseContext,
  readInputFile,
  ZkmlError,
  writeFileAtomic,
  type ContextDetails,
  type ContextParams,
  type ReadyModel,
  type ChainConnection,
} from "../../src/index.js";
import { addressArg, bigintArg, ms, peakRssMb, requirePositional, str, toJson, timer, type Verb, type VerbContext, options } from "../io.js";
import { withChain } from "./chain.js";
import { inputVisibility } from "../../core/statement.js";
import { Contract } from "ethers";

/** What --from-chain read: the consumer contract, the input it computed and the snapshot it is of. */
interface ChainInput {
  consumer: string;
  values: number[];
  snapshot: bigint;
}

const MODEL_INPUT_ABI = ["function modelInput() view returns (int256[] input, uint256 snapshot)"];

/**
 * --from-chain ADDR: the consumer contract's modelInput() through --rpc, the int8 values it
 * computed from its own state (ZkmlData.quantize) and the snapshot they are of, so the proof is
 * over exactly what the contract will hash when the proof is submitted.
 */
async function inputFromChain(ctx: VerbContext, chain: ChainConnection, consumerText: string): Promise<ChainInput> {
  const consumer = addressArg(consumerText, "--from-chain");
  if ((await chain.provider.getCode(consumer)) === "0x") throw new ZkmlError("CHAIN", `--from-chain: no contract at ${consumer} on this chain`);
  let input: bigint[];
  let snapshot: bigint;
  try {
    [input, snapshot] = (await new Contract(consumer, MODEL_INPUT_ABI, chain.provider).getFunction("modelInput")()) as [bigint[], bigint];
  } catch (e) {
    throw new ZkmlError(
      "CHAIN",
      `--from-chain: ${consumer}.modelInput() failed: ${(e as Error).message.slice(0, 200)}`,
      "the consumer contract must have modelInput() returns (int256[] input, uint256 snapshot)",
    );
  }
  // An int256 far outside int8 must not be rounded by Number(): refused here by its exact value.
  const bad = input.findIndex((v) => v < -128n || v > 127n);
  if (bad >= 0) throw new ZkmlError("BAD_INPUT", `--from-chain: ${consumer}.modelInput() value #${bad} is ${input[bad]}, not an int8`);
  ctx.say(`input from ${consumer}.modelInput(): ${input.length} values at snapshot ${snapshot}`);
  return { consumer, values: input.map(Number), snapshot };
}

/**
 * --context HEX, or the values the verifier contract hashes into it (given, or read from --rpc
 * for the build `ready`). With --from-chain the consumer contract is the sender, the signer the
 * beneficiary and the consumer's snapshot is bound (verifyInferenceAt), unless flags say otherwise.
 */
export async function contextFromArgs(ctx: VerbContext, ready: ReadyModel, chainInput?: ChainInput, chain?: ChainConnection): Promise<ContextDetails> {
  const hex = str(ctx, "context");
  const names = ["chain-id", "contract", "sender", "nonce"] as const;
  const parts = names.map((k) => str(ctx, k));
  if (chainInput && parts[2] === undefined) parts[2] = chainInput.consumer;
  const beneficiaryText = str(ctx, "beneficiary");
  const beneficiary = beneficiaryText === undefined ? {} : { beneficiary: addressArg(beneficiaryText, "--beneficiary") };
  const snapshotText = str(ctx, "snapshot");
  if (chainInput && snapshotText !== undefined) throw new ZkmlError("USAGE", "--from-chain takes the snapshot from the contract; leave out --snapshot");
  const snapshot = chainInput ? { snapshot: chainInput.snapshot } : snapshotText === undefined ? {} : { snapshot: bigintArg(snapshotText, "--snapshot") };
  if (hex && (parts.some(Boolean) || str(ctx, "rpc") || beneficiaryText || snapshotText))
    throw new ZkmlError("USAGE", "give either --context or --rpc/--chain-id/--contract/--sender/--nonce/--beneficiary/--snapshot, not both");
  if (hex) return { value: parseContext(hex) };
  if (str(ctx, "rpc")) return contextFromChain(ctx, ready, parts, beneficiary, snapshot, chainInput !== undefined, chain);
  if (!parts.some(Boolean) && !beneficiaryText && !snapshotText) return { value: 0n };
  if (!parts.every(Boolean)) throw new ZkmlError("USAGE", "--chain-id, --contract, --sender and --nonce go together", "or let --rpc URL fill them in");
  const p: ContextParams = {
    chainId: bigintArg(parts[0]!, "--chain-id"),
    contract: addressArg(parts[1]!, "--contract"),
    sender: addressArg(parts[2]!, "--sender"),
    nonce: bigintArg(parts[3]!, "--nonce"),
    ...beneficiary,
    ...snapshot,
  };
  return { value: computeContext(p), ...p };
}

/**
 * --rpc: the chain id from the node, the contract from DIR/deployments.json (refused if the
 * keys changed since its deploy), the sender from the signer, and the first nonce the contract
 * has not seen used for it; each overridden by its own flag.
 */
async function contextFromChain(
  ctx: VerbContext,
  ready: ReadyModel,
  parts: (string | undefined)[],
  given: { beneficiary?: string },
  snapshot: { snapshot?: bigint },
  signerIsBeneficiary: boolean,
  connected?: ChainConnection,
): Promise<ContextDetails> {
  const fill = async (chain: ChainConnection): Promise<ContextDetails> => {
    const chainId = parts[0] === undefined ? chain.chainId : bigintArg(parts[0], "--chain-id");
    const contract =
      parts[1] === undefined ? await deployedVerifier(ready.dir, chain.chainId, ready.setup.outputs[FILES.vkey]!) : addressArg(parts[1], "--contract");
    const sender = parts[2] === undefined ? await chain.signer.getAddress() : addressArg(parts[2], "--sender");
    const beneficiary = given.beneficiary === undefined && signerIsBeneficiary ? { beneficiary: await chain.signer.getAddress() } : given;
    const claim = nonceReservations(ready.dir, { chainId, contract, sender, ...beneficiary });
    const nonce =
      parts[3] === undefined ? await nextUnusedNonce(chain.provider, contract, sender, beneficiary.beneficiary, claim) : bigintArg(parts[3], "--nonce");
    const p: ContextParams = { chainId, contract, sender, nonce, ...beneficiary, ...snapshot };
    ctx.say(
      `context: chain ${chainId}, contract ${contract}, sender ${sender}${beneficiary.beneficiary ? `, beneficiary ${beneficiary.beneficiary}` : ""}, nonce ${nonce}${snapshot.snapshot === undefined ? "" : `, snapshot ${snapshot.snapshot}`}`,
    );
    return { value: computeContext(p), ...p };
  };
  // --from-chain has the connection open already: its read and the context share it.
  return connected ? fill(connected) : withChain(ctx, "prove", fill);
}

export const proveVerb: Verb = {
  name: "prove",
  usage:
    "zkml prove DIR (--input input.json | --from-chain ADDR --rpc URL) [--out proof.json] [--rpc URL | --context HEX | --chain-id N --contract ADDR --sender ADDR --nonce N] [--beneficiary ADDR] [--snapshot N] [--json]",
  help: `Quantizes the input, computes the witness and a Groth16 proof, and writes a proof file with the
proof, the public signals [commitment, classContext], the int8 input and the output (revealed
off-chain; the commitment binds them).

  --input FILE   {"input": [...]} (nested in the model's shape, or flat) or {"input_data": [[...]]}
  --out FILE     where to write the proof (default: DIR/proof.json)
  --context HEX  the context to bind (below 2^244), as the verifier's contextOf(sender, nonce) gives
  --chain-id N --contract ADDR --sender ADDR --nonce N
                 compute that context here: keccak256(chainId, contract, sender, nonce) >> 12.
                 Only this sender can then submit the proof to that contract, once. ADDR is
                 the model's verifier (zkml deploy) or the registry (zkml deploy-registry).
  --rpc URL      fill those in from the chain: its chain id, the verifier zkml deploy recorded
                 in DIR/deployments.json, the signer ($ZKML_PRIVATE_KEY, or the node's first
                 account) as sender, and the first nonce the verifier has not seen used for it
                 and no other prove of this build folder has reserved (DIR/nonce-reservations).
                 Any of --chain-id/--contract/--sender/--nonce given overrides its part.
  --beneficiary ADDR
                 for a dApp contract (--sender, or --contract's caller) that submits the proof on
                 this user's behalf through verifyInferenceFor(ADDR, ...): the context names both
                 (keccak256(chainId, contract, sender, beneficiary, nonce) >> 12).
  --snapshot N   the snapshot the input data is from (a block number, or an id the contract
                 keeps), for verifyInferenceAt(ADDR, ..., N): needs --beneficiary.
  --from-chain ADDR
                 take the input from consumer contract ADDR's modelInput(), which returns
                 (int256[] input, uint256 snapshot): the int8 values it computed from its own
                 state (ZkmlData.quantize) for a model with a hashed input. The proof is over
                 exactly those values; ADDR is the sender, the signer the beneficiary and the
                 snapshot is bound, so ADDR accepts it through verifyInferenceAt. Needs --rpc.
Without a context the proof carries context 0 (fine off-chain, rejected on-chain).`,
  options: options(["input", "out", "context", "chain-id", "contract", "sender", "nonce", "rpc", "beneficiary", "snapshot", "from-chain", "private-key"]),
  async run(ctx) {
    const dir = requirePositional(ctx, 0, "the build folder", "prove");
    const inputFile = str(ctx, "input");
    const fromChain = str(ctx, "from-chain");
    if (inputFile && fromChain) throw new ZkmlError("USAGE", "prove: give --input FILE or --from-chain ADDR, not both");
    if (!inputFile && !fromChain) throw new ZkmlError("USAGE", "prove: --input FILE is required (or --from-chain ADDR --rpc URL)", "see `zkml prove --help`");
    if (fromChain && !str(ctx, "rpc")) throw new ZkmlError("USAGE", "prove: --from-chain reads the contract through --rpc URL");
    const load = timer();
    const prover = await InferenceProver.open(dir);
    const loadMs = load();
    if (fromChain && inputVisibility(prover.model.info.layout) !== "hashed") {
      throw new ZkmlError(
        "USAGE",
        `prove --from-chain: model ${prover.model.model.name}'s input is private, so no contract can check that a proof is about its data`,
        "compile the model with --input-visibility hashed",
      );
    }
    // After the keys: --rpc reads the recorded verifier against the build the prover checked.
    const r = fromChain
      ? await withChain(ctx, "prove", async (chain) => {
          const chainInput = await inputFromChain(ctx, chain, fromChain);
          return prover.proveQuantized(chainInput.values, await contextFromArgs(ctx, prover.model, chainInput, chain));
        })
      : await prover.prove(await readInputFile(inputFile!, inputShapes(prover.model.model)), await contextFromArgs(ctx, prover.model));
    const out = str(ctx, "out") ?? path.join(dir, "proof.json");
    await writeFileAtomic(out, toJson(r.proof) + "\n");
    const o = r.proof.output;
    ctx.say(`proved ${r.proof.model.name}: class ${o.class}`);
    if (o.parts) for (const part of o.parts) ctx.say(`  ${part.name} [${part.shape}] (dequantized): [${part.dequantized.map((v) => v.toFixed(3)).join(", ")}]`);
    else ctx.say(`  logits (dequantized): [${o.dequantized.map((v) => v.toFixed(3)).join(", ")}]`);
    ctx.say(`  witness ${ms(r.timingsMs.witness)}, prove ${ms(r.timingsMs.prove)} (keys loaded in ${ms(loadMs)})`);
    ctx.say(`  proof → ${out}`);
    ctx.result({
      proof: r.proof.proof,
      publicSignals: r.proof.publicSignals,
      output: { class: o.class, values: o.dequantized, raw: o.values, frac: o.frac, ...(o.parts && { parts: o.parts }) },
      context: r.proof.context,
      proofFile: out,
      timingsMs: { ...r.timingsMs, load: loadMs },
      peakRssMb: peakRssMb(),
    });
    return 0;
  },
};
