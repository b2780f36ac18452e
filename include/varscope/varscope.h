// varscope: a CUDA tensor runtime with TensorFlow-1 scoped variables.
#pragma once

#include "varscope/device.h"
#include "varscope/device_tensor_view.h"
#include "varscope/dtype.h"
#include "varscope/errors.h"
#include "varscope/graph.h"
#include "varscope/host_tensor.h"
#include "varscope/initializers.h"
#include "varscope/ops.h"
#include "varscope/saver.h"
#include "varscope/scope.h"
#include "varscope/session.h"
#include "varscope/shape.h"
#include "varscope/tensor.h"
#include "varscope/tensor_files.h"
#include "varscope/variable.h"
#include "varscope/version.h"
