// Gradients against TF 1.15 (issue 28), from tests/golden/training_tf115.json: Assign is
// not differentiable (item 6), the cross-entropy losses' names and shapes with an unknown
// batch (4, 5), TF's AddN order (8), gradients of gradients (7). CPU and (Gpu*) GPU.
#include <gtest/gtest.h>
#include <varscope/varscope.h>

#include <string>
#include <vector>

#include "gpu_test.h"
#include "test_util.h"
#include "tf115_golden.h"

namespace vs = varscope;
using vs::testing::tf115;

namespace {

std::string shape_of(const vs::Tensor& t) {
  return t.shape().to_string();
}

// Items 4 and 5: logits [?, 4] (x @ w), labels with a batch of 2; three steps of
// GradientDescent(0.5) on the mean loss.
void xent(bool sparse, vs::DeviceKind device) {
  const nlohmann::json& all = tf115()["xent"];
  const nlohmann::json& c = all[sparse ? "sparse" : "dense"];
  vs::Graph g;
  auto x = vs::placeholder(g, vs::DType::kFloat32, vs::Shape{vs::kUnknownDim, 4}, "x");
  vs::Variable w = g.get_variable(
      "w", {.shape = vs::Shape{4, 3},
            .initializer = vs::constant_initializer(all["XW0"].get<std::vector<double>>())});
  vs::Tensor logits = vs::matmul(x, w);
  vs::Tensor labels;
  vs::HostTensor feed_labels;
  vs::Tensor loss;
  if (sparse) {
    labels = vs::placeholder(g, vs::DType::kInt32, vs::Shape{2}, "labels");
    feed_labels = vs::HostTensor(std::vector<std::int32_t>{2, 0}, vs::Shape{2});
    loss = vs::sparse_softmax_cross_entropy_with_logits(labels, logits);
    EXPECT_EQ(loss.name(), std::string(c["loss_name"]));
  } else {
    labels = vs::placeholder(g, vs::DType::kFloat32, vs::Shape{2, 3}, "labels");
    feed_labels = vs::HostTensor(std::vector<float>{0.2f, 0.3f, 0.5f, 1, 0, 0}, vs::Shape{2, 3});
    loss = vs::softmax_cross_entropy_with_logits(labels, logits);
    // TF's wrapper ends in softmax_cross_entropy_with_logits_sg/Reshape_2 (differences.md).
    EXPECT_EQ(loss.name(), "softmax_cross_entropy_with_logits:0");
  }
  EXPECT_EQ(shape_of(loss), std::string(c["loss_shape"]));
  const auto grads = vs::gradients({loss}, std::vector<vs::Tensor>{w.value(), x});
  EXPECT_EQ(shape_of(grads[0]), std::string(c["grad_w_shape"]));
  EXPECT_EQ(shape_of(grads[1]), std::string(c["grad_x_shape"]));
  EXPECT_EQ(grads[1].name(), std::string(c["grad_x_name"]));
  const vs::Tensor mean = vs::reduce_mean(loss);
  const vs::Operation op = vs::train::GradientDescentOptimizer(0.5).minimize(mean);
  const vs::FeedDict feeds{
      {x, vs::testing::values_as(all["XX"], vs::Shape{2, 4}, vs::DType::kFloat32)},
      {labels, feed_labels}};
  vs::Session sess(g, {.device = device});
  sess.run(g.global_variables_initializer());
  for (int s = 0; s <= 3; ++s) {
    vs::testing::expect_close(vs::testing::as_doubles(sess.run(loss, feeds)), c["losses"][s],
                              vs::DType::kFloat32, "loss at step " + std::to_string(s));
    if (s < 3) sess.run(op, feeds);
  }
  vs::testing::expect_close(vs::testing::as_doubles(sess.run(w)), c["w"], vs::DType::kFloat32, "w");
}

// Item 8: two towers share w and t = x @ w ("shared"): TF's ready queue makes the AddN of
// t's two uses first (gradients/AddN) and w's last (gradients/AddN_1).
void addn_order(vs::DeviceKind device) {
  const nlohmann::json& c = tf115()["addn_order"];
  vs::testing::Base b(vs::DType::kFloat32);
  const vs::Tensor t = vs::matmul(b.x, b.w, {.name = "shared"});
  const vs::Tensor y1 = vs::reduce_sum(vs::square(t + vs::matmul(b.x, b.w)));
  const vs::Tensor y2 = vs::reduce_sum(t * vs::matmul(b.x, b.w));
  const vs::Tensor gw = vs::gradients({y1 + y2}, std::vector<vs::Variable>{b.w})[0];
  EXPECT_EQ(gw.name(), std::string(c["grad_w"]));
  std::vector<std::vector<std::string>> addns;
  for (const vs::Operation& op : b.g.operations()) {
    if (op.type() != "AddN") continue;
    std::vector<std::string> row{op.name()};
    for (int i = 0; i < op.num_inputs(); ++i)
      row.push_back(op.input(i).name());
    addns.push_back(row);
  }
  EXPECT_EQ(addns, c["addn"].get<std::vector<std::vector<std::string>>>());
  vs::Session sess(b.g, {.device = device});
  sess.run(b.g.global_variables_initializer());
  vs::testing::expect_close(vs::testing::as_doubles(sess.run(gw)), c["grad_w_value"],
                            vs::DType::kFloat32, "d loss / d w");
}

// Item 7: gradients of gradients. The program (TF: None, the seed's Shape/Fill is
// not differentiable), then a gradient penalty through ReluGrad, SigmoidGrad, TanhGrad,
// the broadcast gradient of BiasAdd and the reduction gradient of Mean.
void second_order(vs::DeviceKind device) {
  const nlohmann::json& c = tf115()["second_order"];
  vs::testing::Base base(vs::DType::kFloat32);
  vs::Graph& g = base.g;
  const vs::Tensor x = base.x;
  const vs::Variable k = base.w;
  const vs::Variable b = g.get_variable(
      "b", {.shape = vs::Shape{2}, .initializer = vs::constant_initializer({0.1, -0.3})});
  const auto gr =
      vs::gradients({vs::bias_add(vs::matmul(x, k), b)}, std::vector<vs::Tensor>{b.value(), x});
  const auto of_k = vs::gradients({gr[0]}, std::vector<vs::Variable>{k});
  EXPECT_EQ(std::vector<bool>{!of_k[0].valid()},
            c["bias_add_grad_of_k_none"].get<std::vector<bool>>());
  for (const std::string act : {"relu", "sigmoid", "tanh"}) {
    const vs::Tensor z = vs::bias_add(vs::matmul(x, k), b);
    const vs::Tensor f = act == "relu"      ? vs::relu(z)
                         : act == "sigmoid" ? vs::sigmoid(z)
                                            : vs::tanh(z);
    const vs::Tensor y = vs::reduce_mean(vs::square(f));
    const auto first = vs::gradients({y}, std::vector<vs::Variable>{k, b});
    const vs::Tensor penalty = vs::reduce_sum(vs::square(first[0])) + vs::reduce_sum(first[1]);
    const auto second = vs::gradients({penalty}, std::vector<vs::Variable>{k, b});
    vs::Session sess(g, {.device = device});
    sess.run(g.global_variables_initializer());
    vs::testing::expect_close(vs::testing::as_doubles(sess.run(second[0])), c[act]["k"],
                              vs::DType::kFloat32, act + " d penalty / d k");
    vs::testing::expect_close(vs::testing::as_doubles(sess.run(second[1])), c[act]["b"],
                              vs::DType::kFloat32, act + " d penalty / d b");
  }
}

}  // namespace

// Item 6: tf.gradients through tf.assign is None (TF: ops.NotDifferentiable("Assign")).
TEST(TfGradients, AssignIsNotDifferentiable) {
  const nlohmann::json& c = tf115()["assign_gradient"];
  vs::testing::Base b(vs::DType::kFloat32);
  const vs::Variable acc =
      b.g.get_variable("acc", {.shape = vs::Shape{4, 2}, .initializer = vs::zeros_initializer()});
  const vs::Tensor a = vs::assign(acc, vs::matmul(b.x, b.w));
  EXPECT_EQ(a.name(), std::string(c["assign_name"]));
  const auto grads = vs::gradients({vs::reduce_sum(a)}, std::vector<vs::Tensor>{b.w.value(), b.x});
  EXPECT_EQ((std::vector<bool>{!grads[0].valid(), !grads[1].valid()}),
            c["grads_none"].get<std::vector<bool>>());
  // Item 9: TF's assign is a float32_ref tensor; varscope has no ref dtypes (differences.md).
  EXPECT_EQ(std::string(c["assign_dtype"]), vs::dtype_ref_name(a.dtype()));
  EXPECT_EQ(a.dtype(), vs::DType::kFloat32);
}

TEST(TfGradients, SparseCrossEntropyTakesTheBatchFromTheLabels) {
  xent(true, vs::DeviceKind::kCpu);
}

TEST(TfGradients, DenseCrossEntropyTakesTheBatchFromTheLabels) {
  xent(false, vs::DeviceKind::kCpu);
}

TEST(TfGradients, AddNInTfsReadyOrder) {
  addn_order(vs::DeviceKind::kCpu);
}

TEST(TfGradients, GradientsOfGradientsAsTf) {
  second_order(vs::DeviceKind::kCpu);
}

class GpuTfGradients : public vs::testing::GpuTest {};

TEST_F(GpuTfGradients, CrossEntropyAsTf) {
  xent(true, vs::DeviceKind::kCuda);
  xent(false, vs::DeviceKind::kCuda);
}

TEST_F(GpuTfGradients, AddNInTfsReadyOrder) {
  addn_order(vs::DeviceKind::kCuda);
}

TEST_F(GpuTfGradients, GradientsOfGradientsAsTf) {
  second_order(vs::DeviceKind::kCuda);
}
