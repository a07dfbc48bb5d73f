/** Signers for the chain verbs: a JSON-RPC URL (local node or testnet) or an in-process chain. */
import { BrowserProvider, JsonRpcProvider, Wallet, type Signer, type Provider } from "ethers";
import { ZkmlError } from "../core/errors.js";

export interface ChainConnection {
  provider: Provider;
  signer: Signer;
  chainId: bigint;
  close(): Promise<void>;
}

/**
 * Connect to `url`. The key comes from the argument (the CLI reads it from ZKML_PRIVATE_KEY or
 * --private-key) and is never printed; without one, the node's first unlocked account signs
 * (as a local Hardhat node offers).
 */
export async function connectRpc(url: string, privateKey?: string): Promise<ChainConnection> {
  // cacheTimeout -1: ethers otherwise answers an identical request within 250 ms from a cache,
  // so a call that reverted just before a state change keeps "reverting" after it.
  const provider = new JsonRpcProvider(url, undefined, { staticNetwork: false, cacheTimeout: -1 });
  let chainId: bigint;
  try {
    chainId = (await withTimeout(provider.getNetwork(), 10_000)).chainId;
  } catch {
    provider.destroy();
    throw new ZkmlError("UNREACHABLE", `cannot reach a JSON-RPC node at ${url}`, "check --rpc; for a local chain run `npx hardhat node --hostname 127.0.0.1`");
  }
  let signer: Signer;
  if (privateKey) {
    try {
      signer = new Wallet(privateKey, provider);
    } catch {
      provider.destroy();
      throw new ZkmlError("USAGE", "the private key is not a valid 32-byte hex key");
    }
  } else {
    const accounts = (await provider.send("eth_accounts", [])) as string[];
    if (!accounts.length) {
      provider.destroy();
      throw new ZkmlError("USAGE", `${url} has no unlocked accounts`, "set ZKML_PRIVATE_KEY to the deployer's key");
    }
    signer = await provider.getSigner(accounts[0]);
  }
  return { provider, signer, chainId, close: async () => provider.destroy() };
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error("timeout")), ms);
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e) => {
        clearTimeout(t);
        reject(e);
      },
    );
  });
}

/**
 * Hardhat's runtime for an in-process chain, or a MISSING_DEPENDENCY error saying why there is
 * none (Node < 22, Hardhat not installed): callers that would first spend minutes compiling ask
 * this at the start.
 */
export async function loadInProcessChain(): Promise<typeof import("hardhat/hre").createHardhatRuntimeEnvironment> {
  const major = Number(process.versions.node.split(".")[0]);
  if (major < 22) {
    throw new ZkmlError(
      "MISSING_DEPENDENCY",
      `the in-process chain is Hardhat 3's EDR, which needs Node >= 22 (this is Node ${process.versions.node})`,
      "run zkml with Node 22 (npm's node@22 package brings one: npx -p node@22 zkml …; reinstall zkml under it, since npm leaves out EDR's native binary when it installs on Node 20), or use a JSON-RPC chain: --rpc URL",
    );
  }
  try {
    return (await import("hardhat/hre")).createHardhatRuntimeEnvironment;
  } catch (e) {
    throw new ZkmlError(
      "MISSING_DEPENDENCY",
      `the in-process chain needs hardhat 3 (an optional peer of zkml), which did not load: ${(e as Error).message.split("\n")[0]}`,
      "npm install hardhat@3 under Node >= 22, or use a JSON-RPC chain: --rpc URL",
    );
  }
}

/** An in-process Hardhat (EDR) chain: no ports, no node process (31337 unless `chainId` says). Needs Node >= 22. */
export async function connectInProcessChain(opts: { chainId?: number } = {}): Promise<ChainConnection> {
  const createHardhatRuntimeEnvironment = await loadInProcessChain();
  const hre = await createHardhatRuntimeEnvironment({
    networks: { default: { type: "edr-simulated", chainType: "l1", hardfork: "cancun", ...(opts.chainId !== undefined && { chainId: opts.chainId }) } },
  });
  const conn = await hre.network.connect();
  const provider = new BrowserProvider(conn.provider as never, undefined, { cacheTimeout: -1 });
  const signer = await provider.getSigner(0);
  const chainId = (await provider.getNetwork()).chainId;
  return {
    provider,
    signer,
    chainId,
    close: async () => {
      await conn.close();
    },
  };
}
