// Sessions: device choice, run forms, feeds, uninitialized reads, and variables living in
// one allocation that every handle shares. Runs on both backends (see backend_test.h).
#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <string>

#include "backend_test.h"
#include "test_util.h"
#include "varscope/varscope.h"

namespace vs = varscope;

namespace {

using varscope::testing::error_of;

using varscope::testing::values;

using varscope::testing::ScopedEnv;

}  // namespace

// ---- device choice ----

TEST(SessionDevice, ForcedCpuRunsOnTheCpuBackend) {
  vs::Graph g;
  vs::Session sess(g, {.device = vs::DeviceKind::kCpu});
  EXPECT_EQ(sess.device(), vs::DeviceKind::kCpu);
  EXPECT_NE(sess.device_description().find("CPU"), std::string::npos);
}

TEST(SessionDevice, AutoPicksCudaOnlyWhenUsable) {
  ScopedEnv env("VARSCOPE_DEVICE", "");
  vs::Graph g;
  vs::Session sess(g);
  EXPECT_EQ(sess.device(), vs::cuda_available() ? vs::DeviceKind::kCuda : vs::DeviceKind::kCpu);
}

TEST(SessionDevice, EnvironmentOverridesAuto) {
  ScopedEnv env("VARSCOPE_DEVICE", "cpu");
  vs::Graph g;
  vs::Session sess(g);
  EXPECT_EQ(sess.device(), vs::DeviceKind::kCpu);
}

TEST(SessionDevice, BadEnvironmentValueIsInvalidArgument) {
  ScopedEnv env("VARSCOPE_DEVICE", "tpu");
  vs::Graph g;
  EXPECT_EQ(error_of<vs::InvalidArgumentError>([&] { vs::Session sess(g); }),
            "VARSCOPE_DEVICE must be 'cpu' or 'cuda', got 'tpu'");
}

TEST(SessionDevice, ForcingCudaWithoutDeviceIsUnavailableAndNamesTheCudaError) {
  if (vs::cuda_available()) GTEST_SKIP() << "a CUDA device is present";
  vs::Graph g;
  const std::string message = error_of<vs::UnavailableError>(
      [&] { vs::Session sess(g, {.device = vs::DeviceKind::kCuda}); });
  EXPECT_TRUE(message.starts_with("CUDA was requested but is not usable: ")) << message;
  // The same reason as cuda_unavailable_reason(), not cudart's text alone.
  EXPECT_NE(message.find("no usable CUDA device"), std::string::npos) << message;
}

TEST(SessionDevice, EnvironmentCanForceCudaToo) {
  if (vs::cuda_available()) GTEST_SKIP() << "a CUDA device is present";
  ScopedEnv env("VARSCOPE_DEVICE", "cuda");
  vs::Graph g;
  EXPECT_THROW(vs::Session sess(g), vs::UnavailableError);
}

// ---- running ----

class SessionRun : public vs::testing::BackendTest {};

TEST_P(SessionRun, SeedExampleTwoRunsEndToEnd) {
  vs::Graph g;
  g.set_random_seed(7);
  vs::Variable a1, a2;
  {
    auto s = g.variable_scope("V1");
    a1 = g.get_variable("a1", {.shape = vs::Shape{1}, .initializer = vs::constant_initializer(1)});
    a2 = g.variable(vs::random_normal(g, {2, 3}, {.mean = 0, .stddev = 1}), {.name = "a2"});
  }
  vs::Session sess(g, options());
  sess.run(g.global_variables_initializer());
  EXPECT_EQ(a1.name(), "V1/a1:0");
  EXPECT_EQ(a2.name(), "V1/a2:0");
  EXPECT_EQ(values(sess.run(a1)), std::vector<float>{1.0f});
  const vs::HostTensor v2 = sess.run(a2);
  EXPECT_EQ(v2.shape(), (vs::Shape{2, 3}));
  EXPECT_EQ(v2.dtype(), vs::DType::kFloat32);
  // Not all equal: real random values.
  auto d = v2.data<float>();
  EXPECT_NE(d[0], d[1]);
}

TEST_P(SessionRun, FetchesSeveralTensorsAndComputesElementwise) {
  vs::Graph g;
  vs::Tensor a = vs::constant(g, vs::HostTensor(std::vector<float>{1, 2, 3, 4}, vs::Shape{2, 2}));
  vs::Tensor b = vs::constant(g, vs::HostTensor(std::vector<float>{10, 20}, vs::Shape{2}));
  vs::Tensor sum = a + b;
  vs::Tensor prod = a * 2.0f;
  vs::Session sess(g, options());
  auto out = sess.run({sum, prod});
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(values(out[0]), (std::vector<float>{11, 22, 13, 24}));
  EXPECT_EQ(values(out[1]), (std::vector<float>{2, 4, 6, 8}));
}

TEST_P(SessionRun, FeedsPlaceholders) {
  vs::Graph g;
  vs::Tensor x = vs::placeholder(g, vs::DType::kFloat32, vs::Shape{vs::kUnknownDim, 2}, "x");
  vs::Tensor y = x * 3.0f;
  vs::Session sess(g, options());
  vs::HostTensor fed(std::vector<float>{1, 2, 3, 4, 5, 6}, vs::Shape{3, 2});
  EXPECT_EQ(values(sess.run(y, {{x, fed}})), (std::vector<float>{3, 6, 9, 12, 15, 18}));
}

TEST_P(SessionRun, MissingFeedNamesThePlaceholder) {
  vs::Graph g;
  vs::Tensor x = vs::placeholder(g, vs::DType::kFloat32, vs::Shape{vs::kUnknownDim, 2}, "x");
  vs::Session sess(g, options());
  EXPECT_EQ(error_of<vs::InvalidArgumentError>([&] { sess.run(x + 1.0f); }),
            "You must feed a value for placeholder tensor 'x' with dtype float32 and shape [?,2]");
}

// TF's subgraph rewriting: a fed placeholder's outgoing control edges leave from the feed.
TEST_P(SessionRun, AFedPlaceholderSatisfiesTheControlEdgesLeavingIt) {
  vs::Graph g;
  vs::Tensor p = vs::placeholder(g, vs::DType::kFloat32, vs::Shape{2}, "p");
  vs::Operation grouped = vs::group({p.op()});
  vs::Session sess(g, options());
  EXPECT_NO_THROW(sess.run({}, {{p, vs::HostTensor(std::vector<float>{1, 2})}}, {grouped}));
  // Unfed, the placeholder itself runs, and fails as in TF.
  EXPECT_EQ(error_of<vs::InvalidArgumentError>([&] { sess.run({}, {}, {grouped}); }),
            "You must feed a value for placeholder tensor 'p' with dtype float32 and shape [2]");
}

// The classic TF1 pattern for accumulated or host-allreduced gradients.
TEST_P(SessionRun, GradientsFedThroughPlaceholdersApply) {
  vs::Graph g;
  vs::Variable v =
      g.get_variable("v", {.shape = vs::Shape{2}, .initializer = vs::zeros_initializer()});
  vs::Tensor grad = vs::placeholder(g, vs::DType::kFloat32, vs::Shape{2}, "grad");
  vs::train::GradientDescentOptimizer opt(0.5);
  vs::Operation step = opt.apply_gradients({{grad, v}});
  vs::Session sess(g, options());
  sess.run(v.initializer());
  sess.run({}, {{grad, vs::HostTensor(std::vector<float>{2, -4})}}, {step});
  EXPECT_EQ(values(sess.run(v)), (std::vector<float>{-1, 2}));
}

TEST_P(SessionRun, WrongFeedShapeOrDtypeIsRejectedAndChangesNothing) {
  vs::Graph g;
  vs::Variable v =
      g.get_variable("v", {.shape = vs::Shape{2}, .initializer = vs::zeros_initializer()});
  vs::Tensor x = vs::placeholder(g, vs::DType::kFloat32, vs::Shape{2}, "x");
  vs::Tensor update = vs::assign(v, x);
  vs::Session sess(g, options());
  sess.run(v.initializer());
  EXPECT_EQ(error_of<vs::InvalidArgumentError>([&] {
              sess.run(update, {{x, vs::HostTensor(std::vector<float>{1, 2, 3})}});
            }),
            "Cannot feed value of shape (3,) for Tensor 'x:0', which has shape '(2,)'");
  EXPECT_EQ(error_of<vs::InvalidArgumentError>([&] {
              sess.run(update, {{x, vs::HostTensor(std::vector<std::int32_t>{1, 2})}});
            }),
            "Cannot feed value of dtype int32 for Tensor 'x:0', which has dtype float32");
  EXPECT_EQ(values(sess.run(v)), (std::vector<float>{0, 0}));
  sess.run(update, {{x, vs::HostTensor(std::vector<float>{1, 2})}});
  EXPECT_EQ(values(sess.run(v)), (std::vector<float>{1, 2}));
}

TEST_P(SessionRun, OnlyTheNeededSubgraphRuns) {
  vs::Graph g;
  vs::Variable never = g.get_variable("never", {.shape = vs::Shape{1}});
  vs::Tensor unused = never.value() + 1.0f;  // would fail: uninitialized
  vs::Tensor c = vs::constant(g, 5.0f);
  vs::Session sess(g, options());
  EXPECT_EQ(values(sess.run(c * 2.0f)), std::vector<float>{10.0f});
  EXPECT_THROW(sess.run(unused), vs::FailedPreconditionError);
}

TEST_P(SessionRun, TensorsOfAnotherGraphAreRejected) {
  vs::Graph g1, g2;
  vs::Tensor c = vs::constant(g2, 1.0f);
  vs::Session sess(g1, options());
  EXPECT_EQ(error_of<vs::InvalidArgumentError>([&] { sess.run(c); }),
            "Tensor Const:0 is not an element of this session's graph.");
}

// ---- initialization ----

class SessionInit : public vs::testing::BackendTest {};

TEST_P(SessionInit, UninitializedReadIsFailedPreconditionWithTheVariableName) {
  vs::Graph g;
  vs::Variable a2;
  {
    auto s = g.variable_scope("V1");
    a2 = g.variable(vs::random_normal(g, {2, 3}), {.name = "a2"});
  }
  vs::Session sess(g, options());
  EXPECT_EQ(error_of<vs::FailedPreconditionError>([&] { sess.run(a2); }),
            "Attempting to use uninitialized value V1/a2");
  const std::string through_op =
      error_of<vs::FailedPreconditionError>([&] { sess.run(a2.value() + 1.0f); });
  EXPECT_TRUE(through_op.starts_with("Attempting to use uninitialized value V1/a2")) << through_op;
}

TEST_P(SessionInit, ReportAndIsInitializedFollowInitialization) {
  vs::Graph g;
  vs::Variable a = g.get_variable("a", {.shape = vs::Shape{1}});
  vs::Variable b = g.variable(1.0f, {.name = "b"});
  vs::Tensor a_ready = g.is_variable_initialized(a);
  EXPECT_EQ(a_ready.name(), "IsVariableInitialized:0");
  vs::Session sess(g, options());
  EXPECT_EQ(sess.report_uninitialized_variables(), (std::vector<std::string>{"a", "b"}));
  EXPECT_FALSE(sess.run(a_ready).data<bool>()[0]);
  sess.run(a.initializer());
  EXPECT_EQ(sess.report_uninitialized_variables(), (std::vector<std::string>{"b"}));
  EXPECT_TRUE(sess.run(a_ready).data<bool>()[0]);
  EXPECT_TRUE(sess.is_initialized(a));
  EXPECT_FALSE(sess.is_initialized(b));
  sess.run(g.global_variables_initializer());
  EXPECT_TRUE(sess.report_uninitialized_variables().empty());
}

TEST_P(SessionInit, InitializerCoversOnlyTheVariablesThatExistedWhenItWasMade) {
  vs::Graph g;
  vs::Variable early = g.get_variable("early", {.shape = vs::Shape{2}});
  vs::Operation init = g.global_variables_initializer();
  vs::Variable late = g.get_variable("late", {.shape = vs::Shape{2}});
  EXPECT_EQ(init.name(), "init");
  EXPECT_EQ(g.global_variables_initializer().name(), "init_1");
  vs::Session sess(g, options());
  sess.run(init);
  EXPECT_TRUE(sess.is_initialized(early));
  EXPECT_FALSE(sess.is_initialized(late));
  sess.run(g.variables_initializer({late}, "init_late"));
  EXPECT_TRUE(sess.is_initialized(late));
}

TEST_P(SessionInit, EmptyInitializerIsARunnableNoOp) {
  vs::Graph g;
  vs::Operation init = g.global_variables_initializer();
  EXPECT_EQ(init.type(), "NoOp");
  vs::Session sess(g, options());
  EXPECT_NO_THROW(sess.run(init));
}

// ---- one allocation per variable ----

class SessionAliasing : public vs::testing::BackendTest {};

TEST_P(SessionAliasing, ReuseGivesTheSamePointerAndWritesAreSeen) {
  vs::Graph g;
  vs::Variable w1, w2;
  {
    auto s = g.variable_scope("v_scope");
    w1 = g.get_variable("Weights", {.shape = vs::Shape{2, 3}});
  }
  {
    auto s = g.variable_scope("v_scope", {.reuse = vs::Reuse::kTrue});
    w2 = g.get_variable("Weights");
  }
  vs::Tensor write = vs::assign(
      w1, vs::constant(g, vs::HostTensor(std::vector<float>{1, 2, 3, 4, 5, 6}, vs::Shape{2, 3})));
  vs::Session sess(g, options());
  ASSERT_NE(sess.data_ptr(w1), nullptr);
  EXPECT_EQ(sess.data_ptr(w1), sess.data_ptr(w2));
  sess.run(g.global_variables_initializer());
  sess.run(write);
  EXPECT_EQ(values(sess.run(w2)), (std::vector<float>{1, 2, 3, 4, 5, 6}));
  sess.run(vs::assign_add(
      w2, vs::constant(g, vs::HostTensor(std::vector<float>{1, 1, 1, 1, 1, 1}, vs::Shape{2, 3}))));
  EXPECT_EQ(values(sess.run(w1)), (std::vector<float>{2, 3, 4, 5, 6, 7}));
}

TEST_P(SessionAliasing, AutoReuseObjectReentryAndCopiesShareOneAllocation) {
  vs::Graph g;
  auto make = [&] {
    auto s = g.variable_scope("foo", {.reuse = vs::Reuse::kAuto});
    return g.get_variable("v", {.shape = vs::Shape{4}});
  };
  vs::Variable first = make();
  vs::Variable second = make();
  vs::VariableScope captured;
  {
    auto s = g.variable_scope("foo", {.reuse = vs::Reuse::kTrue});
    captured = s;
  }
  vs::Variable third;
  {
    auto s = g.variable_scope(captured);
    third = g.get_variable("v");
  }
  vs::Variable copy = first;
  vs::Variable other = g.get_variable("other", {.shape = vs::Shape{4}});
  vs::Session sess(g, options());
  EXPECT_EQ(sess.data_ptr(first), sess.data_ptr(second));
  EXPECT_EQ(sess.data_ptr(first), sess.data_ptr(third));
  EXPECT_EQ(sess.data_ptr(first), sess.data_ptr(copy));
  EXPECT_NE(sess.data_ptr(first), sess.data_ptr(other));
  sess.run(g.global_variables_initializer());
  EXPECT_EQ(sess.data_ptr(first), sess.data_ptr(third));  // still the same after running
  sess.run(vs::assign(third, vs::constant(g, vs::HostTensor(std::vector<float>{9, 8, 7, 6}))));
  EXPECT_EQ(values(sess.run(first)), (std::vector<float>{9, 8, 7, 6}));
}

TEST_P(SessionAliasing, EachSessionOwnsItsOwnStorage) {
  vs::Graph g;
  vs::Variable v =
      g.get_variable("v", {.shape = vs::Shape{2}, .initializer = vs::ones_initializer()});
  vs::Session a(g, options());
  vs::Session b(g, options());
  EXPECT_NE(a.data_ptr(v), b.data_ptr(v));
  a.run(v.initializer());
  EXPECT_TRUE(a.is_initialized(v));
  EXPECT_FALSE(b.is_initialized(v));
}

VARSCOPE_INSTANTIATE_ON_BACKENDS(SessionRun);
VARSCOPE_INSTANTIATE_ON_BACKENDS(SessionInit);

// ---- lifetimes and memory ----

TEST(SessionLifetime, HandlesOfADestroyedGraphThrowInsteadOfDangling) {
  vs::Variable v;
  {
    vs::Graph g;
    v = g.get_variable("v", {.shape = vs::Shape{1}});
  }
  EXPECT_EQ(error_of<vs::FailedPreconditionError>([&] { (void)v.name(); }),
            "The graph of this handle has been destroyed");
}

TEST(SessionLifetime, ASessionKeepsItsGraphAlive) {
  std::optional<vs::Session> sess;
  vs::Variable v;
  {
    vs::Graph g;
    v = g.get_variable("v", {.shape = vs::Shape{1}, .initializer = vs::constant_initializer(3)});
    sess.emplace(g, vs::SessionOptions{.device = vs::DeviceKind::kCpu});
  }
  sess->run(v.initializer());
  EXPECT_EQ(values(sess->run(v)), std::vector<float>{3.0f});
}

TEST(SessionMemory, OutOfMemoryIsResourceExhaustedAndTheSessionStaysUsable) {
  vs::Graph g;
  // 2^21 x 2^21 float32: 16 TiB.
  vs::Variable huge = g.get_variable(
      "huge", {.shape = vs::Shape{1 << 21, 1 << 21}, .initializer = vs::zeros_initializer()});
  vs::Variable small =
      g.get_variable("small", {.shape = vs::Shape{2}, .initializer = vs::ones_initializer()});
  vs::Session sess(g, {.device = vs::DeviceKind::kCpu});
  const std::string message =
      error_of<vs::ResourceExhaustedError>([&] { sess.run(huge.initializer()); });
  EXPECT_NE(message.find("17592186044416 bytes"), std::string::npos) << message;
  sess.run(small.initializer());
  EXPECT_EQ(values(sess.run(small)), (std::vector<float>{1, 1}));
}

// The planner folds an initializer's Mul/Add (and Sub) into its random op and writes it
// straight into the variable; that must not change a single bit.
class SessionFusion : public vs::testing::BackendTest {};

TEST_P(SessionFusion, FusedInitializersGiveTheBitsOfTheUnfusedOps) {
  for (vs::DType dtype : {vs::DType::kFloat32, vs::DType::kFloat64}) {
    for (int kind = 0; kind < 3; ++kind) {
      vs::Graph g;
      g.set_random_seed(99);
      const vs::Shape shape{7, 3};
      vs::Tensor value =
          kind == 0 ? vs::random_normal(g, shape, {.mean = 0.25, .stddev = 3.0, .dtype = dtype})
          : kind == 1
              ? vs::truncated_normal(g, shape, {.mean = -1, .stddev = 0.1, .dtype = dtype})
              : vs::random_uniform(g, shape, {.minval = -0.3, .maxval = 0.7, .dtype = dtype});
      vs::Variable v = g.variable(value, {.name = "v"});
      vs::Tensor scaled = value.op().input(0);  // the Mul: fetching it stops the fusion
      vs::Session fused(g, options());
      fused.run(v.initializer());
      vs::Session unfused(g, options());
      auto both = unfused.run({value, scaled});
      const vs::HostTensor a = fused.run(v);
      ASSERT_EQ(a.nbytes(), both[0].nbytes());
      EXPECT_EQ(std::memcmp(a.raw_data(), both[0].raw_data(), a.nbytes()), 0)
          << "kind " << kind << " dtype " << vs::dtype_name(dtype);
    }
  }
}

VARSCOPE_INSTANTIATE_ON_BACKENDS(SessionFusion);

TEST_P(SessionAliasing, LoadVariableWritesTheSharedStorageOrRejectsAndChangesNothing) {
  vs::Graph g;
  vs::Variable v =
      g.get_variable("v", {.shape = vs::Shape{3}, .initializer = vs::zeros_initializer()});
  vs::Session sess(g, options());
  EXPECT_FALSE(sess.is_initialized(v));
  EXPECT_EQ(error_of<vs::InvalidArgumentError>([&] {
              sess.load_variable(v, vs::HostTensor(std::vector<float>{1, 2}));
            }),
            "Cannot load a value of dtype float32 and shape (2,) into variable v of dtype float32 "
            "and shape (3,)");
  EXPECT_THROW(sess.load_variable(v, vs::HostTensor(std::vector<double>{1, 2, 3})),
               vs::InvalidArgumentError);
  EXPECT_FALSE(sess.is_initialized(v));
  sess.load_variable(v, vs::HostTensor(std::vector<float>{4, 5, 6}));
  EXPECT_TRUE(sess.is_initialized(v));
  EXPECT_EQ(values(sess.run(v)), (std::vector<float>{4, 5, 6}));
}

VARSCOPE_INSTANTIATE_ON_BACKENDS(SessionAliasing);
