// The plan's shared B layouts (shared_b_layouts.cpp): float32 products of few rows that read
// the same W run, on the CPU, on a copy of W made once per run: Wᵀ for x · Wᵀ, W with padded
// rows for x · W where W's rows are a multiple of 1 KiB long (cpu/gemm_layout.h). The graph is
// unchanged; the values are the products' as they are (small integers: exact sums in
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
using plan_test::x_times_w;
using plan_test::x_times_w_transposed;

// The slots of op(W) the plan's products use (-1 for a product that copies nothing).
std::vector<int> shared_slots(const d::Plan& plan) {
  std::vector<int> out;
  for (const d::Step& s : plan.steps) {
    if (s.kind == d::OpKind::kMatMul) out.push_back(s.shared_b);
  }
  return out;
}

// `count` products x_i · W (untransposed) of 3 rows, W [24, columns].
Products build_untransposed_products(vs::Graph& g, int count, std::int64_t columns) {
  Products p;
  p.w = g.variable(integers(vs::Shape{24, columns}, 1), {.name = "w"});
  for (int i = 0; i < count; ++i) {
    p.xs.push_back(vs::placeholder(g, vs::DType::kFloat32, vs::Shape{3, 24}));
    p.feeds.emplace_back(p.xs.back(), integers(vs::Shape{3, 24}, i + 2));
    p.products.push_back(vs::matmul(p.xs.back(), p.w.value()));
  }
  return p;
}

TEST(PlannerSharedBLayouts, ProductsSharingAWeightReadOneTransposeWithTheSameValues) {
  vs::Graph g;
  const Products p = build_products(g, 5, 3);
  const std::vector<int> slots = shared_slots(plan_of(g, p.products, p.feeds));
  ASSERT_EQ(slots.size(), 5u);
  EXPECT_GE(slots[0], 0);
  EXPECT_TRUE(std::all_of(slots.begin(), slots.end(), [&](int s) { return s == slots[0]; }));
  // Alone, a product copies nothing.
  EXPECT_EQ(shared_slots(plan_of(g, {p.products[2]}, p.feeds)), std::vector<int>{-1});

  vs::Session sess(g, {.device = vs::DeviceKind::kCpu});
  sess.run(g.global_variables_initializer());
  const std::vector<vs::HostTensor> all = sess.run(p.products, p.feeds);
  const vs::HostTensor w = sess.run(p.w.value());
  for (std::size_t i = 0; i < all.size(); ++i) {
    EXPECT_EQ(values(all[i]), x_times_w_transposed(p.feeds[i].second, w)) << "product " << i;
    EXPECT_EQ(values(all[i]), values(sess.run(p.products[i], p.feeds))) << "product " << i;
  }
}

TEST(PlannerSharedBLayouts, NotForFewProductsManyRowsOrAcrossAVariableWrite) {
  {
    vs::Graph g;
    const Products p = build_products(g, 3, 3);
    EXPECT_EQ(shared_slots(plan_of(g, p.products, p.feeds)), std::vector<int>(3, -1));
  }
  {
    vs::Graph g;
    const Products p = build_products(g, 5, 65);
    EXPECT_EQ(shared_slots(plan_of(g, p.products, p.feeds)), std::vector<int>(5, -1));
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
  EXPECT_EQ(shared_slots(plan), std::vector<int>(5, -1));
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

// W [24, 512]: rows of 2 KiB, which the CPU GEMM reads at half speed; W [24, 500] is read as
// it is. Wᵀ of a W [512, 24] has rows of 2 KiB too, and is padded.
TEST(PlannerSharedBLayouts, UntransposedProductsShareAPaddedWWhereItsRowsAreAMultipleOf1KiB) {
  for (const std::int64_t columns : {512, 500}) {
    vs::Graph g;
    const Products p = build_untransposed_products(g, 5, columns);
    const std::vector<int> slots = shared_slots(plan_of(g, p.products, p.feeds));
    ASSERT_EQ(slots.size(), 5u);
    if (columns == 512) {
      EXPECT_GE(slots[0], 0);
      EXPECT_TRUE(std::all_of(slots.begin(), slots.end(), [&](int s) { return s == slots[0]; }));
    } else {
      EXPECT_EQ(slots, std::vector<int>(5, -1));
    }
    vs::Session sess(g, {.device = vs::DeviceKind::kCpu});
    sess.run(g.global_variables_initializer());
    const std::vector<vs::HostTensor> all = sess.run(p.products, p.feeds);
    const vs::HostTensor w = sess.run(p.w.value());
    for (std::size_t i = 0; i < all.size(); ++i) {
      EXPECT_EQ(values(all[i]), x_times_w(p.feeds[i].second, w)) << columns << " product " << i;
    }
  }
  vs::Graph g;
  Products p;
  p.w = g.variable(integers(vs::Shape{512, 24}, 1), {.name = "w"});
  for (int i = 0; i < 4; ++i) {
    p.xs.push_back(vs::placeholder(g, vs::DType::kFloat32, vs::Shape{2, 24}));
    p.feeds.emplace_back(p.xs.back(), integers(vs::Shape{2, 24}, i + 2));
    p.products.push_back(vs::matmul(p.xs.back(), p.w.value(), {.transpose_b = true}));
  }
  EXPECT_GE(shared_slots(plan_of(g, p.products, p.feeds))[0], 0);
  vs::Session sess(g, {.device = vs::DeviceKind::kCpu});
  sess.run(g.global_variables_initializer());
  const std::vector<vs::HostTensor> all = sess.run(p.products, p.feeds);
  const vs::HostTensor w = sess.run(p.w.value());
  for (std::size_t i = 0; i < all.size(); ++i)
    EXPECT_EQ(values(all[i]), x_times_w_transposed(p.feeds[i].second, w)) << "product " << i;
}

class PlannerSharedBLayoutsGpu : public vs::testing::GpuTest {};

TEST_F(PlannerSharedBLayoutsGpu, TheGpuMultipliesByWAsTheCpuDoes) {
  for (const bool transposed : {true, false}) {
    vs::Graph g;
    const Products p =
        transposed ? build_products(g, 5, 3) : build_untransposed_products(g, 5, 512);
    vs::Session cpu(g, {.device = vs::DeviceKind::kCpu});
    vs::Session gpu(g, {.device = vs::DeviceKind::kCuda});
    cpu.run(g.global_variables_initializer());
    gpu.run(g.global_variables_initializer());
    const std::vector<vs::HostTensor> c = cpu.run(p.products, p.feeds),
                                      u = gpu.run(p.products, p.feeds);
    for (std::size_t i = 0; i < c.size(); ++i)
      EXPECT_EQ(values(c[i]), values(u[i])) << "transposed " << transposed << " product " << i;
  }
}

}  // namespace
