pragma circom 2.1.6;

include "offset_bits.circom";
include "circomlib/circuits/comparators.circom";

// out = |in| for int8 in, saturated to 127 (|-128| has no int8): 11 constraints against 48 for
// a lookup table. The 8-bit decomposition of in + 128 range-checks in and gives its sign (bit 7
// is 1 when in >= 0), so (2·bit7 - 1)·in is pinned; in = -128 is the one value whose in + 128 is
// zero, which an IsZero finds.
template AbsInt8() {
    signal input in;
    signal output out;

    component bits = OffsetBits(8, 128);
    bits.in <== in;
    signal magnitude <== (2 * bits.out[7] - 1) * in;
    component lowest = IsZero();
    lowest.in <== in + 128;
    out <== magnitude - lowest.out;
}
