// varscope-diff: compares two checkpoints by name (or two .npy golden files), for regression
// suites. A checkpoint is a safetensors file, a TensorFlow checkpoint prefix (model.ckpt-100,
// written by TF or by vs::Saver) or a directory (its latest checkpoint); the two may be of
// different formats.
//
//   varscope-diff A.safetensors B.safetensors [--rtol R] [--atol A] [--top N]
//   varscope-diff dir/model.ckpt-100 B.safetensors [...]
//   varscope-diff A.npy B.npy [...]
//
// Lists the names only in one file, the entries whose shape or dtype differ, and for each
// entry with values beyond tolerance the N worst elements. An element is within tolerance
// when |a - b| <= atol + rtol * |b| (numpy.isclose; defaults rtol=1e-05, atol=1e-08); NaN
// matches NaN, and an infinity matches only the same infinity. Metadata is not compared.
// Exit status: 0 the files match, 1 they differ, 2 bad usage or an unreadable file.
#include <varscope/checkpoint.h>
#include <varscope/errors.h>
#include <varscope/tensor_files.h>

#include <algorithm>
#include <cmath>
#include <complex>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <limits>
#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace vs = varscope;

namespace {

constexpr const char* kUsage =
    "usage: varscope-diff A.safetensors B.safetensors [--rtol R] [--atol A] [--top N]\n"
    "       varscope-diff A.npy B.npy [--rtol R] [--atol A] [--top N]\n"
    "  Compares two checkpoints by name (or two .npy files); a checkpoint is a safetensors\n"
    "  file, a TensorFlow checkpoint prefix (dir/model.ckpt-100) or a directory (its latest\n"
    "  checkpoint), of either format. Exit status: 0 same (within\n"
    "  tolerance),\n"
    "  1 different, 2 bad usage or unreadable file.\n"
    "  --rtol R  relative tolerance (default 1e-05)\n"
    "  --atol A  absolute tolerance (default 1e-08)\n"
    "  --top N   worst elements listed per entry (default 5)\n";

struct Options {
  std::string a, b;
  double rtol = 1e-5;
  double atol = 1e-8;
  long top = 5;
};

struct Bad {
  std::int64_t index;
  double a_value, b_value;  // real parts for complex64
  double diff;              // |a - b|, infinity when only one side is NaN
  double excess;            // diff - tolerance, the ranking key
};

bool parse_number(const std::string& text, double& out) {
  char* end = nullptr;
  out = std::strtod(text.c_str(), &end);
  return !text.empty() && end != nullptr && *end == '\0' && std::isfinite(out) && out >= 0;
}

bool parse_args(int argc, char** argv, Options& opt, std::string& error) {
  std::vector<std::string> files;
  std::vector<std::string> args(argv + 1, argv + argc);
  // --rtol=R is --rtol R.
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::size_t eq = args[i].find('=');
    if (args[i].rfind("--", 0) == 0 && eq != std::string::npos) {
      args.insert(args.begin() + static_cast<std::ptrdiff_t>(i) + 1, args[i].substr(eq + 1));
      args[i].resize(eq);
      ++i;
    }
  }
  const int count = static_cast<int>(args.size());
  for (int i = 0; i < count; ++i) {
    const std::string arg = args[static_cast<std::size_t>(i)];
    auto value = [&](const char* flag) -> std::string {
      if (i + 1 >= count) {
        error = std::string(flag) + " needs a value";
        return {};
      }
      return args[static_cast<std::size_t>(++i)];
    };
    if (arg == "--rtol" || arg == "--atol") {
      const std::string v = value(arg.c_str());
      double& target = arg == "--rtol" ? opt.rtol : opt.atol;
      if (!error.empty()) return false;
      if (!parse_number(v, target)) {
        error = arg + " needs a non-negative number, got '" + v + "'";
        return false;
      }
    } else if (arg == "--top") {
      const std::string v = value("--top");
      if (!error.empty()) return false;
      double n = 0;
      if (!parse_number(v, n) || n != std::floor(n)) {
        error = "--top needs a non-negative integer, got '" + v + "'";
        return false;
      }
      // Past what a long holds means "all of them" (a cast would be undefined).
      opt.top = n >= 9.2e18 ? std::numeric_limits<long>::max() : static_cast<long>(n);
    } else if (arg == "-h" || arg == "--help") {
      error = "help";
      return false;
    } else if (arg.size() > 1 && arg[0] == '-') {
      error = "unknown option " + arg;
      return false;
    } else {
      files.push_back(arg);
    }
  }
  if (files.size() != 2) {
    error = "expected two files, got " + std::to_string(files.size());
    return false;
  }
  opt.a = files[0];
  opt.b = files[1];
  return true;
}

std::string index_string(const vs::Shape& shape, std::int64_t flat) {
  const auto& dims = shape.dims();
  std::vector<std::int64_t> idx(dims.size());
  for (std::size_t k = dims.size(); k-- > 0;) {
    idx[k] = flat % dims[k];
    flat /= dims[k];
  }
  std::string out = "[";
  for (std::size_t k = 0; k < idx.size(); ++k) {
    if (k) out += ", ";
    out += std::to_string(idx[k]);
  }
  return out + "]";
}

std::string number(double v, vs::DType dtype) {
  char buf[64];
  const bool wide = dtype == vs::DType::kFloat64 || vs::is_integer(dtype);
  std::snprintf(buf, sizeof(buf), "%.*g", wide ? 17 : 9, v);
  return buf;
}

constexpr double kInf = std::numeric_limits<double>::infinity();

// Elements beyond tolerance, worst first.
std::vector<Bad> compare(const vs::HostTensor& a, const vs::HostTensor& b, const Options& opt) {
  std::vector<Bad> bad;
  const std::int64_t n = a.num_elements();
  const auto* pa = static_cast<const unsigned char*>(a.raw_data());
  const auto* pb = static_cast<const unsigned char*>(b.raw_data());
  for (std::int64_t i = 0; i < n; ++i) {
    double x = 0, y = 0, diff = 0, magnitude_b = 0;
    bool nan_x = false, nan_y = false;
    if (a.dtype() == vs::DType::kComplex64) {
      float xa[2], yb[2];
      std::memcpy(xa, pa + 8 * i, 8);
      std::memcpy(yb, pb + 8 * i, 8);
      const std::complex<double> cx(xa[0], xa[1]), cy(yb[0], yb[1]);
      nan_x = std::isnan(xa[0]) || std::isnan(xa[1]);
      nan_y = std::isnan(yb[0]) || std::isnan(yb[1]);
      x = cx.real();
      y = cy.real();
      diff = cx == cy                                               ? 0.0
             : std::isinf(std::abs(cx)) || std::isinf(std::abs(cy)) ? kInf
                                                                    : std::abs(cx - cy);
      magnitude_b = std::abs(cy);
    } else if (a.dtype() == vs::DType::kString) {  // equal or not: no magnitude to print
      diff = a.data<std::string>()[static_cast<std::size_t>(i)] ==
                     b.data<std::string>()[static_cast<std::size_t>(i)]
                 ? 0.0
                 : kInf;
    } else if (a.dtype() == vs::DType::kInt64) {
      std::int64_t xi, yi;
      std::memcpy(&xi, pa + 8 * i, 8);
      std::memcpy(&yi, pb + 8 * i, 8);
      x = static_cast<double>(xi);
      y = static_cast<double>(yi);
      diff = xi == yi ? 0.0 : std::max(std::abs(x - y), 1.0);
      magnitude_b = std::abs(y);
    } else {
      x = a.element_as_double(i);
      y = b.element_as_double(i);
      nan_x = std::isnan(x);
      nan_y = std::isnan(y);
      // numpy.isclose: an infinity is close only to the same infinity (the tolerance of
      // an infinite b is infinite, so |a - b| <= tolerance would say yes to anything).
      diff = x == y ? 0.0 : std::isinf(x) || std::isinf(y) ? kInf : std::abs(x - y);
      magnitude_b = std::abs(y);
    }
    if (nan_x && nan_y) continue;
    const double tolerance = opt.atol + opt.rtol * magnitude_b;
    if (nan_x || nan_y || std::isnan(diff)) {
      diff = kInf;
    } else if (!std::isinf(diff) && diff <= tolerance) {
      continue;
    }
    const double excess = std::isinf(diff) ? diff : diff - tolerance;
    bad.push_back(Bad{i, x, y, diff, excess});
  }
  std::stable_sort(bad.begin(), bad.end(),
                   [](const Bad& l, const Bad& r) { return l.excess > r.excess; });
  return bad;
}

// A TF checkpoint: a prefix (<path>.index is there) or a directory with a `checkpoint` state
// file; load_checkpoint reads it.
bool is_tf_checkpoint(const std::string& path) {
  std::error_code ec;
  return std::filesystem::exists(path + ".index", ec) ||
         (std::filesystem::is_directory(path, ec) &&
          std::filesystem::exists(path + "/checkpoint", ec));
}

// A .npy file starts with its magic string; a safetensors file with a header length. A file
// that cannot be opened or read (missing, a directory, no permission) is handed to the
// reader, whose error says so ("open(<path>) failed: No such file or directory"), rather
// than being called "not a .npy file".
bool is_npy(const std::string& path) {
  if (is_tf_checkpoint(path)) return false;
  std::ifstream in(path, std::ios::binary);
  char magic[6] = {};
  if (in.is_open()) in.read(magic, sizeof(magic));
  if (!in.is_open() || (!in && !in.eof())) {
    (void)vs::read_safetensors(path);  // throws the reason; were it readable now, it is one
    return false;
  }
  return in.gcount() == sizeof(magic) && std::memcmp(magic, "\x93NUMPY", sizeof(magic)) == 0;
}

// A .npy file's one tensor, under the name the report uses for it.
std::map<std::string, vs::HostTensor> npy_entry(const std::string& path) {
  std::map<std::string, vs::HostTensor> out;
  out.emplace("array", vs::read_npy(path));
  return out;
}

// Every tensor of a checkpoint of either format (varscope/checkpoint.h).
std::map<std::string, vs::HostTensor> checkpoint_entries(const std::string& path) {
  const vs::train::CheckpointReader reader = vs::train::load_checkpoint(path);
  std::map<std::string, vs::HostTensor> out;
  for (const auto& entry : reader.variable_to_shape_map())
    out.emplace(entry.first, reader.get_tensor(entry.first));
  return out;
}

std::string describe(const vs::HostTensor& t) {
  return std::string(vs::dtype_name(t.dtype())) + " " + t.shape().to_string();
}

}  // namespace

int main(int argc, char** argv) {
  Options opt;
  std::string error;
  if (!parse_args(argc, argv, opt, error)) {
    if (error == "help") {
      std::cout << kUsage;
      return 0;
    }
    std::cerr << "varscope-diff: " << error << "\n" << kUsage;
    return 2;
  }
  std::map<std::string, vs::HostTensor> a, b;
  try {
    const bool npy_a = is_npy(opt.a), npy_b = is_npy(opt.b);
    if (npy_a != npy_b) {
      throw vs::InvalidArgumentError((npy_a ? opt.a : opt.b) + " is a .npy file and " +
                                     (npy_a ? opt.b : opt.a) +
                                     " is not: compare two checkpoints or two .npy files");
    }
    a = npy_a ? npy_entry(opt.a) : checkpoint_entries(opt.a);
    b = npy_b ? npy_entry(opt.b) : checkpoint_entries(opt.b);
  } catch (const std::exception& e) {
    std::cerr << "varscope-diff: " << e.what() << "\n";
    return 2;
  }

  int only_a = 0, only_b = 0, mismatched = 0, differing = 0, compared = 0;
  for (const auto& [name, t] : a) {
    if (!b.count(name)) {
      std::cout << "only in " << opt.a << ": " << name << "\n";
      ++only_a;
    }
  }
  for (const auto& [name, t] : b) {
    if (!a.count(name)) {
      std::cout << "only in " << opt.b << ": " << name << "\n";
      ++only_b;
    }
  }
  for (const auto& [name, ta] : a) {
    const auto it = b.find(name);
    if (it == b.end()) continue;
    const vs::HostTensor& tb = it->second;
    ++compared;
    if (ta.dtype() != tb.dtype() || ta.shape() != tb.shape()) {
      std::cout << "shape/dtype mismatch: " << name << ": " << describe(ta) << " vs "
                << describe(tb) << "\n";
      ++mismatched;
      continue;
    }
    const std::vector<Bad> bad = compare(ta, tb, opt);
    if (bad.empty()) continue;
    ++differing;
    std::cout << "values differ: " << name << ": " << bad.size() << " of " << ta.num_elements()
              << " elements beyond tolerance (rtol=" << opt.rtol << ", atol=" << opt.atol
              << "); worst:\n";
    for (std::size_t k = 0; k < bad.size() && k < static_cast<std::size_t>(opt.top); ++k) {
      const Bad& e = bad[k];
      std::cout << "  " << name << index_string(ta.shape(), e.index)
                << ": a=" << number(e.a_value, ta.dtype()) << " b=" << number(e.b_value, ta.dtype())
                << " |a-b|=" << number(e.diff, vs::DType::kFloat64) << "\n";
    }
  }
  const bool same = only_a == 0 && only_b == 0 && mismatched == 0 && differing == 0;
  std::cout << (same ? "same: " : "different: ") << compared << " names compared, " << only_a
            << " only in A, " << only_b << " only in B, " << mismatched
            << " shape/dtype mismatches, " << differing << " with values beyond tolerance\n";
  return same ? 0 : 1;
}
