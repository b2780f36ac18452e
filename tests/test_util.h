// Helpers shared by the test binaries.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <filesystem>
#include <fstream>
#include <optional>
#include <random>
#include <source_location>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <typeinfo>
#include <vector>

#include "varscope/graph.h"
#include "varscope/host_tensor.h"
#include "varscope/variable.h"

namespace varscope::testing {

// An environment variable set (or unset) for the test's lifetime, restored after.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    if (value) {
      setenv(name, value, 1);
    } else {
      unsetenv(name);
    }
  }
  ~ScopedEnv() {
    if (old_) {
      setenv(name_, old_->c_str(), 1);
    } else {
      unsetenv(name_);
    }
  }

 private:
  const char* name_;
  std::optional<std::string> old_;
};

// Runs f, which must throw E; returns the exception's message. Any other outcome fails the
// test (and returns a marker that no expected message equals).
template <typename E, typename F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const E& e) {
    return e.what();
  } catch (const std::exception& e) {
    ADD_FAILURE() << "threw another exception type (" << typeid(e).name() << "): " << e.what();
    return "<wrong exception type>";
  }
  ADD_FAILURE() << "did not throw";
  return "<no exception>";
}

// True when `text` contains `n` as a whole decimal number.
inline bool HasNumber(const std::string& text, int n) {
  const std::string want = std::to_string(n);
  for (std::size_t i = text.find(want); i != std::string::npos; i = text.find(want, i + 1)) {
    const bool left = i == 0 || !std::isdigit(static_cast<unsigned char>(text[i - 1]));
    const std::size_t end = i + want.size();
    const bool right = end == text.size() || !std::isdigit(static_cast<unsigned char>(text[end]));
    if (left && right) return true;
  }
  return false;
}

inline bool StartsWith(const std::string& text, const std::string& prefix) {
  return text.rfind(prefix, 0) == 0;
}

// E1/R5: TF's text up to the list of call sites.
inline std::string AlreadyExistsPrefix(const std::string& store_name) {
  return "Variable " + store_name +
         " already exists, disallowed. Did you mean to set reuse=True or "
         "reuse=tf.AUTO_REUSE in VarScope? Originally defined at:\n\n";
}

// E1/R5: TF's exact text, then the C++ call site of the original creation (`file`, `line`).
inline void ExpectAlreadyExists(const std::string& message,
                                const std::string& store_name,
                                const char* file,
                                int line) {
  const std::string prefix = AlreadyExistsPrefix(store_name);
  ASSERT_EQ(message.substr(0, prefix.size()), prefix) << message;
  const std::string rest = message.substr(prefix.size());
  const std::size_t at = rest.find(file);
  ASSERT_NE(at, std::string::npos) << "no call site in " << file << ":\n" << message;
  EXPECT_TRUE(HasNumber(rest.substr(at), line))
      << "line " << line << " not named after the file in:\n"
      << message;
}

// The same, the call site being in the caller's own source file (named without its directory).
inline void ExpectAlreadyExists(const std::string& message,
                                const std::string& store_name,
                                int line,
                                std::source_location caller = std::source_location::current()) {
  const std::string file = std::filesystem::path(caller.file_name()).filename().string();
  ExpectAlreadyExists(message, store_name, file.c_str(), line);
}

inline std::string DoesNotExist(const std::string& store_name) {
  return "Variable " + store_name +
         " does not exist, or was not created with tf.get_variable(). Did you mean to set "
         "reuse=tf.AUTO_REUSE in VarScope?";
}

// get_variable(name, []) and get_variable(name, [1]): TF's tests' usual variables.
inline Variable Scalar(Graph& g, const std::string& name) {
  return g.get_variable(name, {.shape = Shape()});
}
inline Variable Vec1(Graph& g, const std::string& name) {
  return g.get_variable(name, {.shape = Shape{1}});
}

// The string `with g.name_scope(name) as s` yields ("V1_1/").
inline std::string NameScope(Graph& g, const std::string& name) {
  return g.name_scope(name).name();
}

inline std::vector<std::string> Names(const std::vector<Variable>& vars) {
  std::vector<std::string> out;
  for (const Variable& v : vars)
    out.push_back(v.name());
  return out;
}

// A float32 tensor's values, for EXPECT_EQ against a std::vector<float>.
// n floats uniform in [lo, hi), the same for the same seed.
inline std::vector<float> uniform_floats(std::size_t n, unsigned seed, float lo, float hi) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(lo, hi);
  std::vector<float> v(n);
  for (float& x : v)
    x = u(rng);
  return v;
}

inline std::vector<float> values(const HostTensor& t) {
  auto d = t.data<float>();
  return {d.begin(), d.end()};
}

// Same dtype, shape and bytes (memcmp of raw_data): the bit-parity check of CPU against GPU
// results. On a difference, how many elements differ and the first one, as value and bits.
inline ::testing::AssertionResult SameBytes(const HostTensor& cpu, const HostTensor& gpu) {
  if (cpu.dtype() != gpu.dtype() || cpu.shape() != gpu.shape()) {
    return ::testing::AssertionFailure()
           << "CPU " << cpu.dtype() << cpu.shape().to_list_string() << " vs GPU " << gpu.dtype()
           << gpu.shape().to_list_string();
  }
  if (cpu.nbytes() != gpu.nbytes()) {
    return ::testing::AssertionFailure()
           << "sizes differ: " << cpu.nbytes() << " vs " << gpu.nbytes();
  }
  if (cpu.nbytes() == 0 || std::memcmp(cpu.raw_data(), gpu.raw_data(), cpu.nbytes()) == 0) {
    return ::testing::AssertionSuccess();
  }
  const std::size_t size = dtype_size(cpu.dtype());
  const auto bytes_of = [size](const HostTensor& t, std::int64_t i) {
    return static_cast<const char*>(t.raw_data()) + static_cast<std::size_t>(i) * size;
  };
  const auto hex = [&](const HostTensor& t, std::int64_t i) {
    std::uint64_t bits = 0;
    std::memcpy(&bits, bytes_of(t, i), size);
    char buf[24];
    std::snprintf(buf, sizeof buf, "0x%0*llx", static_cast<int>(2 * size),
                  static_cast<unsigned long long>(bits));
    return std::string(buf);
  };
  std::int64_t first = -1;
  std::int64_t count = 0;
  for (std::int64_t i = 0; i < cpu.num_elements(); ++i) {
    if (std::memcmp(bytes_of(cpu, i), bytes_of(gpu, i), size) != 0) {
      if (first < 0) first = i;
      ++count;
    }
  }
  std::ostringstream os;
  os.precision(17);
  os << count << " of " << cpu.num_elements() << " elements differ; first is element " << first
     << ": CPU " << cpu.element_as_double(first) << " (" << hex(cpu, first) << ") vs GPU "
     << gpu.element_as_double(first) << " (" << hex(gpu, first) << ")";
  return ::testing::AssertionFailure() << os.str();
}

// A directory of its own under the system temp directory (mkdtemp), removed with everything
// in it when the object goes.
class TempDir {
 public:
  explicit TempDir(std::string_view prefix = "varscope_test") {
    std::string pattern =
        (std::filesystem::temp_directory_path() / (std::string(prefix) + "_XXXXXX")).string();
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  std::string path() const { return path_.string(); }
  std::string file(const std::string& name) const { return (path_ / name).string(); }
  // The names in the directory, sorted.
  std::vector<std::string> entries() const {
    std::vector<std::string> out;
    for (const auto& e : std::filesystem::directory_iterator(path_))
      out.push_back(e.path().filename().string());
    std::sort(out.begin(), out.end());
    return out;
  }

 private:
  std::filesystem::path path_;
};

// A whole file as bytes ("" when it cannot be opened).
inline std::string read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Replaces a file's contents with `bytes`.
inline void write_bytes(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

}  // namespace varscope::testing
