/**
 * The config hooks: validate and resolve the zkml block; compile Solidity offline (a solc
 * compiler of the npm `solc` package's version with no path of its own gets that package's
 * soljson.js, so Hardhat downloads no compiler for it); and add each model's verifier sources
 * to the project's, so they become Hardhat artifacts.
 */
import { createRequire } from "node:module";
import path from "node:path";
import type { ConfigHooks } from "hardhat/types/hooks";
import { FILES } from "../../core/build_files.js";
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
    const zkml = resolveZkmlConfig(userConfig.zkml, resolved.paths.root);
    // Each model's generated verifier is a source of the project, so `hardhat build` makes it a
    // Hardhat artifact (deployContract, Ignition and source verification see it). A model not
    // built yet has no folder, which Hardhat reads as no sources.
    const verifiers = Object.values(zkml.models).map((m) => path.join(m.dir, FILES.contractsDir));
    const solidity = [...resolved.paths.sources.solidity, ...verifiers.filter((d) => !resolved.paths.sources.solidity.includes(d))];
    return { ...resolved, paths: { ...resolved.paths, sources: { ...resolved.paths.sources, solidity } }, zkml };
  },
});
