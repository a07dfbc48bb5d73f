// BN254's G1 (over Fq) and G2 (over Fq2): y² = x³ + b, a = 0. Jacobian points (X/Z², Y/Z³),
// the point at infinity is Z = 0; affine points in memory are (x, y) with (0, 0) for infinity,
// as snarkjs's zkeys and ffjavascript store them.
#pragma once
#include <vector>
#include "field.h"

namespace zkml {

template <class F>
struct Affine {
  F x, y;
  bool isInfinity() const { return x.isZero() && y.isZero(); }
  Affine neg() const { return Affine{x, y.neg()}; }
  static Affine infinity() { return Affine{F::zero(), F::zero()}; }
};

template <class F>
struct Jacobian {
  F x, y, z;

  static Jacobian infinity() { return Jacobian{F::zero(), F::one(), F::zero()}; }
  static Jacobian fromAffine(const Affine<F>& a) { return a.isInfinity() ? infinity() : Jacobian{a.x, a.y, F::one()}; }
  bool isInfinity() const { return z.isZero(); }

  // dbl-2009-l
  Jacobian dbl() const {
    if (isInfinity()) return *this;
    F A = x.sq(), B = y.sq(), C = B.sq();
    F D = ((x + B).sq() - A - C).dbl();
    F E = A.dbl() + A;
    F Fv = E.sq();
    F X3 = Fv - D.dbl();
    F C8 = C.dbl().dbl().dbl();
    F Y3 = E * (D - X3) - C8;
    F Z3 = (y * z).dbl();
    return Jacobian{X3, Y3, Z3};
  }

  // madd-2007-bl: this + an affine point.
  Jacobian addMixed(const Affine<F>& q) const {
    if (q.isInfinity()) return *this;
    if (isInfinity()) return Jacobian{q.x, q.y, F::one()};
    F Z1Z1 = z.sq();
    F U2 = q.x * Z1Z1;
    F S2 = q.y * z * Z1Z1;
    F H = U2 - x;
    F r = (S2 - y).dbl();
    if (H.isZero()) {
      if (r.isZero()) return dbl();
      return infinity();
    }
    F HH = H.sq();
    F I = HH.dbl().dbl();
    F J = H * I;
    F V = x * I;
    F X3 = r.sq() - J - V.dbl();
    F Y3 = r * (V - X3) - (y * J).dbl();
    F Z3 = (z + H).sq() - Z1Z1 - HH;
    return Jacobian{X3, Y3, Z3};
  }

  // add-2007-bl
  Jacobian add(const Jacobian& q) const {
    if (isInfinity()) return q;
    if (q.isInfinity()) return *this;
    F Z1Z1 = z.sq(), Z2Z2 = q.z.sq();
    F U1 = x * Z2Z2, U2 = q.x * Z1Z1;
    F S1 = y * q.z * Z2Z2, S2 = q.y * z * Z1Z1;
    F H = U2 - U1;
    F r = (S2 - S1).dbl();
    if (H.isZero()) {
      if (r.isZero()) return dbl();
      return infinity();
    }
    F I = H.dbl().sq();
    F J = H * I;
    F V = U1 * I;
    F X3 = r.sq() - J - V.dbl();
    F Y3 = r * (V - X3) - (S1 * J).dbl();
    F Z3 = ((z + q.z).sq() - Z1Z1 - Z2Z2) * H;
    return Jacobian{X3, Y3, Z3};
  }

  Jacobian neg() const { return Jacobian{x, y.neg(), z}; }
};

// The denominator of a + b's slope: x_b − x_a, or 2·y for a doubling; 1 where the sum needs no
// division (a term at infinity, or b = −a).
template <class F>
F slopeDenominator(const Affine<F>& a, const Affine<F>& b) {
  if (a.isInfinity() || b.isInfinity()) return F::one();
  if (a.x != b.x) return b.x - a.x;
  return a.y == b.y ? a.y.dbl() : F::one();
}

// a + b, affine, given the inverse of slopeDenominator(a, b): many sums share one inversion.
template <class F>
Affine<F> affineSum(const Affine<F>& a, const Affine<F>& b, const F& inv) {
  if (a.isInfinity()) return b;
  if (b.isInfinity()) return a;
  F lambda;
  if (a.x != b.x) {
    lambda = (b.y - a.y) * inv;
  } else if (a.y == b.y) {
    const F xx = a.x.sq();
    lambda = (xx.dbl() + xx) * inv;
  } else {
    return Affine<F>::infinity();
  }
  const F x3 = lambda.sq() - a.x - b.x;
  return Affine<F>{x3, lambda * (a.x - x3) - a.y};
}

// Jacobian points to affine with one inversion for the lot (Montgomery's trick).
template <class F>
void batchToAffine(const Jacobian<F>* in, Affine<F>* out, size_t n) {
  std::vector<F> zInv(n), scratch(n);
  for (size_t i = 0; i < n; i++) zInv[i] = in[i].isInfinity() ? F::one() : in[i].z;
  batchInvert(zInv.data(), scratch.data(), n);
  for (size_t i = 0; i < n; i++) {
    if (in[i].isInfinity()) {
      out[i] = Affine<F>::infinity();
      continue;
    }
    const F zi2 = zInv[i].sq();
    out[i] = Affine<F>{in[i].x * zi2, in[i].y * zi2 * zInv[i]};
  }
}

}  // namespace zkml
