import type { HardhatRuntimeEnvironmentHooks } from "hardhat/types/hooks";
import { ZkmlHardhat } from "../zkml_hardhat.js";

export default async (): Promise<Partial<HardhatRuntimeEnvironmentHooks>> => ({
  created: async (_context, hre) => {
    (hre as { zkml: ZkmlHardhat }).zkml = new ZkmlHardhat(hre);
  },
});
