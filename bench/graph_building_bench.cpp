// Graph-building costs: variables created in nested scopes, reuse lookups against a store
// of 100k variables, scope enter/exit. The baseline is the floor a lookup cannot beat: the
// same number of finds in a std::unordered_map<std::string, int> of the full names.
#include <benchmark/benchmark.h>
#include <varscope/varscope.h>

#include <string>
#include <unordered_map>
#include <vector>

#include "bench_common.h"

namespace vs = varscope;

namespace {

const int kOuter = bench::smoke() ? 2 : 100;  // scopes "block_i"
constexpr int kInner = 10;                    // scopes "block_i/layer_j"
constexpr int kPerScope = 100;  // variables "w_k" per inner scope: 100 * 10 * 100 = 100k

std::vector<std::string> variable_names() {
  std::vector<std::string> names;
  for (int k = 0; k < kPerScope; ++k)
    names.push_back("w_" + std::to_string(k));
  return names;
}

// 100k variables, each a scalar with a zeros initializer unless `glorot`.
void build_store(vs::Graph& g, bool glorot) {
  const auto names = variable_names();
  const vs::GetVariableOptions options{
      .shape = vs::Shape{4},
      .initializer = glorot ? vs::Initializer(vs::glorot_uniform_initializer())
                            : vs::Initializer(vs::zeros_initializer())};
  for (int i = 0; i < kOuter; ++i) {
    auto outer = g.variable_scope("block_" + std::to_string(i));
    for (int j = 0; j < kInner; ++j) {
      auto inner = g.variable_scope("layer_" + std::to_string(j));
      for (const auto& name : names)
        benchmark::DoNotOptimize(g.get_variable(name, options));
    }
  }
}

void BM_Cpu_CreateVariables_Ours(benchmark::State& state) {
  const bool glorot = state.range(0) != 0;
  for (auto _ : state) {
    vs::Graph g;
    build_store(g, glorot);
    benchmark::DoNotOptimize(g.num_operations());
  }
  const double n = double(kOuter) * kInner * kPerScope;
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * n));
  state.SetLabel(glorot ? "glorot_uniform (10 ops/variable)" : "zeros (4 ops/variable)");
}
BENCHMARK(BM_Cpu_CreateVariables_Ours)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);

// Baseline: the table work any graph with unique node names must do. The same full node
// names a variable makes (built by concatenation, as ours are), each inserted once into a
// std::unordered_map<std::string, int>, then the map destroyed.
void BM_Cpu_CreateVariables_Baseline_NameTable(benchmark::State& state) {
  const bool glorot = state.range(0) != 0;
  const std::vector<std::string> zeros_nodes = {"", "/Initializer/zeros", "/Assign", "/read"};
  const std::vector<std::string> glorot_nodes = {"",
                                                 "/Initializer/random_uniform/shape",
                                                 "/Initializer/random_uniform/min",
                                                 "/Initializer/random_uniform/max",
                                                 "/Initializer/random_uniform/RandomUniform",
                                                 "/Initializer/random_uniform/sub",
                                                 "/Initializer/random_uniform/mul",
                                                 "/Initializer/random_uniform",
                                                 "/Assign",
                                                 "/read"};
  const auto& suffixes = glorot ? glorot_nodes : zeros_nodes;
  const auto names = variable_names();
  for (auto _ : state) {
    std::unordered_map<std::string, int> table;
    int id = 0;
    for (int i = 0; i < kOuter; ++i) {
      const std::string outer = "block_" + std::to_string(i);
      for (int j = 0; j < kInner; ++j) {
        const std::string scope = outer + "/layer_" + std::to_string(j) + "/";
        for (const auto& name : names)
          for (const auto& suffix : suffixes)
            table.emplace(scope + name + suffix, id++);
      }
    }
    benchmark::DoNotOptimize(table.size());
  }
  const double n = double(kOuter) * kInner * kPerScope;
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * n));
}
BENCHMARK(BM_Cpu_CreateVariables_Baseline_NameTable)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);

// get_variable with reuse inside one scope, with 100k variables in the store.
void BM_Cpu_ReuseLookup_Ours(benchmark::State& state) {
  vs::Graph g;
  build_store(g, false);
  const auto names = variable_names();
  auto outer = g.variable_scope("block_" + std::to_string(kOuter / 2));
  auto inner = g.variable_scope("layer_7", {.reuse = vs::Reuse::kTrue});
  std::size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(g.get_variable(names[i]));
    i = (i + 1) % names.size();
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Cpu_ReuseLookup_Ours);

// Baseline: a hash-map find on the same full names.
void BM_Cpu_ReuseLookup_Baseline_UnorderedMap(benchmark::State& state) {
  std::unordered_map<std::string, int> store;
  int id = 0;
  for (int i = 0; i < kOuter; ++i)
    for (int j = 0; j < kInner; ++j)
      for (int k = 0; k < kPerScope; ++k)
        store.emplace("block_" + std::to_string(i) + "/layer_" + std::to_string(j) + "/w_" +
                          std::to_string(k),
                      id++);
  const auto names = variable_names();
  const std::string prefix = "block_" + std::to_string(kOuter / 2) + "/layer_7";
  std::size_t i = 0;
  for (auto _ : state) {
    // get_variable must build the full name from the scope too.
    benchmark::DoNotOptimize(store.find(prefix + "/" + names[i]));
    i = (i + 1) % names.size();
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Cpu_ReuseLookup_Baseline_UnorderedMap);

// Enter and exit a reuse variable scope (a name scope is uniquified each time) and look
// one variable up: the cost of the TF1 sharing idiom.
void BM_Cpu_ScopeEnterLookupExit_Ours(benchmark::State& state) {
  vs::Graph g;
  build_store(g, false);
  for (auto _ : state) {
    auto outer =
        g.variable_scope("block_" + std::to_string(kOuter / 2), {.reuse = vs::Reuse::kTrue});
    auto inner = g.variable_scope("layer_7");
    benchmark::DoNotOptimize(g.get_variable("w_3"));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Cpu_ScopeEnterLookupExit_Ours);

}  // namespace
