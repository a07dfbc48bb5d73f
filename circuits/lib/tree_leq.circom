pragma circom 2.1.6;

include "circomlib/circuits/bitify.circom";

// out = 1 when in <= threshold, else 0, for int8 in and an integer threshold in [-128, 126]
// (a decision tree's comparison; the compiler removes those that are constant over int8). The
// difference threshold - in + 256 lies in [1, 510] for every int8 in, so its 9-bit
// decomposition exists, is unique (2^9 is far below the field), and its bit 8 is the answer:
// 9 constraints. An `in` outside int8 may find no decomposition, never a wrong one.
template TreeLeq() {
    signal input in;
    signal input threshold;
    signal output out;

    component bits = Num2Bits(9);
    bits.in <== threshold - in + 256;
    out <== bits.out[8];
}
