// Two towers, one set of weights: both inputs go through the same dense layers, and the
// session holds one allocation per weight, read by both towers.
#include <varscope/varscope.h>

#include <iostream>
#include <vector>

#include "two_tower_model.h"

namespace vs = varscope;

int main() {
  vs::Graph g;
  g.set_random_seed(2024);
  const examples::TwoTowers towers = examples::two_towers(g);
  const examples::Tower& a = towers.a;
  const examples::Tower& b = towers.b;

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

  examples::NormalSamples normal(7);
  const std::vector<float> q = normal.take(2 * 8);
  const std::vector<float> it = normal.take(3 * 8);
  auto out = sess.run({a.output, b.output}, {{towers.query, vs::HostTensor(q, vs::Shape{2, 8})},
                                             {towers.item, vs::HostTensor(it, vs::Shape{3, 8})}});
  std::cout << "\nquery tower (2 rows):\n" << out[0].to_string() << "\n";
  std::cout << "item tower (3 rows):\n" << out[1].to_string() << "\n";
  return 0;
}
