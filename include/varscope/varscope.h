// varscope: a CUDA tensor runtime with TensorFlow-1 scoped variables.
#pragma once

#include "varscope/device.h"
#include "varscope/dtype.h"
#include "varscope/errors.h"
#include "varscope/shape.h"
