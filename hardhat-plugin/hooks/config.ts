/**
 * The config hooks: validate and resolve the zkml block, and compile Solidity offline: a solc
 * compiler of the npm `solc` package's version with no path of its own gets that package's
 * soljson.js, so Hardhat downloads no compiler for it.
 */
import { createRequire } from "node:module";
import type { ConfigHooks } from "hardhat/types/hooks";
import { resolveZkmlConfig, validateZkmlConfig } from "../config.js";

const require = createRequire(import.meta.url);

export default async (): Promise<Partial<ConfigHooks>> => ({
  validateUserConfig: async (userConfig) => validateZkmlConfig(userConfig.zkml),
  resolveUserConfig: async (userConfig, resolveConfigurationVariable, next) => {
    const resolved = await next(userConfig, resolveConfigurationVariable);
    const solcVersion: string = require("solc/package.json").version;
    const soljson = require.resolve("solc/soljson.js");
    for (const profile of Object.values(resolved.solidity.profiles)) {
      for (const c of [...profile.compilers, ...Object.values(profile.overrides)]) {
        if ((c.type === undefined || c.type === "solc") && c.version === solcVersion && c.path === undefined) c.path = soljson;
      }
    }
    return { ...resolved, zkml: resolveZkmlConfig(userConfig.zkml, resolved.paths.root) };
  },
});
