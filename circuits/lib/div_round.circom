pragma circom 2.1.6;

include "circomlib/circuits/bitify.circom";
include "signed_range.circom";

// Rounded average of n int8 values from their sum: out = floor((2·in + n) / 2n), rounding half
// up. The caller guarantees |in| <= 128·n (a sum of n int8 values). Quotient and remainder are
// hints, pinned by: 2·in + n = 2n·out + r, 0 <= r < 2n (two bit decompositions) and out int8.
// With both in range the equation holds over the integers (|both sides| << p), so out is unique.
template DivRoundInt8(n) {
    assert(n >= 1 && n < (1 << 20));
    signal input in;
    signal output out;
    signal r;

    var m = 2 * n;
    // Shift to non-negative before the integer division of the hint; undo after.
    var t = 2 * in + n + m * 128;
    out <-- t \ m - 128;
    r <-- t % m;
    2 * in + n === m * out + r;

    var rBits = 1;
    while ((1 << rBits) < m) rBits++;
    component rLow = Num2Bits(rBits);
    rLow.in <== r;
    component rHigh = Num2Bits(rBits);     // r <= m - 1
    rHigh.in <== m - 1 - r;
    component outRange = SignedRange(8);
    outRange.in <== out;
}
