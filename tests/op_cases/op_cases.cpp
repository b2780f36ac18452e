#include "op_cases/op_case.h"

namespace varscope::testing {

const std::vector<OpCase>& op_cases() {
  static const std::vector<OpCase> all = [] {
    std::vector<OpCase> cases;
    for (auto part : {state_cases, array_cases, random_cases, math_cases, nn_cases, conv_cases,
                      training_cases, reduction_cases, collective_cases, summary_cases})
      for (OpCase& c : part())
        cases.push_back(std::move(c));
    return cases;
  }();
  return all;
}

}  // namespace varscope::testing
