// TF1 initializers (tf.*_initializer). An Initializer is a recipe: get_variable calls it
// with the variable's shape and dtype, and it builds TF's ops under "<var>/Initializer/".
// A Tensor converts to an Initializer too: the variable then takes that tensor's value,
// dtype and shape, as TF's `get_variable(name, initializer=tensor)`.
#pragma once
// The public API: exported from a library built with hidden visibility.
#pragma GCC visibility push(default)

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "varscope/dtype.h"
#include "varscope/tensor.h"

namespace varscope {

enum class FanMode { kFanIn, kFanOut, kFanAvg };
enum class Distribution { kTruncatedNormal, kUntruncatedNormal, kUniform };

class Initializer {
 public:
  enum class Kind {
    kZeros,
    kOnes,
    kConstant,
    kRandomUniform,
    kRandomNormal,
    kTruncatedNormal,
    kVarianceScaling,
    kTensor,
  };
  // What the factories below fill in; each kind reads only its own fields.
  struct Params {
    std::vector<double> values;  // constant
    bool verify_shape = false;   // constant
    double minval = 0.0;         // random_uniform
    std::optional<double> maxval;
    double mean = 0.0;  // random_normal, truncated_normal
    double stddev = 1.0;
    double scale = 1.0;  // variance_scaling
    FanMode mode = FanMode::kFanIn;
    Distribution distribution = Distribution::kTruncatedNormal;
    std::optional<std::int64_t> seed;
  };

  Initializer(Tensor value) : kind_(Kind::kTensor), tensor_(std::move(value)) {}
  Initializer(Kind kind, Params params) : kind_(kind), params_(std::move(params)) {}

  Kind kind() const { return kind_; }
  bool is_tensor() const { return kind_ == Kind::kTensor; }
  const Tensor& tensor() const { return tensor_; }
  const Params& params() const { return params_; }

 private:
  Kind kind_;
  Tensor tensor_;
  Params params_;
};

struct ConstantInitializerOptions {
  bool verify_shape = false;
};
struct RandomUniformOptions {
  double minval = 0.0;
  std::optional<double> maxval{};  // 1 for floats; required for integer dtypes
  std::optional<std::int64_t> seed{};
};
struct RandomNormalOptions {
  double mean = 0.0;
  double stddev = 1.0;
  std::optional<std::int64_t> seed{};
};
struct VarianceScalingOptions {
  double scale = 1.0;
  FanMode mode = FanMode::kFanIn;
  Distribution distribution = Distribution::kTruncatedNormal;
  std::optional<std::int64_t> seed{};
};
struct SeedOptions {
  std::optional<std::int64_t> seed{};
};

Initializer zeros_initializer();
Initializer ones_initializer();
// A scalar broadcasts; a shorter list repeats its last value; a longer one is an error
// when the initializer is called ("Too many elements provided. ...").
Initializer constant_initializer(double value, ConstantInitializerOptions options = {});
Initializer constant_initializer(std::vector<double> values,
                                 ConstantInitializerOptions options = {});
Initializer random_uniform_initializer(RandomUniformOptions options = {});
Initializer random_normal_initializer(RandomNormalOptions options = {});
Initializer truncated_normal_initializer(RandomNormalOptions options = {});
// Throws vs::ValueError("`scale` must be positive float.") for scale <= 0.
Initializer variance_scaling_initializer(VarianceScalingOptions options = {});
Initializer glorot_uniform_initializer(SeedOptions options = {});
Initializer glorot_normal_initializer(SeedOptions options = {});

}  // namespace varscope

#pragma GCC visibility pop
