// The math of training: activation gradients, softmax cross-entropy rows and the optimizers'
// update steps, as __host__ __device__ functions both backends run. The updates use only
// +, -, *, / and sqrt (correctly rounded everywhere; no contraction: -fmad=false and
// -ffp-contract=off), so a step gives the same bits on the CPU and the GPU.
#pragma once

#include <cmath>
#include <cstdint>

#include "kernels/hd.h"
#include "kernels/unary.h"

namespace varscope::kernels {

// TF's ReluGrad(gradients, features), SigmoidGrad(y, dy), TanhGrad(y, dy): `a` is the first
// input, `b` the second.
enum class ActivationGrad : int { kRelu, kSigmoid, kTanh };

template <typename T>
VS_HD inline T activation_grad(ActivationGrad op, T a, T b) {
  switch (op) {
    case ActivationGrad::kRelu:
      return b > T(0) ? a : T(0);
    case ActivationGrad::kSigmoid:
      return b * (a * (T(1) - a));
    case ActivationGrad::kTanh:
      return b * (T(1) - a * a);
  }
  return T(0);
}

// One row of SoftmaxCrossEntropyWithLogits: loss = -sum(labels * log_softmax(logits)),
// backprop = softmax(logits) - labels. `label_of` gives row r's label for class c (dense
// labels, or 1 at the sparse class).
template <typename T, typename LabelOf>
VS_HD inline void xent_row(
    const T* logits, LabelOf label_of, T* loss, T* backprop, std::int64_t row, std::int64_t cols) {
  const T* in = logits + row * cols;
  T* bp = backprop + row * cols;
  T m = in[0];
  for (std::int64_t c = 1; c < cols; ++c)
    m = in[c] > m ? in[c] : m;
  T sum = T(0);
  for (std::int64_t c = 0; c < cols; ++c)
    sum += platform_exp(in[c] - m);
  const T log_sum = platform_log(sum);
  T l = T(0);
  for (std::int64_t c = 0; c < cols; ++c) {
    const T shifted = in[c] - m;
    const T label = label_of(row, c);
    l -= label * (shifted - log_sum);
    bp[c] = platform_exp(shifted) / sum - label;
  }
  loss[row] = l;
}

enum class UpdateRule : int { kGradientDescent, kMomentum, kAdam };

// The scalars of one update (the optimizer's hyperparameters, read once per step).
struct UpdateScalars {
  double lr = 0.0;        // GradientDescent's alpha, Momentum's and Adam's lr
  double momentum = 0.0;  // Momentum
  double beta1 = 0.0, beta2 = 0.0, epsilon = 0.0;
  double beta1_power = 0.0, beta2_power = 0.0;  // Adam: beta^t
  bool use_nesterov = false;
};

// TF's training_ops.cc formulas, in T. Element i of var (and the slots) from the gradient's
// element g.
template <typename T>
VS_HD inline void update_element(
    UpdateRule rule, const UpdateScalars& s, T* var, T* slot1, T* slot2, T g, std::int64_t i) {
  switch (rule) {
    case UpdateRule::kGradientDescent:
      var[i] -= static_cast<T>(s.lr) * g;
      return;
    case UpdateRule::kMomentum: {
      // accum = accum * momentum + grad; var -= lr * accum (or the Nesterov form).
      const T lr = static_cast<T>(s.lr), mom = static_cast<T>(s.momentum);
      const T accum = slot1[i] * mom + g;
      slot1[i] = accum;
      var[i] -= s.use_nesterov ? g * lr + accum * mom * lr : accum * lr;
      return;
    }
    case UpdateRule::kAdam: {
      const T beta1 = static_cast<T>(s.beta1), beta2 = static_cast<T>(s.beta2);
      const T b1p = static_cast<T>(s.beta1_power), b2p = static_cast<T>(s.beta2_power);
      const T alpha = static_cast<T>(s.lr) * platform_sqrt(T(1) - b2p) / (T(1) - b1p);
      const T m = slot1[i] + (g - slot1[i]) * (T(1) - beta1);
      const T v = slot2[i] + (g * g - slot2[i]) * (T(1) - beta2);
      slot1[i] = m;
      slot2[i] = v;
      const T step = s.use_nesterov ? (m * beta1 + (T(1) - beta1) * g) : m;
      var[i] -= (step * alpha) / (platform_sqrt(v) + static_cast<T>(s.epsilon));
      return;
    }
  }
}

// The dense Apply* ops: element i of var from element i of grad.
template <typename T>
VS_HD inline void apply_update(UpdateRule rule,
                               const UpdateScalars& s,
                               T* var,
                               T* slot1,
                               T* slot2,
                               const T* grad,
                               std::int64_t i) {
  update_element(rule, s, var, slot1, slot2, grad[i], i);
}

// The SparseApply* ops: grad holds rows of `inner` elements, row r for var's row indices[r]
// (checked in range by the executor); element i of grad updates that row's element.
template <typename T>
VS_HD inline void sparse_apply_update(UpdateRule rule,
                                      const UpdateScalars& s,
                                      T* var,
                                      T* slot1,
                                      T* slot2,
                                      const T* grad,
                                      const void* indices,
                                      bool indices_int64,
                                      std::int64_t inner,
                                      std::int64_t i) {
  const std::int64_t r = i / inner;
  const std::int64_t row = indices_int64 ? static_cast<const std::int64_t*>(indices)[r]
                                         : static_cast<const std::int32_t*>(indices)[r];
  update_element(rule, s, var, slot1, slot2, grad[i], row * inner + (i - r * inner));
}

}  // namespace varscope::kernels
