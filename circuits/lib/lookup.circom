pragma circom 2.1.6;

// out = T[in + 128] for int8 in: an exact table of any elementwise function (sigmoid, tanh,
// leaky ReLU, ...), computed by the compiler. The index in + 128 is split into two one-hot
// nibbles, hi and lo; then out = Σ_h hi[h] · (Σ_l T[16h + l] · lo[l]), where each inner sum is
// linear (T is constant), so the cost is 32 booleans + 2 sums + 1 recomposition + 16 products
// = 51 constraints, against 258 for a one-hot over all 256 entries. An `in` outside int8 has
// no valid decomposition, so the lookup range-checks its input too.
template LookupInt8(T) {
    signal input in;
    signal output out;
    signal hi[16];
    signal lo[16];

    var u = in + 128;
    var hiSum = 0;
    var loSum = 0;
    var index = 0;
    for (var i = 0; i < 16; i++) {
        hi[i] <-- (u \ 16) == i ? 1 : 0;
        lo[i] <-- (u % 16) == i ? 1 : 0;
        hi[i] * (hi[i] - 1) === 0;
        lo[i] * (lo[i] - 1) === 0;
        hiSum += hi[i];
        loSum += lo[i];
        index += 16 * i * hi[i] + i * lo[i];
    }
    hiSum === 1;
    loSum === 1;
    index === in + 128;

    signal part[16];
    var total = 0;
    for (var h = 0; h < 16; h++) {
        var row = 0;
        for (var l = 0; l < 16; l++) row += T[16 * h + l] * lo[l];
        part[h] <== hi[h] * row;
        total += part[h];
    }
    out <== total;
}
