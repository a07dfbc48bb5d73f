/**
 * Hardhat 3: compiles contracts/ offline with the npm solc (no compiler download), runs the
 * in-process chain for `zkml demo` and the node the on-chain tests start, and names Sepolia.
 * Sepolia's URL and key come from configuration variables (env SEPOLIA_RPC_URL and
 * SEPOLIA_PRIVATE_KEY, or `npx hardhat keystore set ...`), never from this file.
 */
import { createRequire } from "node:module";
import hardhatEthers from "@nomicfoundation/hardhat-ethers";
import { configVariable, defineConfig } from "hardhat/config";

const require = createRequire(import.meta.url);
const solcVersion: string = require("solc/package.json").version;

export default defineConfig({
  plugins: [hardhatEthers],
  solidity: {
    compilers: [
      {
        version: solcVersion,
        path: require.resolve("solc/soljson.js"),
        settings: { optimizer: { enabled: true, runs: 200 }, evmVersion: "cancun" },
      },
    ],
  },
  networks: {
    hardhat: { type: "edr-simulated", chainType: "l1", hardfork: "cancun" },
    localhost: { type: "http", chainType: "l1", url: "http://127.0.0.1:8545" },
    sepolia: {
      type: "http",
      chainType: "l1",
      url: configVariable("SEPOLIA_RPC_URL"),
      accounts: [configVariable("SEPOLIA_PRIVATE_KEY")],
    },
  },
});
