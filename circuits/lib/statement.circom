pragma circom 2.1.6;

include "circomlib/circuits/bitify.circom";
include "circomlib/circuits/sha256/sha256.circom";

// One value of a hashed side as the bits of nBytes big-endian bytes of in + 2^(bits-1), most
// significant first (the order sha256 reads). Num2Bits pins every bit and range-checks the
// value to `bits` signed bits. Mirrors encodeValues() in core/statement.ts.
template OffsetBytesBE(bits, nBytes) {
    signal input in;
    signal output out[nBytes * 8];

    component n2b = Num2Bits(bits);
    n2b.in <== in + (1 << (bits - 1));
    for (var i = 0; i < nBytes * 8; i++) {
        var k = nBytes * 8 - 1 - i;
        if (k < bits) {
            out[i] <== n2b.out[k];
        } else {
            out[i] <== 0;
        }
    }
}

// A field element as 32 big-endian bytes of bits. Num2Bits_strict checks the 254 bits against
// the field order, so no alias of `in` has another encoding.
template FieldBytesBE() {
    signal input in;
    signal output out[256];

    component n2b = Num2Bits_strict();
    n2b.in <== in;
    out[0] <== 0;
    out[1] <== 0;
    for (var i = 0; i < 254; i++) {
        out[2 + i] <== n2b.out[253 - i];
    }
}

// sha256 over nBits message bits (already bits: every caller wires Num2Bits outputs or
// constants, which Sha256 does not check itself), kept to its top 253 bits: below the field
// order, so the number needs no reduction.
template StatementDigest(nBits) {
    signal input in[nBits];
    signal output out;

    component sha = Sha256(nBits);
    sha.in <== in;
    var acc = 0;
    for (var i = 0; i < 253; i++) {
        acc += sha.out[i] * (1 << (252 - i));
    }
    out <== acc;
}
