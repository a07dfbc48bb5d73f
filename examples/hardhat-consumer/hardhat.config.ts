// A Hardhat 3 project that uses zkml: the plugin builds the model named below (compile, keys,
// verifier) on first use, and compiles Solidity with the npm solc zkml brings (no download).
import hardhatEthers from "@nomicfoundation/hardhat-ethers";
import hardhatIgnition from "@nomicfoundation/hardhat-ignition";
import hardhatVerify from "@nomicfoundation/hardhat-verify";
import nodeTestRunner from "@nomicfoundation/hardhat-node-test-runner";
import { defineConfig } from "hardhat/config";
import zkml from "zkml/hardhat";

export default defineConfig({
  plugins: [hardhatEthers, hardhatIgnition, hardhatVerify, nodeTestRunner, zkml],
  solidity: { version: "0.8.37", settings: { optimizer: { enabled: true, runs: 200 }, evmVersion: "cancun" } },
  networks: { hardhat: { type: "edr-simulated", chainType: "l1", hardfork: "cancun" } },
  zkml: {
    models: {
      // zkml's bundled tiny MLP (4 inputs, 3 classes); a project names its own ONNX file here.
      tiny: {
        onnx: "node_modules/zkml/examples/tiny-mlp/tiny-mlp.onnx",
        calibration: "node_modules/zkml/examples/tiny-mlp/calibration.json",
      },
    },
  },
});
