// The plan's shared transposes (shared_transposes.cpp): float32 products x · Wᵀ of few rows
// that read the same W run, on the CPU, as x · (Wᵀ) with Wᵀ made once per run. The graph is
// unchanged; the values are the untransposed products' (small integers: exact sums in
// float32), and a variable written between the products keeps them as they are.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <vector>

#include "gpu_test.h"
#include "host/runtime/plan.h"
#include "plan_test_util.h"
#include "varscope/varscope.h"

namespace vs = varscope;
namespace d = varscope::detail;

namespace {

using plan_test::build_products;
using plan_test::integers;
using plan_test::plan_of;
using plan_test::Products;
using plan_test::values;
using plan_test::x_times_w_transposed;

// The slots of Wᵀ the plan's products use (-1 for a product that transposes nothing).
std::vector<int> transposed_slots(const d::Plan& plan) {
  std::vector<int> out;
  for (const d::Step& s : plan.steps) {
    if (s.kind == d::OpKind::kMatMul) out.push_back(s.transposed_b);
  }
  return out;
}

TEST(PlannerSharedTransposes, ProductsSharingAWeightReadOneTransposeWithTheSameValues) {
  vs::Graph g;
  const Products p = build_products(g, 5, 3);
  const std::vector<int> slots = transposed_slots(plan_of(g, p.products, p.feeds));
  ASSERT_EQ(slots.size(), 5u);
  EXPECT_GE(slots[0], 0);
  EXPECT_TRUE(std::all_of(slots.begin(), slots.end(), [&](int s) { return s == slots[0]; }));
  // Alone, a product transposes nothing.
  EXPECT_EQ(transposed_slots(plan_of(g, {p.products[2]}, p.feeds)), std::vector<int>{-1});

  vs::Session sess(g, {.device = vs::DeviceKind::kCpu});
  sess.run(g.global_variables_initializer());
  const std::vector<vs::HostTensor> all = sess.run(p.products, p.feeds);
  const vs::HostTensor w = sess.run(p.w.value());
  for (std::size_t i = 0; i < all.size(); ++i) {
    EXPECT_EQ(values(all[i]), x_times_w_transposed(p.feeds[i].second, w)) << "product " << i;
    EXPECT_EQ(values(all[i]), values(sess.run(p.products[i], p.feeds))) << "product " << i;
  }
}

TEST(PlannerSharedTransposes, NotForFewProductsManyRowsOrAcrossAVariableWrite) {
  {
    vs::Graph g;
    const Products p = build_products(g, 3, 3);
    EXPECT_EQ(transposed_slots(plan_of(g, p.products, p.feeds)), std::vector<int>(3, -1));
  }
  {
    vs::Graph g;
    const Products p = build_products(g, 5, 65);
    EXPECT_EQ(transposed_slots(plan_of(g, p.products, p.feeds)), std::vector<int>(5, -1));
  }
  // The last product waits for an Assign to W: it must read the new W, the others the old.
  vs::Graph g;
  Products p = build_products(g, 4, 3);
  const vs::HostTensor new_w = integers(vs::Shape{40, 24}, 9);
  const vs::Tensor assign = vs::assign(p.w, new_w);
  vs::Tensor x;
  {
    const auto deps = g.control_dependencies(std::vector<vs::Operation>{assign.op()});
    x = vs::identity(p.xs[0]);
  }
  const vs::Tensor last = vs::matmul(x, p.w.value(), {.transpose_b = true});
  // Walked last to first: `last` (and the Assign) after the four others.
  const vs::Tensor sum =
      vs::add_n({last, p.products[0], p.products[1], p.products[2], p.products[3]});
  const d::Plan plan = plan_of(g, {sum}, p.feeds);
  EXPECT_EQ(transposed_slots(plan), std::vector<int>(5, -1));
  vs::Session sess(g, {.device = vs::DeviceKind::kCpu});
  sess.run(g.global_variables_initializer());
  const vs::HostTensor old_w = sess.run(p.w.value());
  const std::vector<float> got = values(sess.run(sum, p.feeds));
  std::vector<float> want = x_times_w_transposed(p.feeds[0].second, new_w);
  for (int i = 0; i < 4; ++i) {
    const std::vector<float> term =
        x_times_w_transposed(p.feeds[static_cast<std::size_t>(i)].second, old_w);
    for (std::size_t j = 0; j < want.size(); ++j)
      want[j] += term[j];
  }
  EXPECT_EQ(got, want);
}

class PlannerSharedTransposesGpu : public vs::testing::GpuTest {};

TEST_F(PlannerSharedTransposesGpu, TheGpuMultipliesByWAsTheCpuDoes) {
  vs::Graph g;
  const Products p = build_products(g, 5, 3);
  vs::Session cpu(g, {.device = vs::DeviceKind::kCpu});
  vs::Session gpu(g, {.device = vs::DeviceKind::kCuda});
  cpu.run(g.global_variables_initializer());
  gpu.run(g.global_variables_initializer());
  const std::vector<vs::HostTensor> c = cpu.run(p.products, p.feeds),
                                    u = gpu.run(p.products, p.feeds);
  for (std::size_t i = 0; i < c.size(); ++i)
    EXPECT_EQ(values(c[i]), values(u[i])) << "product " << i;
}

}  // namespace
