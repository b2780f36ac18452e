// The safetensors format (huggingface/safetensors README "Format"; reference reader
// safetensors/src/tensor.rs): [u64 N little-endian][N bytes of JSON header][data buffer].
// Private to the library; tests include it to reach the injectable sink.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "host/io/file.h"
#include "varscope/dtype.h"
#include "varscope/host_tensor.h"
#include "varscope/shape.h"

namespace varscope::io {

// The reference reader's MAX_HEADER_SIZE.
inline constexpr std::uint64_t kMaxSafetensorsHeader = 100'000'000;

// "F32", "BF16", "C64", ...
std::string_view safetensors_dtype_name(DType dtype);
// std::nullopt for a string that names no dtype varscope has.
std::optional<DType> dtype_from_safetensors_name(std::string_view name);

struct SafetensorsEntry {
  std::string name;
  DType dtype;
  Shape shape;
  std::uint64_t begin;  // offsets into the data buffer, end one past
  std::uint64_t end;
};

struct SafetensorsHeader {
  std::map<std::string, std::string> metadata;
  std::vector<SafetensorsEntry> entries;  // by offset
  std::uint64_t data_start = 0;           // 8 + N
};

// Reads and validates the header of an open file (positioned at 0) against its size; leaves
// the file positioned at the data buffer. vs::DataLossError names the first problem.
SafetensorsHeader read_safetensors_header(InputFile& file);

// Emits the whole file into `sink`. vs::InvalidArgumentError for a name the format cannot
// hold ("__metadata__", invalid UTF-8).
void serialize_safetensors(const std::map<std::string, HostTensor>& tensors,
                           const std::map<std::string, std::string>& metadata,
                           const ByteSink& sink);

// write_safetensors with a filter over the file sink (see write_file_atomically).
void write_safetensors_file(const std::string& path,
                            const std::map<std::string, HostTensor>& tensors,
                            const std::map<std::string, std::string>& metadata,
                            const SinkFilter& filter);

}  // namespace varscope::io
