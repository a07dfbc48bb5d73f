import type { Signer } from "ethers";
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

/** The first account of the network Hardhat connects to (--network), as an ethers v6 signer. */
export async function networkSigner(hre: HardhatRuntimeEnvironment): Promise<{ signer: Signer; close(): Promise<void> }> {
  const { BrowserProvider } = await import("ethers");
  const conn = await hre.network.getOrCreate();
  const provider = new BrowserProvider(conn.provider as never, undefined, { cacheTimeout: -1 });
  return { signer: await provider.getSigner(0), close: () => conn.close() };
}
