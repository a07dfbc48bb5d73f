// The consumer-contract pattern end to end on Hardhat's in-process chain: alice proves for
// ClassGate, ClassGate submits for her; mallory cannot use her proof, here or directly, and it
// cannot be replayed. The test process exits by itself: hre.zkml releases snarkjs's threads.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import hre, { network } from "hardhat";
import { IZKML_VERIFIER_ABI } from "zkml/hardhat";

// zkml's bundled input for the tiny MLP (16 values); an array works as well.
const INPUT = "node_modules/zkml/examples/tiny-mlp/input.json";

describe("ClassGate acts on a user's zkml proof", async () => {
  const { ethers } = await network.create();
  // The verifier's errors, decoded from the revert data: the gate's own ABI does not name them.
  const verifierErrors = new ethers.Interface(IZKML_VERIFIER_ABI);
  const revertsWith = (call: Promise<unknown>, error: string) =>
    assert.rejects(call, (e: { data?: string }) => {
      assert.equal(verifierErrors.parseError(e.data ?? "0x")?.name, error);
      return true;
    });
  const [deployer, alice, mallory] = await ethers.getSigners();
  const verifier = await hre.zkml.deployVerifier("tiny", deployer!);
  const gate = await ethers.deployContract("ClassGate", [verifier.address]);
  const gateAddress = await gate.getAddress();

  it("accepts alice's proof submitted by ClassGate for her, once", async () => {
    const proof = await hre.zkml.proveFor("tiny", INPUT, { user: alice!, consumer: gateAddress });
    assert.equal(proof.context.beneficiary, alice!.address);
    const args = await hre.zkml.calldata(proof);

    // mallory sends alice's proof through ClassGate: the context names alice, so it reverts.
    await revertsWith(gate.connect(mallory!).getFunction("claim")(args.proof, args.pubSignals, args.nonce), "WrongContext");
    // alice sends it straight to the verifier: the context names ClassGate as the caller.
    const direct = new ethers.Contract(verifier.address, IZKML_VERIFIER_ABI, alice!);
    await revertsWith(direct.getFunction("verifyInference")(args.proof, args.pubSignals, args.nonce), "WrongContext");

    const receipt = await (await gate.connect(alice!).getFunction("claim")(args.proof, args.pubSignals, args.nonce)).wait();
    const [event] = await hre.zkml.events(receipt);
    assert.equal(event?.beneficiary, alice!.address);
    assert.equal(event?.sender, gateAddress);
    assert.equal(event?.class, proof.output.class);
    assert.equal(await gate.getFunction("classOf")(alice!.address), BigInt(proof.output.class));

    // The same proof again: the nonce is used.
    await revertsWith(gate.connect(alice!).getFunction("claim")(args.proof, args.pubSignals, args.nonce), "NonceAlreadyUsed");
  });

  it("takes the next nonce for alice's second proof", async () => {
    const proof = await hre.zkml.proveFor("tiny", INPUT, { user: alice!, consumer: gateAddress });
    assert.equal(proof.context.nonce, "1");
    const args = await hre.zkml.calldata(proof);
    await (await gate.connect(alice!).getFunction("claim")(args.proof, args.pubSignals, args.nonce)).wait();
    assert.equal(await gate.getFunction("claims")(alice!.address), 2n);
  });
});
