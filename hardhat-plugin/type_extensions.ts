import "hardhat/types/config";
import "hardhat/types/hre";
import type { ZkmlConfig, ZkmlUserConfig } from "./config.js";
import type { ZkmlHardhat } from "./zkml_hardhat.js";

declare module "hardhat/types/config" {
  interface HardhatUserConfig {
    zkml?: ZkmlUserConfig;
  }
  interface HardhatConfig {
    zkml: ZkmlConfig;
  }
}

declare module "hardhat/types/hre" {
  interface HardhatRuntimeEnvironment {
    zkml: ZkmlHardhat;
  }
}
