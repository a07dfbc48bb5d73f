import type { Signer } from "ethers";
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

/**
 * The first account of the network Hardhat connects to (--network), as an ethers v6 signer;
 * `inProcess` when that network is a chain simulated in this process (gone when the task ends).
 */
export async function networkSigner(hre: HardhatRuntimeEnvironment): Promise<{ signer: Signer; inProcess: boolean; name: string; close(): Promise<void> }> {
  const { BrowserProvider } = await import("ethers");
  const conn = await hre.network.getOrCreate();
  const provider = new BrowserProvider(conn.provider as never, undefined, { cacheTimeout: -1 });
  return { signer: await provider.getSigner(0), inProcess: conn.networkConfig.type === "edr-simulated", name: conn.networkName, close: () => conn.close() };
}
