pragma circom 2.1.6;

include "circomlib/circuits/bitify.circom";

// r = floor(sqrt(w)) for 0 <= w < 2^wBits: r in [0, 2^rBits) by its bits (rBits = ceil(wBits/2) + 1),
// and r² <= w < (r + 1)² by two wBits-bit decompositions of w - r² and r² + 2r - w, all far below
// the field, so r is the one integer square root: wBits·2 + rBits + 1 constraints.
template ISqrt(wBits, rBits) {
    signal input w;
    signal output r;
    r <-- sqrtFloor(w);
    component rRange = Num2Bits(rBits);
    rRange.in <== r;
    signal sq <== r * r;
    component below = Num2Bits(wBits);
    below.in <== w - sq;
    component above = Num2Bits(wBits);
    above.in <== sq + 2 * r - w;
}

// Integer floor square root by bisection (witness only; ISqrt pins the answer).
function sqrtFloor(w) {
    var lo = 0;
    var hi = 1;
    while (hi * hi <= w) hi = hi * 2;
    while (hi - lo > 1) {
        var mid = (lo + hi) \ 2;
        if (mid * mid <= w) { lo = mid; } else { hi = mid; }
    }
    return lo;
}

// q = floor((2·num + d) / 2d), num/d rounded half up, for a signed num and a divisor d >= 1
// (d < 2^(dBits-1)): 2·num + d = 2d·q + rem with rem in [0, 2d) by two dBits-bit decompositions.
// The caller range-checks q (a clamp that decomposes it), so the equation holds over the
// integers and q is the one quotient: 2 dBits + 1 constraints.
template NormDiv(dBits) {
    signal input num;
    signal input d;
    signal output q;
    signal rem;
    // The hint works on non-negative numbers: shift num by a multiple of d, undo after.
    var shift = d * (1 << 200);
    q <-- (2 * num + d + 2 * shift) \ (2 * d) - (1 << 200);
    rem <-- (2 * num + d + 2 * shift) % (2 * d);
    2 * num + d === 2 * d * q + rem;
    component low = Num2Bits(dBits);
    low.in <== rem;
    component high = Num2Bits(dBits);
    high.in <== 2 * d - 1 - rem;
}
