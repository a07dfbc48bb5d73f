pragma circom 2.1.6;

include "circomlib/circuits/poseidon.circom";

// state_0 = m; state_{c+1} = Poseidon(state_c, next <= 15 elements); out = last state.
// Mirrors chainHash() in core/commitment.ts.
template ChainHash(m) {
    var rate = 15;
    var nChunks = (m + rate - 1) \ rate;
    signal input in[m];
    signal output out;

    component h[nChunks];
    for (var c = 0; c < nChunks; c++) {
        var size = m - c * rate < rate ? m - c * rate : rate;
        h[c] = Poseidon(size + 1);
        if (c == 0) {
            h[c].inputs[0] <== m;
        } else {
            h[c].inputs[0] <== h[c - 1].out;
        }
        for (var j = 0; j < size; j++) {
            h[c].inputs[j + 1] <== in[c * rate + j];
        }
    }
    out <== h[nChunks - 1].out;
}
