// Bad input, sessions: feeds, uninitialized reads, out of memory, host tensors, devices.
#include <cxxabi.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <typeinfo>
#include <utility>
#include <vector>

#include "bad_input_test.h"
#include "test_util.h"
#include "varscope/varscope.h"

namespace vs = varscope;
using namespace bad_input_test;  // NOLINT: the fixture and helpers of bad_input_test.h

namespace {

// 2^23 x 2^23 float32 = 2^48 bytes (256 TiB): more than any machine's memory and more than
// the 47-bit user address space, so the allocation fails whatever the overcommit policy.
const vs::Shape kHuge{std::int64_t{1} << 23, std::int64_t{1} << 23};

}  // namespace

// ================================ session =================================

TEST_F(BadInput, MissingFeed) {
  EXPECT_EQ(error_of<vs::InvalidArgumentError>([&] { sess_->run(y_); }),
            "You must feed a value for placeholder tensor 'x' with dtype float32 and shape [?,2]");
  EXPECT_TRUE(Intact());
}

TEST_F(BadInput, WrongFeedShapeOrDtype) {
  vs::Tensor update = vs::assign_add(b_, vs::reduce_sum(y_, {.axes = std::vector<int>{0}}));
  Mark();
  EXPECT_EQ(error_of<vs::InvalidArgumentError>([&] {
              sess_->run(y_, {{x_, Floats({1, 2, 3, 4, 5, 6}, vs::Shape{2, 3})}});
            }),
            "Cannot feed value of shape (2, 3) for Tensor 'x:0', which has shape '(?, 2)'");
  EXPECT_EQ(error_of<vs::InvalidArgumentError>([&] {
              sess_->run(y_, {{x_, vs::HostTensor(vs::DType::kFloat64, vs::Shape{1, 2})}});
            }),
            "Cannot feed value of dtype float64 for Tensor 'x:0', which has dtype float32");
  EXPECT_EQ(error_of<vs::InvalidArgumentError>([&] {
              sess_->run(update, {{x_, Floats({1, 2, 3}, vs::Shape{1, 3})}});
            }),
            "Cannot feed value of shape (1, 3) for Tensor 'x:0', which has shape '(?, 2)'");
  // Any tensor can be fed, with its own shape and dtype.
  EXPECT_EQ(error_of<vs::InvalidArgumentError>([&] {
              sess_->run(y_, {{x_, Floats({1, 0}, vs::Shape{1, 2})},
                              {b_.value(), Floats({1, 2}, vs::Shape{2})}});
            }),
            "Cannot feed value of shape (2,) for Tensor 'model/b/read:0', which has shape '(3,)'");
  EXPECT_TRUE(Intact());
}

// A variable's own output fed while an op writes through it (TF1's ref input): TF's executor
// refuses the graph at the feed, naming its feed node "_arg_<op>_<output>_<k>", k the feed's
// place among the fed names in order. Nothing runs, so the variable keeps its value.
TEST_F(BadInput, AssignToAFedVariableIsRefusedAtTheFeed) {
  vs::Tensor assign = vs::assign(b_, Floats({7, 8, 9}, vs::Shape{3}));
  vs::Tensor add = vs::assign_add(steps_, vs::HostTensor(std::int64_t{1}));
  vs::Tensor init = g_.is_variable_initialized(b_);
  Mark();
  // The variables' own outputs ("model/b:0"; a Variable converts to "model/b/read:0").
  const vs::Tensor b_out = b_.op().output(0), steps_out = steps_.op().output(0);
  const vs::HostTensor b_value = Floats({1, 1, 1}, vs::Shape{3});
  EXPECT_EQ(error_of<vs::InvalidArgumentError>([&] {
              sess_->run(assign, {{b_out, b_value}});
            }),
            "Input 0 of node Assign was passed float from _arg_model/b_0_0:0 incompatible with "
            "expected float_ref.");
  // k = 1: the names in order are model/b:0, steps:0.
  EXPECT_EQ(error_of<vs::InvalidArgumentError>([&] {
              sess_->run({add}, {{steps_out, vs::HostTensor(std::int64_t{3})}, {b_out, b_value}});
            }),
            "Input 0 of node AssignAdd was passed int64 from _arg_steps_0_1:0 incompatible with "
            "expected int64_ref.");
  EXPECT_EQ(error_of<vs::InvalidArgumentError>([&] {
              sess_->run(init, {{b_out, b_value}});
            }),
            "Input 0 of node IsVariableInitialized was passed float from _arg_model/b_0_0:0 "
            "incompatible with expected float_ref.");
  // Reading a fed variable is a feed like any other, and so is feeding its read.
  EXPECT_EQ(sess_->run(b_out, {{b_out, b_value}}), b_value);
  EXPECT_TRUE(Intact());
}

// Not an error, as in TF (a feed_dict holding one tensor under two keys): the last value wins.
TEST_F(BadInput, TheSameTensorFedTwice) {
  const vs::HostTensor got = sess_->run(
      y_, {{x_, Floats({0, 0}, vs::Shape{1, 2})}, {x_, Floats({1, 0}, vs::Shape{1, 2})}});
  EXPECT_EQ(got, Floats({1.5f, 2.5f, 3.5f}, vs::Shape{1, 3}));
  EXPECT_TRUE(Intact());
}

TEST_F(BadInput, ElementsOfAnotherGraphInASession) {
  vs::Graph other;
  vs::Tensor c = vs::constant(other, 1.0f, {.name = "c"});
  vs::Variable v = other.get_variable("v", {.shape = vs::Shape{1}});
  const std::string tensor = "Tensor c:0 is not an element of this session's graph.";
  const std::string variable = "Variable v:0 is not an element of this session's graph.";
  EXPECT_EQ(error_of<vs::InvalidArgumentError>([&] { sess_->run(c); }), tensor);
  EXPECT_EQ(error_of<vs::InvalidArgumentError>([&] {
              sess_->run(y_, {{x_, Floats({1, 0}, vs::Shape{1, 2})}, {c, vs::HostTensor(2.0f)}});
            }),
            tensor);
  EXPECT_EQ(error_of<vs::InvalidArgumentError>([&] { sess_->run(v.initializer()); }),
            "Operation v/Assign is not an element of this session's graph.");
  EXPECT_EQ(error_of<vs::InvalidArgumentError>([&] { sess_->run(v); }), variable);
  EXPECT_EQ(error_of<vs::InvalidArgumentError>([&] { sess_->is_initialized(v); }), variable);
  EXPECT_EQ(error_of<vs::InvalidArgumentError>(
                [&] { sess_->load_variable(v, Floats({1}, vs::Shape{1})); }),
            variable);
  EXPECT_EQ(error_of<vs::InvalidArgumentError>([&] { sess_->data_ptr(v); }), variable);
  EXPECT_EQ(error_of<vs::InvalidArgumentError>([&] {
              sess_->report_uninitialized_variables(std::vector<vs::Variable>{w_, v});
            }),
            variable);
  EXPECT_TRUE(Intact());
}

TEST_F(BadInput, UninitializedRead) {
  vs::Variable fresh =
      g_.get_variable("fresh", {.shape = vs::Shape{3}, .initializer = vs::ones_initializer()});
  vs::Tensor through_op = y_ + fresh;
  vs::Tensor bump = vs::assign_add(fresh, b_);
  Mark();
  EXPECT_EQ(error_of<vs::FailedPreconditionError>([&] { sess_->run(fresh); }),
            "Attempting to use uninitialized value fresh");
  for (const vs::Tensor& t : {through_op, bump}) {
    const std::string msg = error_of<vs::FailedPreconditionError>([&] {
      sess_->run(t, {{x_, Floats({1, 0}, vs::Shape{1, 2})}});
    });
    EXPECT_TRUE(StartsWith(msg, "Attempting to use uninitialized value fresh")) << msg;
  }
  EXPECT_TRUE(Intact());
  EXPECT_FALSE(sess_->is_initialized(fresh));
}

TEST_F(BadInput, ReduceOverADuplicateAxis) {
  vs::Tensor sum = vs::reduce_sum(w_, {.axes = std::vector<int>{0, 0}});
  vs::Tensor mean = vs::reduce_mean(w_, {.axes = std::vector<int>{1, -1}});
  Mark();
  // TF's ReductionHelper: an InvalidArgumentError at run time (with node context appended).
  const std::string sum_msg = error_of<vs::InvalidArgumentError>([&] { sess_->run(sum); });
  EXPECT_TRUE(
      StartsWith(sum_msg, "Invalid reduction arguments: Axes contains duplicate dimension: 0"))
      << sum_msg;
  const std::string mean_msg = error_of<vs::InvalidArgumentError>([&] { sess_->run(mean); });
  EXPECT_TRUE(
      StartsWith(mean_msg, "Invalid reduction arguments: Axes contains duplicate dimension: 1"))
      << mean_msg;
  EXPECT_TRUE(Intact());
}

TEST_F(BadInput, OutOfMemoryInASession) {
  vs::Variable huge =
      g_.get_variable("huge", {.shape = kHuge, .initializer = vs::zeros_initializer()});
  vs::Tensor noise = vs::random_normal(g_, kHuge);
  Mark();
  const std::string want = "OOM when allocating 281474976710656 bytes of host memory";
  EXPECT_EQ(error_of<vs::ResourceExhaustedError>([&] { sess_->run(huge.initializer()); }), want);
  EXPECT_EQ(error_of<vs::ResourceExhaustedError>([&] { sess_->data_ptr(huge); }), want);
  EXPECT_EQ(error_of<vs::ResourceExhaustedError>([&] { sess_->run(noise); }), want);
  EXPECT_TRUE(Intact());
  EXPECT_FALSE(sess_->is_initialized(huge));
}

// TF stores a scalar constant of any shape compactly and fails only when the kernel
// allocates (ResourceExhaustedError at run time). varscope must not throw std::bad_alloc.
TEST_F(BadInput, OutOfMemoryForAHugeConstant) {
  const std::string msg = error_of<vs::ResourceExhaustedError>([&] {
    vs::Tensor big = vs::constant(g_, 1.0f, {.shape = kHuge});
    sess_->run(vs::reduce_sum(big));
  });
  EXPECT_TRUE(StartsWith(msg, "OOM when allocating ")) << msg;
  const std::string init_msg = error_of<vs::ResourceExhaustedError>([&] {
    vs::Variable v =
        g_.get_variable("big", {.shape = kHuge, .initializer = vs::constant_initializer(1)});
    sess_->run(v.initializer());
  });
  EXPECT_TRUE(StartsWith(init_msg, "OOM when allocating ")) << init_msg;
  EXPECT_TRUE(Intact(Ops::kMayGrow));
}

// A HostTensor too big for host memory: a vs::ResourceExhaustedError, not std::bad_alloc.
TEST_F(BadInput, OutOfMemoryForAHugeHostTensor) {
  const std::string msg =
      error_of<vs::ResourceExhaustedError>([] { vs::HostTensor t(vs::DType::kFloat32, kHuge); });
  EXPECT_TRUE(StartsWith(msg, "OOM when allocating ")) << msg;
  EXPECT_TRUE(Intact());
}

TEST_F(BadInput, HostTensorMisuse) {
  EXPECT_EQ(error_of<vs::InvalidArgumentError>([] {
              Floats({1, 2, 3}, vs::Shape{2});
            }),
            "HostTensor: 3 values for shape (2,), which holds 2");
  EXPECT_EQ(error_of<vs::InvalidArgumentError>([] { vs::HostTensor(1.0f).data<std::int32_t>(); }),
            "HostTensor holds float32, not int32");
  EXPECT_EQ(
      error_of<vs::InvalidArgumentError>([] { (void)vs::HostTensor(1.0f).element_as_double(5); }),
      "HostTensor index out of range");
  EXPECT_TRUE(Intact());
}

TEST_F(BadInput, LoadVariableOfAnotherShapeOrDtype) {
  EXPECT_EQ(error_of<vs::InvalidArgumentError>([&] {
              sess_->load_variable(w_, Floats({1, 2, 3, 4, 5, 6}, vs::Shape{3, 2}));
            }),
            "Cannot load a value of dtype float32 and shape (3, 2) into variable model/w of "
            "dtype float32 and shape (2, 3)");
  EXPECT_EQ(
      error_of<vs::InvalidArgumentError>([&] { sess_->load_variable(steps_, vs::HostTensor(7)); }),
      "Cannot load a value of dtype int32 and shape () into variable steps of dtype int64 "
      "and shape ()");
  EXPECT_TRUE(Intact());
}

TEST_F(BadInput, CudaDeviceThatIsNotThere) {
  const std::string msg = error_of<vs::UnavailableError>([] { vs::cuda_device_info(99); });
  EXPECT_TRUE(StartsWith(msg, "CUDA device 99 is not available")) << msg;
  if (!vs::cuda_available()) {
    const std::string forced = error_of<vs::UnavailableError>(
        [&] { vs::Session s(g_, {.device = vs::DeviceKind::kCuda}); });
    EXPECT_TRUE(StartsWith(forced, "CUDA was requested but is not usable: ")) << forced;
  }
  EXPECT_TRUE(Intact());
}
