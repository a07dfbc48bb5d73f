import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { say, taskModels } from "./models.js";

export default async function compile(args: { model: string; force: boolean }, hre: HardhatRuntimeEnvironment): Promise<void> {
  const { compileModel } = await import("../../src/index.js");
  for (const name of taskModels(hre, args.model)) {
    const m = hre.zkml.model(name);
    const r = await compileModel(m.onnx, { outDir: m.dir, weights: m.weights, ...(m.calibration && { calibrationFile: m.calibration }), progress: say });
    console.log(`zkml: ${name}: ${r.info.constraints} constraints → ${m.dir}${r.fidelity ? `; argmax agreement with the float model ${(100 * r.fidelity.argmaxAgreement).toFixed(1)}%` : ""}`);
    if (r.fidelitySkipped) say(`zkml: ${name}: fidelity report skipped: ${r.fidelitySkipped}`);
  }
}
