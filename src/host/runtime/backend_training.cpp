// The training methods' defaults: a backend that lacks them says so.
#include "host/runtime/backend.h"

namespace varscope::runtime {

void Backend::activation_grad(
    kernels::ActivationGrad, DType, const void*, const void*, void*, std::int64_t) {
  throw UnimplementedError("activation gradients on " + description());
}

void Backend::softmax_xent(
    DType, DType, bool, const void*, const void*, void*, void*, std::int64_t, std::int64_t) {
  throw UnimplementedError("softmax cross-entropy on " + description());
}

void Backend::apply_update(kernels::UpdateRule,
                           DType,
                           const kernels::UpdateScalars&,
                           void*,
                           void*,
                           void*,
                           const void*,
                           std::int64_t) {
  throw UnimplementedError("optimizer updates on " + description());
}

}  // namespace varscope::runtime
