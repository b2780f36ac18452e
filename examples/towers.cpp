// Towers on two devices (issue 27): TF's cifar10_multi_gpu_train pattern — variables on
// /cpu:0, tower i on /cpu:i sharing them through variable_scope reuse, gradients averaged,
// one Adam apply_gradients — run by a session with two CPU devices (TF's
// ConfigProto(device_count={"CPU": 2})). Prints the session's devices, where the ops ran,
// the loss before and after training, and whether the same towers on one device give
// bit-identical variables. On a machine with several GPUs it then runs one tower per GPU
// ({.device = kCuda, .device_count = {{"GPU", n}}}) against the same towers on GPU:0 (never
// run yet: no machine with several GPUs has been lent to this project).
#include <varscope/varscope.h>

#include <cmath>
#include <cstring>
#include <iostream>
#include <random>
#include <string>
#include <vector>

#include "towers_model.h"

namespace vs = varscope;

namespace {

constexpr std::int64_t kBatch = 64;
constexpr int kSteps = 200;

vs::FeedDict synthetic_batch(const examples::Towers& t) {
  std::mt19937 rng(27);
  std::normal_distribution<float> normal;
  std::vector<float> x(kBatch * 8), y(kBatch), w(8);
  for (float& v : w)
    v = normal(rng);
  for (float& v : x)
    v = normal(rng);
  for (std::int64_t i = 0; i < kBatch; ++i) {
    float dot = 0.0f;
    for (int j = 0; j < 8; ++j)
      dot += w[j] * x[i * 8 + j];
    y[i] = std::abs(dot);
  }
  return {{t.x, vs::HostTensor(x, vs::Shape{kBatch, 8})},
          {t.y, vs::HostTensor(y, vs::Shape{kBatch, 1})}};
}

struct Trained {
  float first_loss = 0, last_loss = 0;
  std::vector<vs::HostTensor> variables;
};

Trained train(const std::vector<std::string>& devices,
              const vs::SessionOptions& options,
              bool verbose) {
  vs::Graph g;
  g.set_random_seed(27);
  const examples::Towers t = examples::build_towers(g, devices);
  vs::Session sess(g, options);
  if (verbose) {
    std::cout << "devices:";
    for (const std::string& d : sess.list_devices())
      std::cout << ' ' << d;
    std::cout << '\n';
    for (const char* op : {"dense1/kernel", "tower_0/dense1/MatMul", "tower_1/dense1/MatMul",
                           "tower_1/gradients/tower_1/dense1/MatMul_grad/MatMul_1",
                           "Adam/update_dense1/kernel/ApplyAdam"}) {
      std::cout << "  " << op << " on " << sess.assigned_device(g.get_operation_by_name(op))
                << '\n';
    }
  }
  const vs::FeedDict feeds = synthetic_batch(t);
  sess.run(g.global_variables_initializer());
  Trained out;
  out.first_loss = sess.run(t.loss, feeds).data<float>()[0];
  for (int i = 0; i < kSteps; ++i)
    sess.run({}, feeds, {t.train});
  out.last_loss = sess.run(t.loss, feeds).data<float>()[0];
  for (const vs::Variable& v : g.global_variables())
    out.variables.push_back(sess.run(v));
  return out;
}

bool identical(const std::vector<vs::HostTensor>& a, const std::vector<vs::HostTensor>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i].nbytes() != b[i].nbytes() ||
        std::memcmp(a[i].raw_data(), b[i].raw_data(), a[i].nbytes()) != 0) {
      return false;
    }
  }
  return true;
}

}  // namespace

int main() {
  const Trained two =
      train({"/cpu:0", "/cpu:1"}, {.device = vs::DeviceKind::kCpu, .device_count = {{"CPU", 2}}},
            /*verbose=*/true);
  std::cout << "loss: " << two.first_loss << " -> " << two.last_loss << '\n';
  const Trained one = train({"/cpu:0", "/cpu:0"}, {.device = vs::DeviceKind::kCpu}, false);
  const bool same = identical(two.variables, one.variables);
  std::cout << "two devices match one device: " << (same ? "yes" : "no") << '\n';
  bool ok = same && two.last_loss < two.first_loss;
  // Every GPU of a machine that has several: one tower each, against the same towers on GPU:0.
  if (const int gpus = vs::cuda_device_count(); gpus >= 2) {
    std::vector<std::string> each, first;
    for (int i = 0; i < gpus; ++i) {
      each.push_back("/gpu:" + std::to_string(i));
      first.push_back("/gpu:0");
    }
    const Trained all =
        train(each, {.device = vs::DeviceKind::kCuda, .device_count = {{"GPU", gpus}}}, true);
    const Trained single = train(first, {.device = vs::DeviceKind::kCuda}, false);
    const bool same_on_gpus = identical(all.variables, single.variables);
    std::cout << gpus << " GPUs match one GPU: " << (same_on_gpus ? "yes" : "no") << '\n';
    ok = ok && same_on_gpus;
  }
  return ok ? 0 : 1;
}
