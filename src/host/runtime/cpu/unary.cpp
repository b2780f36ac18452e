// Unary ops on the CPU, one loop per op so that each is vectorized on its own (a switch
// inside the loop kept every op scalar). float32 exp, sigmoid, tanh and log run vector_exp,
// vector_tanh and vector_log over 8-float lanes (float_lanes.h says why 8); float64 uses the shared
// kernels' libm.
#include <type_traits>

#include "host/runtime/cpu/cpu_ops.h"
#include "host/runtime/cpu/float_lanes.h"
#include "host/runtime/cpu/isa.h"
#include "host/runtime/cpu/thread_pool.h"
#include "host/runtime/cpu/vector_exp.h"
#include "host/runtime/cpu/vector_log.h"
#include "host/runtime/cpu/vector_tanh.h"
#include "host/runtime/dtype_dispatch.h"

namespace varscope::runtime::cpu {
namespace {

using kernels::UnaryOp;

// The shared kernel's functor, with the op known at compile time.
template <UnaryOp kOp, typename T>
VS_CPU_CLONES void apply_run(const T* x, T* o, std::int64_t n, double alpha) {
  typename kernels::UnaryFnOf<kOp>::type f;
  f.alpha = alpha;
  for (std::int64_t i = 0; i < n; ++i)
    o[i] = f(x[i]);
}

// float32 through lanes; the tail through the scalar form (the same bits).
template <UnaryOp kOp>
VS_CPU_INLINE float lane_op_scalar(float x) {
  if constexpr (kOp == UnaryOp::kExp) return vector_exp(x);
  if constexpr (kOp == UnaryOp::kSigmoid) {
    // e^-|x| never overflows: 1 / (1 + e^-x) for x >= 0, e^x / (1 + e^x) below. A NaN x
    // goes through unnegated, and every step hands it on unchanged.
    const float y = vector_exp(x > 0.0f ? -x : x);
    const float s = 1.0f / (1.0f + y);
    return x < 0.0f ? y * s : s;
  }
  if constexpr (kOp == UnaryOp::kTanh) return vector_tanh(x);
  if constexpr (kOp == UnaryOp::kLog) return vector_log(x);
}

template <UnaryOp kOp>
VS_CPU_CLONES void lanes_run_f32(const float* x, float* o, std::int64_t n) {
  std::int64_t i = 0;
  for (; i + kElementwiseLanes <= n; i += kElementwiseLanes) {
    F32x8 v, r;
    load_lanes(v, x + i);
    if constexpr (kOp == UnaryOp::kExp) vector_exp_lanes(v, r);
    if constexpr (kOp == UnaryOp::kSigmoid) {
      F32x8 zero, y;
      broadcast_lanes(zero, 0.0f);
      exp_nonpositive_lanes(v > zero ? -v : v, y);
      const F32x8 s = 1.0f / (1.0f + y);
      r = v < zero ? y * s : s;
    }
    if constexpr (kOp == UnaryOp::kTanh) vector_tanh_lanes(v, r);
    if constexpr (kOp == UnaryOp::kLog) vector_log_lanes(v, r);
    store_lanes(o + i, r);
  }
  for (; i < n; ++i)
    o[i] = lane_op_scalar<kOp>(x[i]);
}

template <UnaryOp kOp, typename T>
void run_op(const T* x, T* o, std::int64_t count, double alpha) {
  constexpr bool kTranscendental = kOp == UnaryOp::kExp || kOp == UnaryOp::kSigmoid ||
                                   kOp == UnaryOp::kTanh || kOp == UnaryOp::kLog;
  constexpr bool kLibm = kOp == UnaryOp::kElu || kOp == UnaryOp::kSoftplus;
  // Transcendentals are compute-bound: a thread pays off sooner than for a copy.
  const std::int64_t min_per_thread = kTranscendental || kLibm ? 4096 : kMinElementsPerThread;
  parallel_for(count, min_per_thread, [&](std::int64_t b, std::int64_t e) {
    if constexpr (std::is_same_v<T, float> && kTranscendental) {
      lanes_run_f32<kOp>(x + b, o + b, e - b);
    } else {
      apply_run<kOp>(x + b, o + b, e - b, alpha);
    }
  });
}

// One case per op of VS_UNARY_OPS, each instantiated for the element types the list names.
template <UnaryOp kOp, typename... Ts>
void run_listed(kernels::TypeList<Ts...> types, const kernels::UnaryArgs& a) {
  dispatch(types, a.dtype, "unary ops", [&](auto* tag) {
    using T = std::remove_pointer_t<decltype(tag)>;
    run_op<kOp>(static_cast<const T*>(a.x), static_cast<T*>(a.out), a.count, a.alpha);
  });
}

}  // namespace

void unary(const kernels::UnaryArgs& a) {
  switch (a.op) {
#define VS_UNARY_CASE(op, Name, types) \
  case UnaryOp::op:                    \
    return run_listed<UnaryOp::op>(kernels::types, a);
    VS_UNARY_OPS(VS_UNARY_CASE)
#undef VS_UNARY_CASE
  }
  throw InternalError("unknown unary op");
}

}  // namespace varscope::runtime::cpu
