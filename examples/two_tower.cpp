// Two towers, one set of weights: both inputs go through the same dense layers, and the
// session holds one allocation per weight, read by both towers.
#include <varscope/varscope.h>

#include <iostream>
#include <random>

#include "two_tower_model.h"

namespace vs = varscope;

int main() {
  vs::Graph g;
  g.set_random_seed(2024);
  vs::Tensor query =
      vs::placeholder(g, vs::DType::kFloat32, vs::Shape{vs::kUnknownDim, 8}, "query");
  vs::Tensor item = vs::placeholder(g, vs::DType::kFloat32, vs::Shape{vs::kUnknownDim, 8}, "item");
  examples::Tower a = examples::tower(g, query);
  examples::Tower b = examples::tower(g, item);

  std::cout << "trainable variables:\n";
  for (const vs::Variable& v : g.trainable_variables())
    std::cout << "  " << v.name() << " " << v.shape() << "\n";
  std::cout << "outputs: " << a.output.name() << " and " << b.output.name() << "\n";

  vs::Session sess(g);
  sess.run(g.global_variables_initializer());
  std::cout << "\nsession on " << sess.device_description() << "\n";
  std::cout << "one allocation per weight, shared by both towers:\n";
  for (std::size_t i = 0; i < a.variables.size(); ++i) {
    std::cout << "  " << a.variables[i].op_name() << ": " << sess.data_ptr(a.variables[i])
              << (sess.data_ptr(a.variables[i]) == sess.data_ptr(b.variables[i]) ? " == " : " != ")
              << sess.data_ptr(b.variables[i]) << "\n";
  }

  std::mt19937 rng(7);
  std::normal_distribution<float> normal;
  std::vector<float> q(2 * 8), it(3 * 8);
  for (float& v : q)
    v = normal(rng);
  for (float& v : it)
    v = normal(rng);
  auto out = sess.run({a.output, b.output}, {{query, vs::HostTensor(q, vs::Shape{2, 8})},
                                             {item, vs::HostTensor(it, vs::Shape{3, 8})}});
  std::cout << "\nquery tower (2 rows):\n" << out[0].to_string() << "\n";
  std::cout << "item tower (3 rows):\n" << out[1].to_string() << "\n";
  return 0;
}
