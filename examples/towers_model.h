// Towers as TF1 trained on several GPUs (TF's cifar10_multi_gpu_train): one set of variables
// on /cpu:0, one tower per device (`with g.device(d)`, name scope "tower_<i>") sharing them
// through variable_scope reuse, each tower's gradients of its share of the batch, the
// gradients averaged on /cpu:0 and applied once by Adam.
#pragma once

#include <varscope/varscope.h>

#include <string>
#include <vector>

namespace examples {

struct Towers {
  varscope::Tensor x;     // [batch, 8], split evenly among the towers
  varscope::Tensor y;     // [batch, 1]
  varscope::Tensor loss;  // the towers' losses averaged
  varscope::Operation train;
  std::vector<varscope::Variable> variables;  // dense1 kernel, bias, dense2 kernel, bias
};

// One tower per entry of `devices` ("/cpu:0", "/cpu:1", ...; one device may be named twice).
Towers build_towers(varscope::Graph& g, const std::vector<std::string>& devices);

}  // namespace examples
