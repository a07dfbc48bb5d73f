pragma circom 2.1.6;

// out = max(a, b) for int8 a, b (the caller guarantees both are in [-128, 127]).
// a - b + 255 lies in [0, 510]: nine bits, and bit 8 is set exactly when a > b. The bits pin
// the comparison, so no hint is trusted; a forged out breaks the last equation.
template MaxInt8() {
    signal input a;
    signal input b;
    signal output out;

    signal diff[9];
    var v = a - b + 255;
    var lc = 0;
    for (var i = 0; i < 9; i++) {
        diff[i] <-- (v >> i) & 1;
        diff[i] * (diff[i] - 1) === 0;
        lc += diff[i] * (1 << i);
    }
    lc === a - b + 255;
    signal aWins <== diff[8];
    out <== b + aWins * (a - b);
}
