// libFuzzer target: any bytes as a .safetensors file. The reader must either refuse them
// with a vs::Error or return tensors that write back and read again unchanged.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "varscope/varscope.h"

namespace vs = varscope;

namespace {

std::string scratch(const char* suffix) {
  return "/tmp/varscope_fuzz_" + std::to_string(getpid()) + suffix;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string in = scratch("_in.safetensors");
  const std::string out = scratch("_out.safetensors");
  std::FILE* f = std::fopen(in.c_str(), "wb");
  if (f == nullptr) std::abort();
  if (size > 0 && std::fwrite(data, 1, size, f) != size) std::abort();
  std::fclose(f);
  try {
    const auto tensors = vs::read_safetensors(in);
    const auto metadata = vs::read_safetensors_metadata(in);
    vs::write_safetensors(out, tensors, metadata);
    if (vs::read_safetensors(out) != tensors) std::abort();
    if (vs::read_safetensors_metadata(out) != metadata) std::abort();
  } catch (const vs::Error&) {
    // A clear refusal is the expected outcome for almost every input.
  }
  return 0;
}
