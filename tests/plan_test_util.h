// What the planner tests share (plan_test): a run's plan built straight from the graph, inputs
// of small integers (exact products and sums in float32), a tensor's values as a vector, and
// products x_i · Wᵀ with their values computed on the host.
#pragma once

#include <cstddef>
#include <cstdint>
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

// x_i · Wᵀ for `count` inputs of `rows` rows; W is [40, 24].
struct Products {
  vs::Variable w;
  std::vector<vs::Tensor> xs, products;
  vs::FeedDict feeds;
};

inline Products build_products(vs::Graph& g, int count, std::int64_t rows) {
  Products p;
  p.w = g.variable(integers(vs::Shape{40, 24}, 1), {.name = "w"});
  for (int i = 0; i < count; ++i) {
    p.xs.push_back(vs::placeholder(g, vs::DType::kFloat32, vs::Shape{rows, 24}));
    p.feeds.emplace_back(p.xs.back(), integers(vs::Shape{rows, 24}, i + 2));
    p.products.push_back(vs::matmul(p.xs.back(), p.w.value(), {.transpose_b = true}));
  }
  return p;
}

// x · W, or x · Wᵀ, on the host, row-major (small integers: exact in float32 in any order).
inline std::vector<float> x_times_w(const vs::HostTensor& x,
                                    const vs::HostTensor& w,
                                    bool transpose_w = false) {
  const int k_dim = transpose_w ? 1 : 0;
  const std::int64_t rows = x.shape().dim(0), k = w.shape().dim(k_dim),
                     n = w.shape().dim(1 - k_dim);
  std::vector<float> out(static_cast<std::size_t>(rows * n), 0.0f);
  for (std::int64_t i = 0; i < rows; ++i) {
    for (std::int64_t j = 0; j < n; ++j) {
      for (std::int64_t l = 0; l < k; ++l)
        out[static_cast<std::size_t>(i * n + j)] +=
            x.data<float>()[static_cast<std::size_t>(i * k + l)] *
            w.data<float>()[static_cast<std::size_t>(transpose_w ? j * k + l : l * n + j)];
    }
  }
  return out;
}

inline std::vector<float> x_times_w_transposed(const vs::HostTensor& x, const vs::HostTensor& w) {
  return x_times_w(x, w, /*transpose_w=*/true);
}

}  // namespace plan_test
