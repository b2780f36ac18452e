// Training shared weights (issue 18): two towers share "tower/dense1" and "tower/dense2"
// through variable_scope("tower", reuse=AUTO_REUSE); Adam minimizes
// mean((tower(xa) - tower(xb) - y)^2) on synthetic data. Prints the global variables in
// creation order (TF1's names and order), then the loss before and after training.
// With a directory argument it also writes a TensorBoard log there (the graph, and every 10
// steps the summary ops' values: the loss and a histogram of the first layer's kernel):
// tensorboard --logdir <directory>.
#include <varscope/varscope.h>

#include <iostream>
#include <optional>
#include <random>
#include <vector>

namespace vs = varscope;

namespace {

vs::Tensor dense(
    vs::Graph& g, const vs::Tensor& x, std::int64_t units, bool relu, const char* name) {
  auto scope = g.variable_scope(name);
  const std::int64_t in = x.shape().dim(x.shape().rank() - 1);
  vs::Variable kernel = g.get_variable("kernel", {.shape = vs::Shape{in, units}});
  vs::Variable bias =
      g.get_variable("bias", {.shape = vs::Shape{units}, .initializer = vs::zeros_initializer()});
  vs::Tensor out = vs::bias_add(vs::matmul(x, kernel), bias);
  return relu ? vs::relu(out) : out;
}

vs::Tensor tower(vs::Graph& g, const vs::Tensor& x) {
  auto scope = g.variable_scope("tower", {.reuse = vs::Reuse::kAuto});
  return dense(g, dense(g, x, 16, /*relu=*/true, "dense1"), 1, /*relu=*/false, "dense2");
}

}  // namespace

int main(int argc, char** argv) {
  constexpr std::int64_t kBatch = 64;
  constexpr int kSteps = 300;
  vs::Graph g;
  g.set_random_seed(18);
  const vs::Shape rows{vs::kUnknownDim, 8};
  vs::Tensor xa = vs::placeholder(g, vs::DType::kFloat32, rows, "xa");
  vs::Tensor xb = vs::placeholder(g, vs::DType::kFloat32, rows, "xb");
  vs::Tensor y = vs::placeholder(g, vs::DType::kFloat32, vs::Shape{vs::kUnknownDim, 1}, "y");
  vs::Tensor loss = vs::reduce_mean(vs::square(tower(g, xa) - tower(g, xb) - y));
  vs::Variable global_step = vs::train::get_or_create_global_step(g);
  vs::train::AdamOptimizer optimizer(0.01);
  vs::Operation train_op = optimizer.minimize(loss, global_step);
  vs::summary::scalar("loss", loss);
  vs::summary::histogram("dense1/kernel", g.get_tensor_by_name("tower/dense1/kernel/read:0"));
  const vs::Tensor summaries = *vs::summary::merge_all(g);

  std::cout << "global:";
  for (const vs::Variable& v : g.global_variables())
    std::cout << ' ' << v.name();
  std::cout << '\n';

  // Synthetic target: y = f(xa) - f(xb) with f(x) = |w . x|, w fixed.
  std::mt19937 rng(7);
  std::normal_distribution<float> normal;
  std::vector<float> a(kBatch * 8), b(kBatch * 8), target(kBatch), w(8);
  for (float& v : w)
    v = normal(rng);
  for (float& v : a)
    v = normal(rng);
  for (float& v : b)
    v = normal(rng);
  for (std::int64_t i = 0; i < kBatch; ++i) {
    float fa = 0.0f, fb = 0.0f;
    for (int j = 0; j < 8; ++j) {
      fa += w[j] * a[i * 8 + j];
      fb += w[j] * b[i * 8 + j];
    }
    target[i] = std::abs(fa) - std::abs(fb);
  }
  const vs::FeedDict feeds{{xa, vs::HostTensor(a, vs::Shape{kBatch, 8})},
                           {xb, vs::HostTensor(b, vs::Shape{kBatch, 8})},
                           {y, vs::HostTensor(target, vs::Shape{kBatch, 1})}};

  vs::Session sess(g);
  sess.run(g.global_variables_initializer());
  std::optional<vs::summary::FileWriter> log;
  if (argc > 1) log.emplace(argv[1], g);
  const double first = sess.run(loss, feeds).element_as_double(0);
  for (int step = 0; step <= kSteps; ++step) {
    if (log && step % 10 == 0) log->add_summary(sess.run(summaries, feeds), step);
    if (step < kSteps) sess.run({}, feeds, {train_op});
  }
  if (log) log->close();
  const double last = sess.run(loss, feeds).element_as_double(0);
  std::cout << "session on " << sess.device_description() << ", "
            << sess.run(global_step).element_as_double(0) << " steps\n";
  std::cout << "loss: " << first << " -> " << last << '\n';
  return last < first ? 0 : 1;
}
