pragma circom 2.1.6;

include "circomlib/circuits/bitify.circom";

// out = max(in, 0) for int8 in (the caller guarantees in is in [-128, 127]): bit 7 of
// in + 128 is the sign (1 when in >= 0), pinned by the decomposition.
template ReluInt8() {
    signal input in;
    signal output out;

    component bits = Num2Bits(8);
    bits.in <== in + 128;
    out <== bits.out[7] * in;
}
