pragma circom 2.1.6;

include "circomlib/circuits/bitify.circom";

// out = max(a, b) for int8 a, b (the caller guarantees both are in [-128, 127]).
// a - b + 255 lies in [0, 510]: nine bits, and bit 8 is set exactly when a > b. The bits pin
// the comparison, so no hint is trusted; a forged out breaks the last equation.
template MaxInt8() {
    signal input a;
    signal input b;
    signal output out;

    component diff = Num2Bits(9);
    diff.in <== a - b + 255;
    signal aWins <== diff.out[8];
    out <== b + aWins * (a - b);
}
