// TF1's init_ops: the factories, and what each builds when a variable calls it.
#include "varscope/initializers.h"

#include <algorithm>
#include <cmath>

#include "host/graph/builders.h"
#include "varscope/errors.h"

namespace varscope {

Initializer zeros_initializer() {
  return Initializer(Initializer::Kind::kZeros, {});
}
Initializer ones_initializer() {
  return Initializer(Initializer::Kind::kOnes, {});
}

Initializer constant_initializer(double value, ConstantInitializerOptions options) {
  return constant_initializer(std::vector<double>{value}, options);
}

Initializer constant_initializer(std::vector<double> values, ConstantInitializerOptions options) {
  Initializer::Params p;
  p.values = std::move(values);
  p.verify_shape = options.verify_shape;
  return Initializer(Initializer::Kind::kConstant, std::move(p));
}

Initializer random_uniform_initializer(RandomUniformOptions options) {
  Initializer::Params p;
  p.minval = options.minval;
  p.maxval = options.maxval;
  p.seed = options.seed;
  return Initializer(Initializer::Kind::kRandomUniform, std::move(p));
}

namespace {

Initializer normal_initializer(Initializer::Kind kind, const RandomNormalOptions& options) {
  Initializer::Params p;
  p.mean = options.mean;
  p.stddev = options.stddev;
  p.seed = options.seed;
  return Initializer(kind, std::move(p));
}

}  // namespace

Initializer random_normal_initializer(RandomNormalOptions options) {
  return normal_initializer(Initializer::Kind::kRandomNormal, options);
}

Initializer truncated_normal_initializer(RandomNormalOptions options) {
  return normal_initializer(Initializer::Kind::kTruncatedNormal, options);
}

Initializer variance_scaling_initializer(VarianceScalingOptions options) {
  if (!(options.scale > 0.0)) throw ValueError("`scale` must be positive float.");
  Initializer::Params p;
  p.scale = options.scale;
  p.mode = options.mode;
  p.distribution = options.distribution;
  p.seed = options.seed;
  return Initializer(Initializer::Kind::kVarianceScaling, std::move(p));
}

Initializer glorot_uniform_initializer(SeedOptions options) {
  return variance_scaling_initializer({.scale = 1.0,
                                       .mode = FanMode::kFanAvg,
                                       .distribution = Distribution::kUniform,
                                       .seed = options.seed});
}

Initializer glorot_normal_initializer(SeedOptions options) {
  return variance_scaling_initializer({.scale = 1.0,
                                       .mode = FanMode::kFanAvg,
                                       .distribution = Distribution::kTruncatedNormal,
                                       .seed = options.seed});
}

namespace detail {
namespace {

// init_ops._compute_fans
std::pair<double, double> compute_fans(const Shape& shape) {
  const auto& d = shape.dims();
  if (d.empty()) return {1.0, 1.0};
  if (d.size() == 1) return {double(d[0]), double(d[0])};
  if (d.size() == 2) return {double(d[0]), double(d[1])};
  double receptive_field = 1.0;
  for (std::size_t i = 0; i + 2 < d.size(); ++i)
    receptive_field *= double(d[i]);
  return {double(d[d.size() - 2]) * receptive_field, double(d[d.size() - 1]) * receptive_field};
}

void require_floating(DType dtype) {
  if (!is_floating(dtype)) {
    throw ValueError("Expected floating point type, got " + dtype_repr(dtype) + ".");
  }
}

}  // namespace

TensorRef build_initializer(GraphImpl& g,
                            const Initializer& init,
                            const Shape& shape,
                            DType dtype,
                            const Shape* full_shape) {
  const Initializer::Params& p = init.params();
  switch (init.kind()) {
    case Initializer::Kind::kZeros:
      return build_fill(g, shape, dtype, 0.0, "zeros");
    case Initializer::Kind::kOnes:
      return build_fill(g, shape, dtype, 1.0, "ones");
    case Initializer::Kind::kConstant: {
      HostTensor values(p.values, Shape{static_cast<std::int64_t>(p.values.size())});
      if (p.values.size() == 1 && !p.verify_shape) values = HostTensor::scalar(p.values[0]);
      return build_constant(g, values, dtype, shape, p.verify_shape, "Const");
    }
    case Initializer::Kind::kRandomUniform:
      return build_random_uniform(g, shape, p.minval, p.maxval, dtype, p.seed, "random_uniform");
    case Initializer::Kind::kRandomNormal:
      require_floating(dtype);
      return build_random_normal(g, shape, p.mean, p.stddev, dtype, p.seed, false, "random_normal");
    case Initializer::Kind::kTruncatedNormal:
      require_floating(dtype);
      return build_random_normal(g, shape, p.mean, p.stddev, dtype, p.seed, true,
                                 "truncated_normal");
    case Initializer::Kind::kVarianceScaling: {
      require_floating(dtype);
      const auto [fan_in, fan_out] = compute_fans(full_shape ? *full_shape : shape);
      double scale = p.scale;
      switch (p.mode) {
        case FanMode::kFanIn:
          scale /= std::max(1.0, fan_in);
          break;
        case FanMode::kFanOut:
          scale /= std::max(1.0, fan_out);
          break;
        case FanMode::kFanAvg:
          scale /= std::max(1.0, (fan_in + fan_out) / 2.0);
          break;
      }
      switch (p.distribution) {
        case Distribution::kTruncatedNormal:
          // 0.879...: the stddev of a unit normal truncated to [-2, 2].
          return build_random_normal(g, shape, 0.0, std::sqrt(scale) / .87962566103423978, dtype,
                                     p.seed, true, "truncated_normal");
        case Distribution::kUntruncatedNormal:
          return build_random_normal(g, shape, 0.0, std::sqrt(scale), dtype, p.seed, false,
                                     "random_normal");
        case Distribution::kUniform: {
          const double limit = std::sqrt(3.0 * scale);
          return build_random_uniform(g, shape, -limit, limit, dtype, p.seed, "random_uniform");
        }
      }
      break;
    }
    case Initializer::Kind::kTensor:
      return g.ref_of(init.tensor());
  }
  throw InternalError("unknown initializer kind");
}

}  // namespace detail
}  // namespace varscope
