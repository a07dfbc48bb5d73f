pragma circom 2.1.6;

// out = the n bits of in + offset (what circomlib's Num2Bits(n) does to a signal holding
// in + offset), with the offset inside the one linear constraint: no intermediate signal, so
// a circuit compiled with --O1 keeps one linear constraint fewer per decomposition.
// n <= 252: 2^n < r, so when in + offset lies in [0, 2^n) the bits are unique (no alias), and
// when it does not, no assignment of booleans satisfies the sum.
template OffsetBits(n, offset) {
    assert(n >= 1 && n <= 252);
    signal input in;
    signal output out[n];

    var v = in + offset;
    var lc = 0;
    var e = 1;
    for (var i = 0; i < n; i++) {
        out[i] <-- (v >> i) & 1;
        out[i] * (out[i] - 1) === 0;
        lc += out[i] * e;
        e = e + e;
    }
    lc === in + offset;
}
