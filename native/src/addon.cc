// zkml's native BN254 backend, a Node-API addon (C API only: no dependency beyond Node's
// headers). Every function takes and returns byte arrays in ffjavascript's layouts: field
// elements little-endian, coordinates in Montgomery form, affine points (0, 0) for infinity,
// Jacobian results (x, y, z) with z = 0 for infinity; scalars 32 bytes little-endian, normal form.
#include <node_api.h>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>
#include "curve.h"
#include "msm.h"
#include "ntt.h"
#include "pairing.h"
#include "qap.h"

using namespace zkml;

namespace {

struct Bytes {
  uint8_t* data = nullptr;
  size_t len = 0;
};

bool fail(napi_env env, const char* message) {
  napi_throw_type_error(env, nullptr, message);
  return false;
}

bool getBytes(napi_env env, napi_value v, Bytes& out, const char* name) {
  bool is = false;
  napi_is_typedarray(env, v, &is);
  if (!is) return fail(env, name);
  napi_typedarray_type type;
  size_t length;
  void* data;
  napi_value ab;
  size_t offset;
  if (napi_get_typedarray_info(env, v, &type, &length, &data, &ab, &offset) != napi_ok || type != napi_uint8_array) return fail(env, name);
  out.data = (uint8_t*)data;
  out.len = length;
  return true;
}

bool getU32(napi_env env, napi_value v, uint32_t& out, const char* name) {
  if (napi_get_value_uint32(env, v, &out) != napi_ok) return fail(env, name);
  return true;
}

napi_value newBytes(napi_env env, size_t len, uint8_t** data) {
  napi_value ab, arr;
  void* p;
  napi_create_arraybuffer(env, len, &p, &ab);
  napi_create_typedarray(env, napi_uint8_array, len, ab, 0, &arr);
  *data = (uint8_t*)p;
  return arr;
}

// Copies into aligned storage: a Uint8Array may start at any byte.
template <class T>
std::vector<T> aligned(const Bytes& b, size_t count) {
  std::vector<T> v(count);
  std::memcpy((void*)v.data(), b.data, count * sizeof(T));
  return v;
}

// Read-only input in place where its bytes are aligned (a key's point sections are: each is
// its own ArrayBuffer), a copy where not: a 2^20 key's bases are ~250 MB per proof.
template <class T>
const T* readable(const Bytes& b, size_t count, std::vector<T>& copy) {
  if (reinterpret_cast<uintptr_t>(b.data) % alignof(T) == 0) return reinterpret_cast<const T*>(b.data);
  copy = aligned<T>(b, count);
  return copy.data();
}

template <class F>
napi_value msmOf(napi_env env, const Bytes& bases, const Bytes& scalars, unsigned threads) {
  const size_t pointBytes = sizeof(Affine<F>);
  size_t n = scalars.len / 32;
  if (scalars.len % 32 != 0 || bases.len < n * pointBytes) {
    fail(env, "msm: the bases and scalars do not match (32-byte scalars, one affine base each)");
    return nullptr;
  }
  std::vector<Affine<F>> copy;
  const Affine<F>* b = readable<Affine<F>>(bases, n, copy);
  Jacobian<F> r = n == 0 ? Jacobian<F>::infinity() : msm<F>(b, scalars.data, n, threads);
  uint8_t* out;
  napi_value result = newBytes(env, sizeof(Jacobian<F>), &out);
  if (r.isInfinity()) r = Jacobian<F>::infinity();
  std::memcpy(out, &r, sizeof(Jacobian<F>));
  return result;
}

// The arguments of a group operation: (group: 1 | 2, points, scalars, threads?).
bool groupArgs(napi_env env, napi_callback_info info, const char* what, uint32_t& group, Bytes& points, Bytes& scalars, uint32_t& threads) {
  size_t argc = 4;
  napi_value argv[4];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  threads = 0;
  if (argc < 3 || !getU32(env, argv[0], group, what) || !getBytes(env, argv[1], points, what) || !getBytes(env, argv[2], scalars, what)) return false;
  if (argc > 3 && !getU32(env, argv[3], threads, what)) return false;
  if (group == 1 || group == 2) return true;
  return fail(env, what);
}

// msm(group: 1 | 2, bases, scalars, threads?) → Jacobian point
napi_value Msm(napi_env env, napi_callback_info info) {
  uint32_t group, threads;
  Bytes bases, scalars;
  if (!groupArgs(env, info, "msm(group 1 or 2, bases: Uint8Array, scalars: Uint8Array, threads?)", group, bases, scalars, threads)) return nullptr;
  return group == 1 ? msmOf<Fq>(env, bases, scalars, threads) : msmOf<Fq2>(env, bases, scalars, threads);
}

template <class F>
napi_value fixedBaseOf(napi_env env, const Bytes& g, const Bytes& scalars, unsigned threads) {
  size_t n = scalars.len / 32;
  if (scalars.len % 32 != 0 || g.len != sizeof(Affine<F>)) {
    fail(env, "fixedBaseMul: a generator (affine) and 32-byte scalars expected");
    return nullptr;
  }
  Affine<F> gen;
  std::memcpy((void*)&gen, g.data, sizeof gen);
  std::vector<Affine<F>> points(n);
  fixedBaseMul<F>(gen, scalars.data, n, points.data(), threads);
  uint8_t* out;
  napi_value result = newBytes(env, n * sizeof(Affine<F>), &out);
  std::memcpy(out, points.data(), n * sizeof(Affine<F>));
  return result;
}

// fixedBaseMul(group, generator (affine), scalars, threads?) → affine points
napi_value FixedBaseMul(napi_env env, napi_callback_info info) {
  uint32_t group, threads;
  Bytes g, scalars;
  if (!groupArgs(env, info, "fixedBaseMul(group 1 or 2, generator: Uint8Array, scalars: Uint8Array, threads?)", group, g, scalars, threads)) return nullptr;
  return group == 1 ? fixedBaseOf<Fq>(env, g, scalars, threads) : fixedBaseOf<Fq2>(env, g, scalars, threads);
}

bool isPowerOfTwo(size_t n) { return n && !(n & (n - 1)); }

// ntt(values (Montgomery), omega (normal form), inverse: boolean) → values
napi_value Ntt(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  Bytes values, omega;
  bool inverse = false;
  if (argc < 3 || !getBytes(env, argv[0], values, "ntt: values must be a Uint8Array") || !getBytes(env, argv[1], omega, "ntt: omega must be a Uint8Array"))
    return nullptr;
  napi_get_value_bool(env, argv[2], &inverse);
  size_t n = values.len / 32;
  if (values.len % 32 != 0 || !isPowerOfTwo(n) || omega.len != 32) {
    fail(env, "ntt: a power of two of 32-byte values and a 32-byte omega expected");
    return nullptr;
  }
  std::vector<Fr> a = aligned<Fr>(values, n);
  Fr w = Fr::fromNormal(Fr::load(omega.data));
  if (inverse) intt(a.data(), n, w);
  else ntt(a.data(), n, w);
  uint8_t* out;
  napi_value result = newBytes(env, n * 32, &out);
  std::memcpy(out, a.data(), n * 32);
  return result;
}

// groth16Quotient(coefficients (zkey section 4), witness (normal form), domainSize, omega, inc) → H's scalars
napi_value Groth16Quotient(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  Bytes coefs, witness, omega, inc;
  uint32_t d;
  if (argc < 5 || !getBytes(env, argv[0], coefs, "groth16Quotient: coefficients must be a Uint8Array") ||
      !getBytes(env, argv[1], witness, "groth16Quotient: witness must be a Uint8Array") || !getU32(env, argv[2], d, "groth16Quotient: domainSize") ||
      !getBytes(env, argv[3], omega, "groth16Quotient: omega must be a Uint8Array") || !getBytes(env, argv[4], inc, "groth16Quotient: inc must be a Uint8Array"))
    return nullptr;
  if (!isPowerOfTwo(d) || witness.len % 32 != 0 || omega.len != 32 || inc.len != 32) {
    fail(env, "groth16Quotient: a power-of-two domain, 32-byte witness values, omega and inc expected");
    return nullptr;
  }
  uint8_t* out;
  napi_value result = newBytes(env, (size_t)d * 32, &out);
  Fr w = Fr::fromNormal(Fr::load(omega.data)), k = Fr::fromNormal(Fr::load(inc.data));
  if (!groth16Quotient(coefs.data, coefs.len, witness.data, witness.len / 32, d, w, k, out)) {
    fail(env, "groth16Quotient: the coefficient section is malformed or out of range");
    return nullptr;
  }
  return result;
}

template <class T>
void putAll(uint8_t*& at, const std::vector<T>& xs) {
  for (const T& x : xs) {
    x.store(at);
    at += 32;
  }
}

// groth16KeyScalars(constraints (r1cs section 2), nConstraints, nWires, nPublic, power, omega,
// omega2, secrets (τ, α, β, δ)) → α, β, δ, then u, v per wire, IC, C (÷ δ), H (÷ δ): normal form.
napi_value Groth16KeyScalars(napi_env env, napi_callback_info info) {
  size_t argc = 8;
  napi_value argv[8];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  Bytes r1cs, omega, omega2, secrets;
  uint32_t nConstraints, nWires, nPublic, power;
  if (argc < 8 || !getBytes(env, argv[0], r1cs, "groth16KeyScalars: constraints must be a Uint8Array") ||
      !getU32(env, argv[1], nConstraints, "groth16KeyScalars: nConstraints") || !getU32(env, argv[2], nWires, "groth16KeyScalars: nWires") ||
      !getU32(env, argv[3], nPublic, "groth16KeyScalars: nPublic") || !getU32(env, argv[4], power, "groth16KeyScalars: power") ||
      !getBytes(env, argv[5], omega, "groth16KeyScalars: omega") || !getBytes(env, argv[6], omega2, "groth16KeyScalars: omega2") ||
      !getBytes(env, argv[7], secrets, "groth16KeyScalars: secrets"))
    return nullptr;
  if (power > 27 || omega.len != 32 || omega2.len != 32 || secrets.len != 128) {
    fail(env, "groth16KeyScalars: power ≤ 27, 32-byte roots and four 32-byte secrets expected");
    return nullptr;
  }
  KeyScalars k;
  const char* why = groth16KeyScalars(r1cs.data, r1cs.len, nConstraints, nWires, nPublic, power, Fr::fromNormal(Fr::load(omega.data)),
                                      Fr::fromNormal(Fr::load(omega2.data)), secrets.data, k);
  if (*why) {
    fail(env, why);
    return nullptr;
  }
  size_t total = 3 + k.u.size() + k.v.size() + k.ic.size() + k.c.size() + k.h.size();
  uint8_t* out;
  napi_value result = newBytes(env, total * 32, &out);
  uint8_t* at = out;
  for (const Fr* x : {&k.alpha, &k.beta, &k.delta}) {
    x->store(at);
    at += 32;
  }
  for (auto* xs : {&k.u, &k.v, &k.ic, &k.c, &k.h}) {
    putAll(at, *xs);
    wipe(xs->data(), xs->size() * sizeof(Fr));
  }
  wipe(&k.alpha, 3 * sizeof(Fr));
  return result;
}

// groth16CoefficientSection(constraints, nConstraints, nWires, nPublic) → the zkey's section 4
napi_value Groth16CoefficientSection(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  Bytes r1cs;
  uint32_t nConstraints, nWires, nPublic;
  if (argc < 4 || !getBytes(env, argv[0], r1cs, "groth16CoefficientSection: constraints must be a Uint8Array") ||
      !getU32(env, argv[1], nConstraints, "groth16CoefficientSection: nConstraints") || !getU32(env, argv[2], nWires, "groth16CoefficientSection: nWires") ||
      !getU32(env, argv[3], nPublic, "groth16CoefficientSection: nPublic"))
    return nullptr;
  if (nPublic + 1 > nWires) {
    fail(env, "groth16CoefficientSection: more public inputs than wires");
    return nullptr;
  }
  std::vector<uint8_t> section = groth16CoefficientSection(r1cs.data, r1cs.len, nConstraints, nWires, nPublic);
  if (section.empty()) {
    fail(env, "the r1cs constraints section is malformed");
    return nullptr;
  }
  uint8_t* out;
  napi_value result = newBytes(env, section.size(), &out);
  std::memcpy(out, section.data(), section.size());
  return result;
}

// The pairs argument: n × (G1 affine, G2 affine); whether every point is on its curve; the
// call's second argument in `second` (null when absent), where asked for.
bool pairsArg(napi_env env, napi_callback_info info, const char* what, std::vector<Affine<Fq>>& ps, std::vector<Affine<Fq2>>& qs, bool& onCurves, napi_value* second) {
  size_t argc = 2;
  napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  Bytes pairs;
  const size_t pairBytes = sizeof(Affine<Fq>) + sizeof(Affine<Fq2>);
  if (argc < 1 || !getBytes(env, argv[0], pairs, what)) return false;
  if (pairs.len % pairBytes != 0) return fail(env, what);
  if (second) *second = argc > 1 ? argv[1] : nullptr;
  size_t n = pairs.len / pairBytes;
  ps.resize(n);
  qs.resize(n);
  onCurves = true;
  for (size_t i = 0; i < n; i++) {
    std::memcpy((void*)&ps[i], pairs.data + i * pairBytes, sizeof(Affine<Fq>));
    std::memcpy((void*)&qs[i], pairs.data + i * pairBytes + sizeof(Affine<Fq>), sizeof(Affine<Fq2>));
    onCurves = onCurves && isOnG1(ps[i]) && isOnTwist(qs[i]);
  }
  return true;
}

// pairingCheck(pairs: n × (G1 affine, G2 affine), 192 bytes each) → whether the product of the
// pairings is 1; false when a point is off its curve.
napi_value PairingCheck(napi_env env, napi_callback_info info) {
  std::vector<Affine<Fq>> ps;
  std::vector<Affine<Fq2>> qs;
  bool onCurves;
  if (!pairsArg(env, info, "pairingCheck(pairs: Uint8Array of 192-byte (G1, G2) affine pairs)", ps, qs, onCurves, nullptr)) return nullptr;
  napi_value v;
  napi_get_boolean(env, onCurves && pairingProductIsOne(ps, qs), &v);
  return v;
}

// pairing(pairs, form?) → the product of the pairings, an Fq12 (384 bytes, Montgomery, the
// tower's coefficients in order). form "reduced" (the default): the final exponentiation by its
// chain; "byPower": by the plain power (the chain's reference in tests); "ffjavascript": the
// value ffjavascript's pairing gives (a verification key's e(α, β)).
napi_value Pairing(napi_env env, napi_callback_info info) {
  std::vector<Affine<Fq>> ps;
  std::vector<Affine<Fq2>> qs;
  bool onCurves;
  napi_value formArg;
  const char* usage = "pairing(pairs: Uint8Array of 192-byte (G1, G2) affine pairs, form?: \"reduced\" | \"byPower\" | \"ffjavascript\")";
  if (!pairsArg(env, info, usage, ps, qs, onCurves, &formArg)) return nullptr;
  if (!onCurves) {
    fail(env, "pairing: a point is not on its curve");
    return nullptr;
  }
  char form[16] = "reduced";
  if (formArg) {
    napi_valuetype t;
    napi_typeof(env, formArg, &t);
    size_t len = 0;
    if (t != napi_undefined && (t != napi_string || napi_get_value_string_utf8(env, formArg, form, sizeof form, &len) != napi_ok)) {
      fail(env, usage);
      return nullptr;
    }
  }
  const std::string f(form);
  if (f != "reduced" && f != "byPower" && f != "ffjavascript") {
    fail(env, usage);
    return nullptr;
  }
  Fq12 miller = millerLoop(ps, qs);
  Fq12 r = f == "byPower" ? finalExponentiationByPower(miller) : finalExponentiation(miller);
  if (f == "ffjavascript") r = asFfjavascript(r);
  uint8_t* out;
  napi_value result = newBytes(env, sizeof(Fq12), &out);
  std::memcpy(out, &r, sizeof(Fq12));
  return result;
}

napi_value Threads(napi_env env, napi_callback_info) {
  napi_value v;
  napi_create_uint32(env, threadCount(0), &v);
  return v;
}

napi_value Init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"msm", nullptr, Msm, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"fixedBaseMul", nullptr, FixedBaseMul, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"ntt", nullptr, Ntt, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"groth16Quotient", nullptr, Groth16Quotient, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"groth16KeyScalars", nullptr, Groth16KeyScalars, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"groth16CoefficientSection", nullptr, Groth16CoefficientSection, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"pairingCheck", nullptr, PairingCheck, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"pairing", nullptr, Pairing, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"threads", nullptr, Threads, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return exports;
}

}  // namespace

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
