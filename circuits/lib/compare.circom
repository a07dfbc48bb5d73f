pragma circom 2.1.6;

include "circomlib/circuits/bitify.circom";
include "circomlib/circuits/comparators.circom";

// out = [d < 0], [d <= 0], [d > 0], [d >= 0] or [d = 0] (test 0..4) for a signed difference
// |d| < 2^(B-1) of two aligned activations: the bits of d + 2^(B-1) give its sign (bit B-1 is
// d >= 0) and bound it, IsZero finds d = 0. B + 2 constraints with the zero test, B without.
template CompareInt(B, test) {
    assert(B <= 252 && test >= 0 && test <= 4);
    signal input d;
    signal output out;
    component bits = Num2Bits(B);
    bits.in <== d + (1 << (B - 1));
    signal ge <== bits.out[B - 1];
    if (test == 3) {
        out <== ge;
    } else if (test == 0) {
        out <== 1 - ge;
    } else {
        component zero = IsZero();
        zero.in <== d;
        if (test == 1) out <== 1 - ge + zero.out;
        if (test == 2) out <== ge - zero.out;
        if (test == 4) out <== zero.out;
    }
}
