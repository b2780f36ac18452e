// What the planner tests share (plan_test): a run's plan built straight from the graph, inputs
// of small integers (exact products and sums in float32), a tensor's values as a vector.
#pragma once

#include <cstddef>
#include <utility>
#include <vector>

#include "host/runtime/plan.h"
#include "varscope/varscope.h"

namespace plan_test {

namespace vs = varscope;
namespace d = varscope::detail;

inline d::Plan plan_of(const vs::Graph& g,
                       const std::vector<vs::Tensor>& fetches,
                       const vs::FeedDict& feeds,
                       const std::vector<vs::Operation>& targets = {}) {
  std::vector<d::TensorRef> refs;
  for (const vs::Tensor& t : fetches)
    refs.push_back(d::Access::ref(t));
  std::vector<d::TensorRef> fed;
  for (const auto& [t, value] : feeds)
    fed.push_back(d::Access::ref(t));
  std::vector<int> ids;
  for (const vs::Operation& op : targets)
    ids.push_back(op.id());
  return d::build_plan(*d::Access::impl(g), {refs, fed, ids});
}

// Small integers in [-4, 4], different per seed.
inline vs::HostTensor integers(vs::Shape shape, int seed) {
  std::vector<float> v(static_cast<std::size_t>(shape.num_elements()));
  for (std::size_t i = 0; i < v.size(); ++i)
    v[i] =
        static_cast<float>(static_cast<int>((i * 7 + static_cast<std::size_t>(seed) * 13) % 9) - 4);
  return vs::HostTensor(v, std::move(shape));
}

inline std::vector<float> values(const vs::HostTensor& t) {
  const auto v = t.data<float>();
  return {v.begin(), v.end()};
}

}  // namespace plan_test
