pragma circom 2.1.6;

include "offset_bits.circom";

// Constrains `in` to the signed range [-2^(n-1), 2^(n-1)) by decomposing in + 2^(n-1) into n
// bits. n <= 252 keeps 2^n below the field modulus, so the decomposition is unique (no alias).
template SignedRange(n) {
    assert(n >= 1 && n <= 252);
    signal input in;
    signal output bits[n];

    component b = OffsetBits(n, 1 << (n - 1));
    b.in <== in;
    bits <== b.out;
}
