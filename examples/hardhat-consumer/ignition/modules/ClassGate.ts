// Deploys the model's verifier and the ClassGate that uses it, with Hardhat Ignition:
//   npx hardhat zkml setup && npx hardhat ignition deploy ignition/modules/ClassGate.ts --network localhost
// The verifier is a Hardhat artifact like the project's own contracts (the plugin makes the
// model's Solidity a source of the project); its name carries the model's id, so it is read from
// the build's manifest, which `zkml setup` writes.
import { readFileSync } from "node:fs";
import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

const manifest = JSON.parse(readFileSync("zkml/tiny/manifest.json", "utf8"));
const verifierName: string = manifest.stages.setup.info.contract.name;

export default buildModule("ClassGate", (m) => {
  const verifier = m.contract(verifierName);
  const gate = m.contract("ClassGate", [verifier]);
  return { verifier, gate };
});
