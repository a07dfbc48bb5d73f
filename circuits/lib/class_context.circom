pragma circom 2.1.6;

include "circomlib/circuits/bitify.circom";

// One public field element carries both the proven class and the caller's context:
//   out = ctx * 256 + cls,  ctx < 2^244 (range-checked), cls < 256 (by its construction).
// Without the range check on ctx, any class could be paired with a forged ctx' giving the
// same field element; with it, the split is unique and the contract can read both halves.
template ClassContext() {
    signal input cls;
    signal input ctx;
    signal output out;

    component ctxBits = Num2Bits(244);
    ctxBits.in <== ctx;
    out <== ctx * 256 + cls;
}
