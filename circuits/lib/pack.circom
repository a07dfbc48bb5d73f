pragma circom 2.1.6;

// Packs n signed values of `bits` bits each into ceil(n / floor(248 / bits)) field elements,
// little-endian, each value offset by 2^(bits-1). Linear, so it costs no constraints after
// optimisation. The caller must have range-checked every value to `bits` signed bits: only
// then is the packing injective. Mirrors packSigned() in core/field.ts.
template PackSigned(n, bits) {
    var per = 248 \ bits;
    var m = (n + per - 1) \ per;
    signal input in[n];
    signal output out[m];

    for (var e = 0; e < m; e++) {
        var acc = 0;
        for (var j = 0; j < per; j++) {
            if (e * per + j < n) {
                acc += (in[e * per + j] + (1 << (bits - 1))) * (1 << (bits * j));
            }
        }
        out[e] <== acc;
    }
}
