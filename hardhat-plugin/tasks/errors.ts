import { HardhatPluginError } from "hardhat/plugins";
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

/**
 * A task's failure as Hardhat shows a plugin's: "Error in community plugin zkml:" and one line
 * with zkml's hint, no stack and no "report a bug in Hardhat". zkml's errors (ZkmlError, and the
 * plugin's own "zkml: …" errors) are the user's to act on; anything else stays what it is.
 */
function asPluginError(e: unknown): unknown {
  if (HardhatPluginError.isHardhatPluginError(e)) return e;
  const z = e as { name?: unknown; message?: unknown; oneLine?: unknown };
  if (z?.name === "ZkmlError" && typeof z.oneLine === "function") return new HardhatPluginError("zkml", (z.oneLine as () => string).call(e), e as Error);
  if (e instanceof Error && e.message.startsWith("zkml")) return new HardhatPluginError("zkml", e.message, e);
  return e;
}

/** Wraps a task's action so its errors reach Hardhat as a plugin's (asPluginError). */
export function pluginAction<A>(run: (args: A, hre: HardhatRuntimeEnvironment) => Promise<void>) {
  return async (args: A, hre: HardhatRuntimeEnvironment): Promise<void> => {
    try {
      await run(args, hre);
    } catch (e) {
      throw asPluginError(e);
    }
  };
}
