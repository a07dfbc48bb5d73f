/**
 * How each code block of README.md and docs/*.md is held to the code: run by a test as written
 * (placeholders filled), type-checked against the installed package, or an excerpt whose lines
 * occur, in order, in a file a test runs. test/unit/docs-blocks.test.ts fails on a block this
 * table does not name, so a new block comes with its check.
 */

export type DocCheck =
  /** A test reads the block (by its heading) and runs its commands. */
  | { runBy: string }
  /** The package test type-checks the block (strict tsc, the installed package) after `context` declares what it leaves to the reader. */
  | { typed: { context: string; dom?: boolean } }
  /** Every line of the block (comments and spacing aside) occurs in this file, in order. */
  | { excerptOf: string }
  /** Not code: a measured output or a diagram. */
  | { shows: string }
  | { notRun: string };

export const DOC_CHECKS: Readonly<Record<string, DocCheck>> = {
  "README.md # zkml #1": { runBy: ".ci/run" },
  "README.md # zkml #2": { shows: "`npm run demo`'s output on this project's machine" },
  "README.md ## The CLI #1": { runBy: "test/package.test.ts" },
  "README.md ## In the browser #1": { runBy: "test/browser.test.ts" },
  "README.md ## In the browser #2": {
    typed: {
      dom: true,
      context: `import type { Signer } from "ethers";
declare const manifestSha256: string, pixels: number[], chainId: bigint, verifier: string, user: string, nonce: bigint, signer: Signer;`,
    },
  },
  "README.md ## The proving service #1": { runBy: "test/service.test.ts" },
  "docs/BENCHMARKS.md # Benchmarks #1": {
    notRun:
      "benchmarks of minutes each are commands of their own; test/bench.test.ts runs `zkml bench` on the tiny MLP and test/unit/docs-commands.test.ts checks every verb and flag",
  },
  "docs/DESIGN.md ## Stages and artifacts #1": { shows: "a diagram of the stages" },
  "docs/DESIGN.md ## The shape of the code #1": { shows: "a diagram of the layers" },
  "docs/DESIGN.md ## The proving service #1": { shows: "a diagram of the service" },
  "docs/SDK.md ## Install #1": {
    notRun: "`npm install zkml` needs the published package; test/package.test.ts installs the packed tarball the same way, and without Hardhat",
  },
  "docs/SDK.md ## A Node script #1": { runBy: "test/package.test.ts" },
  "docs/SDK.md ## The Hardhat 3 plugin: `zkml/hardhat` #1": { runBy: "test/package.test.ts" },
  "docs/SDK.md ## The Hardhat 3 plugin: `zkml/hardhat` #2": { runBy: "test/package.test.ts" },
  "docs/SDK.md ## With viem: `zkml/viem` #1": {
    typed: {
      context: `import type { ProofFile } from "zkml";
import type { Account, Chain, PublicClient, Transport, WalletClient } from "viem";
declare const proof: ProofFile, verifier: \`0x\${string}\`, walletClient: WalletClient<Transport, Chain, Account>, publicClient: PublicClient;`,
    },
  },
  "docs/SDK.md ## With Foundry: `zkml foundry` #1": { runBy: "test/foundry.test.ts" },
  "docs/SDK.md ## The consumer-contract pattern: a dApp contract acts on its user's proof #1": { excerptOf: "contracts/IZkmlVerifier.sol" },
  "docs/SDK.md ## The consumer-contract pattern: a dApp contract acts on its user's proof #2": {
    excerptOf: "examples/hardhat-consumer/contracts/ClassGate.sol",
  },
  "docs/SDK.md ## The consumer-contract pattern: a dApp contract acts on its user's proof #3": {
    typed: {
      context: `import hre from "hardhat";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import type { ContractTransactionResponse } from "ethers";
declare const input: number[], alice: HardhatEthersSigner;
/** ClassGate as a typed contract factory (TypeChain) gives it. */
declare const gate: {
  getAddress(): Promise<string>;
  connect(signer: HardhatEthersSigner): { claim(proof: string, pubSignals: bigint[], nonce: bigint): Promise<ContractTransactionResponse> };
};`,
    },
  },
  "docs/SDK.md ## A contract's own data: models with a hashed input #1": { excerptOf: "contracts/examples/SalesAppraisal.sol" },
  "docs/SDK.md ## A contract's own data: models with a hashed input #2": {
    typed: {
      context: `import { computeContext, type InferenceProver } from "zkml";
declare const prover: InferenceProver, chainId: bigint, verifierAddress: string, consumerAddress: string, user: string;
/** The consumer contract as a typed contract factory (TypeChain) gives it. */
declare const consumer: { modelInput(): Promise<[bigint[], bigint]> };`,
    },
  },
  "docs/SDK.md ## The CLI on a real chain #1": { runBy: "test/package.test.ts" },
  "docs/SEPOLIA.md ## 0. What you need #1": { runBy: "test/anvil.test.ts" },
  "docs/SEPOLIA.md ## 0. What you need #2": { runBy: "test/anvil.test.ts" },
  "docs/SEPOLIA.md ## 1a. One contract per model (the wrapper) #1": { runBy: "test/anvil.test.ts" },
  "docs/SEPOLIA.md ## 1b. Or through the model registry (one per chain, any number of models) #1": { runBy: "test/anvil.test.ts" },
  "docs/SERVICE.md ## Run it on one machine #1": { runBy: "test/service.test.ts" },
  "docs/SERVICE.md ## Run it on one machine #2": { runBy: "test/service.test.ts" },
  "docs/SERVICE.md ## Many machines #1": { shows: "a diagram of the deployment" },
};

/** The blocks the package test type-checks, with the context each needs. */
export function typedBlocks(): { name: string; context: string; dom: boolean }[] {
  return Object.entries(DOC_CHECKS).flatMap(([name, c]) => ("typed" in c ? [{ name, context: c.typed.context, dom: c.typed.dom ?? false }] : []));
}
