pragma circom 2.1.6;

include "circomlib/circuits/bitify.circom";

// idx = the first index of the maximum of in[0..n), for signed inputs with |in[i]| < 2^(B-1).
// The index comes in as a hint; the constraints pin it: a one-hot selector picks in[idx], which
// must be >= every element after idx and > every element before it (first maximum wins ties).
template ArgMax(n, B) {
    assert(B + 1 <= 252);
    signal input in[n];
    signal output idx;

    var best = 0;
    for (var i = 1; i < n; i++) {
        if (in[i] > in[best]) best = i;
    }
    signal sel[n];
    var selSum = 0;
    var index = 0;
    for (var i = 0; i < n; i++) {
        sel[i] <-- i == best ? 1 : 0;
        sel[i] * (sel[i] - 1) === 0;
        selSum += sel[i];
        index += i * sel[i];
    }
    selSum === 1;
    idx <== index;

    signal picked[n];
    var maxValue = 0;
    for (var i = 0; i < n; i++) {
        picked[i] <== sel[i] * in[i];
        maxValue += picked[i];
    }

    // selectedAfter[j] = 1 when idx > j, which demands a strict inequality at j.
    component gap[n];
    var selectedAfter = selSum;
    for (var j = 0; j < n; j++) {
        selectedAfter -= sel[j];
        gap[j] = Num2Bits(B + 1);
        gap[j].in <== maxValue - in[j] - selectedAfter;
    }
}
