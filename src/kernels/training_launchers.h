// Host-callable launchers of the training kernels (training_launchers.cu), taking their
// operation's arguments (kernels/op_args.h); each returns the launch's cudaError_t as an
// int, as launchers.h does.
#pragma once

#include "kernels/op_args.h"

namespace varscope::kernels {

int launch_activation_grad(const ActivationGradArgs& args, void* stream);
int launch_softmax_xent(const SoftmaxXentArgs& args, void* stream);
int launch_apply_update(const ApplyUpdateArgs& args, void* stream);

}  // namespace varscope::kernels
