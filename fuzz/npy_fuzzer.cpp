// libFuzzer target for .npy: (1) any bytes as a file: refused with a vs::Error or read
// into a tensor that round-trips; (2) a tensor made from the bytes (dtype, shape, data)
// written and read back unchanged.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "varscope/varscope.h"

namespace vs = varscope;

namespace {

std::string scratch(const char* suffix) {
  return "/tmp/varscope_fuzz_" + std::to_string(getpid()) + suffix;
}

void round_trip(const vs::HostTensor& t) {
  const std::string path = scratch("_rt.npy");
  vs::write_npy(path, t);
  if (!(vs::read_npy(path) == t)) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string in = scratch("_in.npy");
  std::FILE* f = std::fopen(in.c_str(), "wb");
  if (f == nullptr) std::abort();
  if (size > 0 && std::fwrite(data, 1, size, f) != size) std::abort();
  std::fclose(f);
  try {
    round_trip(vs::read_npy(in));
  } catch (const vs::Error&) {
  }

  // (2) dtype from byte 0, rank and dims from the next bytes, values from the rest.
  if (size < 2) return 0;
  static const vs::DType kTypes[] = {vs::DType::kFloat32, vs::DType::kFloat64, vs::DType::kInt32,
                                     vs::DType::kInt64,   vs::DType::kInt8,    vs::DType::kUInt8,
                                     vs::DType::kFloat16, vs::DType::kBool};
  const vs::DType dtype = kTypes[data[0] % 8];
  const int rank = data[1] % 4;
  std::vector<std::int64_t> dims;
  for (int d = 0; d < rank; ++d)
    dims.push_back(2 + d < static_cast<int>(size) ? data[2 + d] % 5 : 1);
  vs::HostTensor t(dtype, vs::Shape(dims));
  const std::size_t offset = 2 + static_cast<std::size_t>(rank);
  const std::size_t n = std::min(t.nbytes(), size > offset ? size - offset : 0);
  if (n > 0) std::memcpy(t.raw_data(), data + offset, n);
  if (dtype == vs::DType::kBool) {  // only 0 and 1 are bools
    auto* b = static_cast<std::uint8_t*>(t.raw_data());
    for (std::size_t i = 0; i < t.nbytes(); ++i)
      b[i] &= 1;
  }
  try {
    round_trip(t);
  } catch (const vs::Error& e) {
    std::fprintf(stderr, "a valid tensor failed to round-trip: %s\n", e.what());
    std::abort();
  }
  return 0;
}
