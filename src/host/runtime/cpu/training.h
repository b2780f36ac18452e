// The CPU backend's training math (kernels/training.h in loops); CpuBackend forwards to these.
#pragma once

#include <cstdint>

#include "host/runtime/backend.h"

namespace varscope::runtime::cpu_training {

void activation_grad(kernels::ActivationGrad op,
                     DType dtype,
                     const void* a,
                     const void* b,
                     void* out,
                     std::int64_t count);
void softmax_xent(DType dtype,
                  DType label_dtype,
                  bool sparse,
                  const void* logits,
                  const void* labels,
                  void* loss,
                  void* backprop,
                  std::int64_t rows,
                  std::int64_t cols);
void apply_update(kernels::UpdateRule rule,
                  DType dtype,
                  const kernels::UpdateScalars& scalars,
                  void* var,
                  void* slot1,
                  void* slot2,
                  const void* grad,
                  std::int64_t count);

}  // namespace varscope::runtime::cpu_training
