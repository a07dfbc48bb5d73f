/**
 * zkml/viem against Hardhat's in-process chain, driven through viem alone (its wallet and public
 * clients on the chain's EIP-1193 provider): deploy the MNIST verifier, submit a proof, read the
 * class from the event, and get a replay back as the contract's decoded custom error.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createPublicClient, createWalletClient, custom, decodeFunctionData, type Address, type Hex } from "viem";
import { computeContext, InferenceProver, loadInProcessChain, readInputFile, readVerifierArtifact, releaseCurves, verifyProofFile } from "../src/index.js";
import { IZKML_VERIFIER_ABI, inferenceCalldataHex, submitInference } from "../viem/index.js";

const chain = { id: 31337, name: "hardhat", nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 }, rpcUrls: { default: { http: [] } } } as const;

describe("zkml/viem: a proof submitted with viem's clients", () => {
  let close: () => Promise<void>;
  let walletClient: ReturnType<typeof createWalletClient>;
  let publicClient: ReturnType<typeof createPublicClient>;
  let account: Address;
  let verifier: Address;

  beforeAll(async () => {
    const create = await loadInProcessChain();
    const hre = await create({ networks: { default: { type: "edr-simulated", chainType: "l1", hardfork: "cancun" } } });
    const conn = await hre.network.connect();
    close = () => conn.close();
    const transport = custom(conn.provider as never);
    account = ((await conn.provider.request({ method: "eth_accounts" })) as Address[])[0]!;
    walletClient = createWalletClient({ account, chain, transport });
    publicClient = createPublicClient({ chain, transport });
    const artifact = await readVerifierArtifact(inject("mnistDir"));
    const hash = await walletClient.deployContract({ abi: artifact.abi as never, bytecode: artifact.bytecode as Hex, account, chain });
    verifier = (await publicClient.waitForTransactionReceipt({ hash })).contractAddress!;
  });

  afterAll(async () => {
    await close?.();
    await releaseCurves();
  });

  it("submits a proof, reads the class from the event, and decodes a replay's custom error", async () => {
    const dir = inject("mnistDir");
    const prover = await InferenceProver.open(dir);
    const parts = { chainId: 31337n, contract: verifier, sender: account, nonce: 0n };
    const { proof } = await prover.prove(await readInputFile("examples/mnist/digits/digit-4.json"), { value: computeContext(parts), ...parts });
    expect((await verifyProofFile(dir, proof)).valid).toBe(true);

    // The calldata viem would send, decoded again by viem against the typed ABI.
    const data = await inferenceCalldataHex(proof);
    const decoded = decodeFunctionData({ abi: IZKML_VERIFIER_ABI, data });
    expect(decoded.functionName).toBe("verifyInference");
    expect(decoded.args[2]).toBe(0n);

    const ok = await submitInference({ walletClient: walletClient as never, publicClient: publicClient as never, address: verifier, proof });
    expect(ok).toMatchObject({ valid: true, class: proof.output.class });
    expect(ok.gasUsed).toBeGreaterThan(200_000n);
    const replay = await submitInference({ walletClient: walletClient as never, publicClient: publicClient as never, address: verifier, proof });
    expect(replay.valid).toBe(false);
    expect(replay.reason?.toLowerCase()).toBe(`NonceAlreadyUsed(${account}, 0)`.toLowerCase());
  });
});
