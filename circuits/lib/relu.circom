pragma circom 2.1.6;

include "offset_bits.circom";

// out = max(in, 0) for int8 in (the caller guarantees in is in [-128, 127]): bit 7 of
// in + 128 is the sign (1 when in >= 0), pinned by the decomposition.
template ReluInt8() {
    signal input in;
    signal output out;

    component bits = OffsetBits(8, 128);
    bits.in <== in;
    out <== bits.out[7] * in;
}
