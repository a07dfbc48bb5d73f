/**
 * zkml/hardhat: a Hardhat 3 plugin. Name models in the config; compile, set up, deploy and prove
 * them with `npx hardhat zkml <task>` on the network Hardhat connects to; and from tests and
 * scripts use `hre.zkml` (build, deployVerifier, prove, proveFor, calldata, events).
 *
 *   import zkml from "zkml/hardhat";
 *   export default defineConfig({
 *     plugins: [zkml],
 *     zkml: { models: { digits: { onnx: "models/mnist.onnx", calibration: "models/calibration.json" } } },
 *   });
 *
 * Importing this module loads nothing of zkml's SDK: its hooks and tasks are loaded when used.
 */
import { emptyTask, task } from "hardhat/config";
import { ArgumentType } from "hardhat/types/arguments";
import type { HardhatPlugin } from "hardhat/types/plugins";
import "./type_extensions.js";

export type { ZkmlUserConfig, ZkmlModelUserConfig, ZkmlConfig, ZkmlModelConfig } from "./config.js";
export type { ZkmlHardhat, BuildOptions, ProveOptions, ProveForOptions, DeployedVerifier, InferenceCalldata, InferenceEvent } from "./zkml_hardhat.js";
export { IZKML_VERIFIER_ABI, IZKML_REGISTRY_ABI } from "../verifier/abi.js";

const model = { name: "model", description: "a model named in the config's zkml.models (default: every model, or the only one)", defaultValue: "" } as const;

const proofOption = { name: "proof", description: "the proof file (default: <build>/proof.json)", defaultValue: "" } as const;

const plugin: HardhatPlugin = {
  id: "zkml",
  npmPackage: "zkml",
  hookHandlers: {
    config: () => import("./hooks/config.js"),
    hre: () => import("./hooks/hre.js"),
  },
  tasks: [
    emptyTask("zkml", "Prove ONNX model inference in zero knowledge and verify it on-chain (zkml)").build(),
    task(["zkml", "compile"], "Compile the configured models to circuits (skipped when the ONNX and calibration files are unchanged)")
      .addOption(model)
      .addFlag({ name: "force", description: "compile even when nothing changed" })
      .setAction(() => import("./tasks/compile.js"))
      .build(),
    task(["zkml", "setup"], "Compile if needed, then make the keys and the Solidity verifier (development keys unless the config names a ptau)")
      .addOption(model)
      .addFlag({ name: "force", description: "make new keys even when the build has some" })
      .setAction(() => import("./tasks/setup.js"))
      .build(),
    task(["zkml", "deploy"], "Deploy a model's verifier to the network (recorded in its build folder's deployments.json)")
      .addOption(model)
      .addFlag({ name: "allowDevKeys", description: "deploy development keys to a chain that is not local (forgeable: for testnet rehearsals only)" })
      .setAction(() => import("./tasks/deploy.js"))
      .build(),
    task(["zkml", "prove"], "Prove one inference for the first signer and the deployed verifier on the network (next unused nonce)")
      .addOption(model)
      .addOption({ name: "input", description: 'input JSON file ({"input": [...]})', defaultValue: "" })
      .addOption({ name: "out", description: "where to write the proof file (default: <build>/proof.json)", defaultValue: "" })
      .addOption({
        name: "beneficiary",
        description: "prove for a dApp contract (--sender) to submit on this user's behalf (verifyInferenceFor)",
        defaultValue: "",
      })
      .addOption({ name: "sender", description: "the address that will submit the proof (default: the first signer)", defaultValue: "" })
      .addOption({
        name: "nonce",
        description: "the nonce (default: the first one the verifier has not seen used)",
        type: ArgumentType.STRING,
        defaultValue: "",
      })
      .setAction(() => import("./tasks/prove.js"))
      .build(),
    task(["zkml", "verify"], "Verify a proof file off-chain against the model's build (every field checked, as `zkml verify`)")
      .addOption(model)
      .addOption(proofOption)
      .setAction(() => import("./tasks/verify.js"))
      .build(),
    task(["zkml", "verify-onchain"], "Submit a proof file to the model's verifier on the network (recorded by `zkml deploy`)")
      .addOption(model)
      .addOption(proofOption)
      .setAction(() => import("./tasks/verify_onchain.js"))
      .build(),
    task(["zkml", "calldata"], "Print a verified proof file's verifyInference calldata (for a wallet, a multisig or cast)")
      .addOption(model)
      .addOption(proofOption)
      .setAction(() => import("./tasks/calldata.js"))
      .build(),
    task(["zkml", "check"], "Check that every wire of the model's circuit is pinned (as `zkml check`)")
      .addOption(model)
      .setAction(() => import("./tasks/check.js"))
      .build(),
  ],
};

export default plugin;
