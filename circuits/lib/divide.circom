pragma circom 2.1.6;

include "offset_bits.circom";
include "requant.circom";
include "circomlib/circuits/bitify.circom";
include "circomlib/circuits/comparators.circom";

// out = clamp(round(a·2^s / (b·2^u))) for int8 a and b: the quotient of two activations at the
// output's scale (s, u >= 0 carry the scales), rounded half up, saturated to int8. b = 0 gives
// 127 or -128 by a's sign, and 0 for 0/0, as a table saturates ±∞ and takes NaN as 0.
// The bits of b + 128 range-check b and give its sign σ (bit 7); z = [b = 0]. With
// D = σ·b·2^u + z >= 1 and N = σ·a·2^s + z·a·2^8, the division 2N + D = 2D·q + r has r in [0, 2D)
// by two rBits-bit decompositions, and q is bounded by the clamp's decomposition, so every term is
// far below the field and q is the one quotient.
template DivInt8(s, u) {
    signal input a;
    signal input b;
    signal output out;

    component bBits = OffsetBits(8, 128);
    bBits.in <== b;
    signal sigma <== 2 * bBits.out[7] - 1;
    component zero = IsZero();
    zero.in <== b;
    signal sb <== sigma * b;
    signal sa <== sigma * a;
    signal za <== zero.out * a;
    var d = sb * (1 << u) + zero.out;
    var num = sa * (1 << s) + za * 256;

    signal q;
    signal r;
    // Witness: the integers behind the field elements (negatives wrap), shifted to be non-negative.
    var big = 1 << 60;
    q <-- (2 * num + d + 2 * d * big) \ (2 * d) - big;
    r <-- (2 * num + d + 2 * d * big) % (2 * d);
    2 * num + d === 2 * d * q + r;

    var rBits = 10 + u;
    component rLow = Num2Bits(rBits);
    rLow.in <== r;
    component rHigh = Num2Bits(rBits);
    rHigh.in <== 2 * d - 1 - r;

    // |q| <= |num| + 1 < 2^(8 + max(s, 8) + 1): the clamp's decomposition covers it.
    var qBits = 11 + (s > 8 ? s : 8);
    component clamp = RequantInt8(qBits, 0, 0, 0);
    clamp.in <== q;
    out <== clamp.out;
}
