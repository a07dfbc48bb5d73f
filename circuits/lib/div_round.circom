pragma circom 2.1.6;

include "circomlib/circuits/bitify.circom";
include "circomlib/circuits/comparators.circom";
include "signed_range.circom";

// Rounded average of n int8 values from their sum: q = floor((2·in + n) / 2n), rounding half
// up. The caller guarantees |in| <= 128·n (a sum of n int8 values). Quotient and remainder are
// hints, pinned by: 2·in + n = 2n·q + r, 0 <= r < 2n (two bit decompositions) and q int8.
// With both in range the equation holds over the integers (|both sides| << p), so q is unique.
// halfEven = 1 sends a tie (r = 0: in / n is exactly k + 1/2) to the even neighbour instead, as
// ONNX's QuantizeLinear rounds an average onnxruntime computed in float (a QDQ AveragePool):
// an odd q becomes q - 1, still int8. Cost: 3 more constraints.
template DivRoundInt8(n, halfEven) {
    assert(n >= 1 && n < (1 << 20));
    signal input in;
    signal output out;
    signal q;
    signal r;

    var m = 2 * n;
    // Shift to non-negative before the integer division of the hint; undo after.
    var t = 2 * in + n + m * 128;
    q <-- t \ m - 128;
    r <-- t % m;
    2 * in + n === m * q + r;

    var rBits = 1;
    while ((1 << rBits) < m) rBits++;
    component rLow = Num2Bits(rBits);
    rLow.in <== r;
    component rHigh = Num2Bits(rBits);     // r <= m - 1
    rHigh.in <== m - 1 - r;
    component qRange = SignedRange(8);
    qRange.in <== q;

    if (halfEven == 1) {
        component tie = IsZero();
        tie.in <== r;
        // q's parity is bit 0 of q + 128.
        signal down <== tie.out * qRange.bits[0];
        out <== q - down;
    } else {
        out <== q;
    }
}
