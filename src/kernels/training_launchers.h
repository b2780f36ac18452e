// Host-callable launchers of the training kernels (training_launchers.cu); each returns the
// launch's cudaError_t as an int, as launchers.h does.
#pragma once

#include <cstdint>

#include "kernels/training.h"
#include "varscope/dtype.h"

namespace varscope::kernels {

int launch_activation_grad(ActivationGrad op,
                           DType dtype,
                           const void* a,
                           const void* b,
                           void* out,
                           std::int64_t count,
                           void* stream);
int launch_softmax_xent(DType dtype,
                        DType label_dtype,
                        bool sparse,
                        const void* logits,
                        const void* labels,
                        void* loss,
                        void* backprop,
                        std::int64_t rows,
                        std::int64_t cols,
                        void* stream);
int launch_apply_update(UpdateRule rule,
                        DType dtype,
                        const UpdateScalars& scalars,
                        void* var,
                        void* slot1,
                        void* slot2,
                        const void* grad,
                        std::int64_t count,
                        void* stream);

}  // namespace varscope::kernels
