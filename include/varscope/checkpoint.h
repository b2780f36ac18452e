// Kept so that code written against the first API still compiles: the Saver and the tensor
// file functions now have a header each.
#pragma once

#include "varscope/saver.h"
#include "varscope/tensor_files.h"
