// BN254's optimal ate pairing, for checking that a product of pairings is 1 (what a Groth16
// verification asks). The tower is ffjavascript's and the EVM precompile's: Fq2 = Fq[u]/(u²+1),
// Fq6 = Fq2[v]/(v³ − ξ) with ξ = 9 + u, Fq12 = Fq6[w]/(w² − v). G2 points are on the D-type
// twist y² = x³ + 3/ξ. The Miller loop runs over all pairs at once with T in affine coordinates
// (one Fq2 inversion a step, shared by the pairs); the final exponentiation's hard part is three
// powers of x and Frobenius maps, tested equal to the plain power (finalExponentiationByPower).
#pragma once
#include <vector>
#include "curve.h"

namespace zkml {

inline Fq2 mulByXi(const Fq2& a) {
  // (c0 + c1·u)(9 + u) = 9·c0 − c1 + (c0 + 9·c1)·u
  Fq c0x8 = a.c0.dbl().dbl().dbl(), c1x8 = a.c1.dbl().dbl().dbl();
  return Fq2{c0x8 + a.c0 - a.c1, a.c0 + c1x8 + a.c1};
}
inline Fq2 conj(const Fq2& a) { return Fq2{a.c0, a.c1.neg()}; }
inline Fq2 mulFq(const Fq2& a, const Fq& s) { return Fq2{a.c0 * s, a.c1 * s}; }

struct Fq6 {
  Fq2 a0, a1, a2;
  static Fq6 zero() { return Fq6{Fq2::zero(), Fq2::zero(), Fq2::zero()}; }
  static Fq6 one() { return Fq6{Fq2::one(), Fq2::zero(), Fq2::zero()}; }
  bool operator==(const Fq6& o) const { return a0 == o.a0 && a1 == o.a1 && a2 == o.a2; }
  friend Fq6 operator+(const Fq6& a, const Fq6& b) { return Fq6{a.a0 + b.a0, a.a1 + b.a1, a.a2 + b.a2}; }
  friend Fq6 operator-(const Fq6& a, const Fq6& b) { return Fq6{a.a0 - b.a0, a.a1 - b.a1, a.a2 - b.a2}; }
  Fq6 neg() const { return Fq6{a0.neg(), a1.neg(), a2.neg()}; }
  // ·v: (a0 + a1·v + a2·v²)·v = ξ·a2 + a0·v + a1·v²
  Fq6 mulByV() const { return Fq6{mulByXi(a2), a0, a1}; }
  friend Fq6 operator*(const Fq6& a, const Fq6& b) {
    Fq2 t0 = a.a0 * b.a0, t1 = a.a1 * b.a1, t2 = a.a2 * b.a2;
    Fq2 c0 = mulByXi((a.a1 + a.a2) * (b.a1 + b.a2) - t1 - t2) + t0;
    Fq2 c1 = (a.a0 + a.a1) * (b.a0 + b.a1) - t0 - t1 + mulByXi(t2);
    Fq2 c2 = (a.a0 + a.a2) * (b.a0 + b.a2) - t0 - t2 + t1;
    return Fq6{c0, c1, c2};
  }
  Fq6 inverse() const {
    Fq2 A = a0.sq() - mulByXi(a1 * a2);
    Fq2 B = mulByXi(a2.sq()) - a0 * a1;
    Fq2 C = a1.sq() - a0 * a2;
    Fq2 F = (a0 * A + mulByXi(a2 * B + a1 * C)).inverse();
    return Fq6{A * F, B * F, C * F};
  }
};

struct Fq12 {
  Fq6 c0, c1;
  static Fq12 one() { return Fq12{Fq6::one(), Fq6::zero()}; }
  bool operator==(const Fq12& o) const { return c0 == o.c0 && c1 == o.c1; }
  friend Fq12 operator*(const Fq12& a, const Fq12& b) {
    Fq6 t0 = a.c0 * b.c0, t1 = a.c1 * b.c1;
    return Fq12{t0 + t1.mulByV(), (a.c0 + a.c1) * (b.c0 + b.c1) - t0 - t1};
  }
  Fq12 sq() const {
    Fq6 ab = c0 * c1;
    // (c0 + c1·w)² = c0² + c1²·v + 2·c0·c1·w, with c0² + c1²·v = (c0 + c1)(c0 + c1·v) − ab − ab·v
    Fq6 s = (c0 + c1) * (c0 + c1.mulByV()) - ab - ab.mulByV();
    return Fq12{s, ab + ab};
  }
  Fq12 conj() const { return Fq12{c0, c1.neg()}; }
  Fq12 inverse() const {
    Fq6 t = (c0 * c0 - (c1 * c1).mulByV()).inverse();
    return Fq12{c0 * t, (c1 * t).neg()};
  }
  template <size_t N>
  Fq12 pow(const uint64_t (&e)[N]) const {
    Fq12 r = one();
    bool started = false;
    for (size_t i = N; i-- > 0;) {
      for (int b = 63; b >= 0; b--) {
        if (started) r = r.sq();
        if ((e[i] >> b) & 1) {
          r = started ? r * *this : *this;
          started = true;
        }
      }
    }
    return r;
  }
};

inline Fq2 fq2Pow(const Fq2& x, const uint64_t e[4]) {
  Fq2 r = Fq2::one();
  for (int i = 3; i >= 0; i--) {
    for (int b = 63; b >= 0; b--) {
      r = r.sq();
      if ((e[i] >> b) & 1) r = r * x;
    }
  }
  return r;
}

// γ_k = ξ^(k(p−1)/6), k = 0..5: x^p on Fq12 conjugates each Fq2 coefficient of w^k and
// multiplies it by γ_k (w^(kp) = w^k·(w⁶)^(k(p−1)/6), and w⁶ = ξ).
struct Frobenius {
  Fq2 gamma[6];
  Frobenius() {
    static const uint64_t pMinus1Over6[4] = {0x34b017592414d4e1ULL, 0xee9591c2e6bda1c2ULL, 0xf40d60f3c0403964ULL, 0x0810b7bdd032f006ULL};
    Fq nine = Fq::fromNormal(Fq{{9, 0, 0, 0}});
    Fq2 xi{nine, Fq::one()};
    gamma[0] = Fq2::one();
    gamma[1] = fq2Pow(xi, pMinus1Over6);
    for (int k = 2; k < 6; k++) gamma[k] = gamma[k - 1] * gamma[1];
  }
  // f^p. Coefficients by power of w: c0 = (w⁰, w², w⁴), c1 = (w¹, w³, w⁵).
  Fq12 apply(const Fq12& f) const {
    return Fq12{
        Fq6{conj(f.c0.a0), conj(f.c0.a1) * gamma[2], conj(f.c0.a2) * gamma[4]},
        Fq6{conj(f.c1.a0) * gamma[1], conj(f.c1.a1) * gamma[3], conj(f.c1.a2) * gamma[5]},
    };
  }
  // π on the twist: (x, y) ↦ (conj(x)·γ₂, conj(y)·γ₃), the untwisted point's coordinates to the p.
  Affine<Fq2> pi(const Affine<Fq2>& q) const { return Affine<Fq2>{conj(q.x) * gamma[2], conj(q.y) * gamma[3]}; }
};

inline const Frobenius& frobenius() {
  static const Frobenius f;
  return f;
}

// One step of the Miller loop for pairs at once: T_i becomes T_i + S_i (S_i = T_i: doubling),
// and f is multiplied by each line through T_i and S_i (the tangent when doubling) evaluated at
// P_i, untwisted: yP − λ·xP·w + (λ·xT − yT)·w³. The slopes' denominators are inverted together
// (one field inversion a step, Montgomery's trick). T stays affine and never reaches infinity
// before the loop's last step, where T = −S: that vertical line lies in Fq6, which the final
// exponentiation sends to 1, so it is left out and T becomes infinity.
inline void millerStep(Fq12& f, std::vector<Affine<Fq2>>& t, const std::vector<Affine<Fq2>>* s, const std::vector<Affine<Fq>>& p) {
  const size_t n = t.size();
  std::vector<Fq2> den(n, Fq2::one()), scratch(n);
  std::vector<bool> vertical(n, false), tangent(n, s == nullptr);
  for (size_t i = 0; i < n; i++) {
    if (t[i].isInfinity()) {
      vertical[i] = true;
    } else if (!tangent[i] && (*s)[i].x == t[i].x) {
      if ((*s)[i].y == t[i].y) tangent[i] = true;
      else vertical[i] = true;
    }
    if (!vertical[i]) den[i] = tangent[i] ? t[i].y.dbl() : (*s)[i].x - t[i].x;
  }
  batchInvert(den.data(), scratch.data(), n);
  for (size_t i = 0; i < n; i++) {
    if (vertical[i]) {
      t[i] = Affine<Fq2>::infinity();
      continue;
    }
    const Fq2& dInv = den[i];
    const Affine<Fq2>& si = tangent[i] ? t[i] : (*s)[i];
    Fq2 lambda;
    if (tangent[i]) {
      Fq2 x2 = t[i].x.sq();
      lambda = (x2 + x2 + x2) * dInv;
    } else {
      lambda = (si.y - t[i].y) * dInv;
    }
    f = f * Fq12{Fq6{Fq2{p[i].y, Fq::zero()}, Fq2::zero(), Fq2::zero()}, Fq6{mulFq(lambda, p[i].x).neg(), lambda * t[i].x - t[i].y, Fq2::zero()}};
    Fq2 x3 = lambda.sq() - t[i].x - si.x;
    Fq2 y3 = lambda * (t[i].x - x3) - t[i].y;
    t[i] = Affine<Fq2>{x3, y3};
  }
}

// 6x + 2 for BN254's x = 4965661367192848881: the optimal ate loop, its top bit (64) implicit.
constexpr uint64_t kAteLoopLow = 0x9d797039be763ba8ULL;  // bits 0..63; bit 64 is 1
constexpr uint64_t kBnX = 4965661367192848881ULL;

inline Fq12 powX(const Fq12& a) {
  const uint64_t e[1] = {kBnX};
  return a.pow(e);
}

// The hard part of the final exponentiation, f^((p⁴ − p² + 1)/r), by the decomposition of the
// exponent in p with coefficients polynomial in x (Devegili, Scott and Dahab; the chain of
// go-ethereum's bn256): three powers by x and Frobenius maps instead of a 761-bit power.
// `f` is in the cyclotomic subgroup (after the easy part), so its inverse is its conjugate.
inline Fq12 hardPart(const Fq12& t1) {
  const Frobenius& fr = frobenius();
  Fq12 fp = fr.apply(t1);
  Fq12 fp2 = fr.apply(fp);
  Fq12 fp3 = fr.apply(fp2);
  Fq12 fu = powX(t1);
  Fq12 fu2 = powX(fu);
  Fq12 fu3 = powX(fu2);
  Fq12 y3 = fr.apply(fu).conj();
  Fq12 fu2p = fr.apply(fu2);
  Fq12 fu3p = fr.apply(fu3);
  Fq12 y2 = fr.apply(fr.apply(fu2));
  Fq12 y0 = fp * fp2 * fp3;
  Fq12 y1 = t1.conj();
  Fq12 y5 = fu2.conj();
  Fq12 y4 = (fu * fu2p).conj();
  Fq12 y6 = (fu3 * fu3p).conj();
  Fq12 t0 = y6.sq() * y4 * y5;
  Fq12 u1 = y3 * y5 * t0;
  t0 = t0 * y2;
  u1 = (u1.sq() * t0).sq();
  t0 = u1 * y1;
  u1 = u1 * y0;
  return t0.sq() * u1;
}

// f^((p¹² − 1)/r): the easy part (p⁶ − 1)(p² + 1), then the hard part.
inline Fq12 finalExponentiation(const Fq12& f) {
  const Frobenius& fr = frobenius();
  Fq12 f1 = f.conj() * f.inverse();
  Fq12 f2 = fr.apply(fr.apply(f1)) * f1;
  return hardPart(f2);
}

// The same by a plain power of the hard part's exponent: the reference the chain is tested against.
inline Fq12 finalExponentiationByPower(const Fq12& f) {
  static const uint64_t hard[12] = {0xe81bb482ccdf42b1ULL, 0x5abf5cc4f49c36d4ULL, 0xf1154e7e1da014fdULL, 0xdcc7b44c87cdbacfULL,
                                    0xaaa441e3954bcf8aULL, 0x6b887d56d5095f23ULL, 0x79581e16f3fd90c6ULL, 0x3b1b1355d189227dULL,
                                    0x4e529a5861876f6bULL, 0x6c0eb522d5b12278ULL, 0x331ec15183177fafULL, 0x01baaa710b0759adULL};
  const Frobenius& fr = frobenius();
  Fq12 f1 = f.conj() * f.inverse();
  Fq12 f2 = fr.apply(fr.apply(f1)) * f1;
  return f2.pow(hard);
}

// ffjavascript's pairing (whose value snarkjs writes as a key's vk_alphabeta_12) takes the hard
// part of Fuentes-Castañeda et al., which is the reduced pairing raised to m = 2x(6x² + 3x + 1):
// the same verdicts, another value.
inline Fq12 asFfjavascript(const Fq12& reduced) {
  static const uint64_t m[3] = {0x2e5d4e223ddedaf4ULL, 0x1ea96b02d9d9e38dULL, 0x3bec47df15e307c8ULL};
  return reduced.pow(m);
}

// The Miller loop's value for the pairs (points at infinity skipped), before the final exponentiation.
inline Fq12 millerLoop(const std::vector<Affine<Fq>>& ps, const std::vector<Affine<Fq2>>& qs) {
  const Frobenius& fr = frobenius();
  std::vector<Affine<Fq>> p;
  std::vector<Affine<Fq2>> q;
  for (size_t i = 0; i < ps.size(); i++) {
    if (ps[i].isInfinity() || qs[i].isInfinity()) continue;
    p.push_back(ps[i]);
    q.push_back(qs[i]);
  }
  Fq12 f = Fq12::one();
  if (p.empty()) return f;
  std::vector<Affine<Fq2>> t(q);
  for (int b = 63; b >= 0; b--) {
    f = f.sq();
    millerStep(f, t, nullptr, p);
    if ((kAteLoopLow >> b) & 1) millerStep(f, t, &q, p);
  }
  std::vector<Affine<Fq2>> q1(q.size()), q2(q.size());
  for (size_t i = 0; i < q.size(); i++) {
    q1[i] = fr.pi(q[i]);
    q2[i] = fr.pi(q1[i]).neg();
  }
  millerStep(f, t, &q1, p);
  millerStep(f, t, &q2, p);
  return f;
}

// ∏ e(P_i, Q_i) == 1. The points must be on their curves (the caller checks); like snarkjs,
// G2's subgroup is not checked.
inline bool pairingProductIsOne(const std::vector<Affine<Fq>>& ps, const std::vector<Affine<Fq2>>& qs) {
  return finalExponentiation(millerLoop(ps, qs)) == Fq12::one();
}

// On the curve: y² = x³ + 3 (G1), y² = x³ + 3/ξ (the twist). Infinity, (0, 0), counts as on it.
inline bool isOnG1(const Affine<Fq>& a) {
  static const Fq b = Fq::fromNormal(Fq{{3, 0, 0, 0}});
  return a.isInfinity() || a.y.sq() == a.x.sq() * a.x + b;
}
inline bool isOnTwist(const Affine<Fq2>& a) {
  static const Fq2 b = Fq2{Fq::fromNormal(Fq{{3, 0, 0, 0}}), Fq::zero()} * Fq2{Fq::fromNormal(Fq{{9, 0, 0, 0}}), Fq::one()}.inverse();
  return a.isInfinity() || a.y.sq() == a.x.sq() * a.x + b;
}

}  // namespace zkml
