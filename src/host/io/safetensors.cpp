// The safetensors format: writing, and reading with every rule of the reference reader
// checked before any value is returned.
#include "host/io/safetensors.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cstring>
#include <limits>
#include <nlohmann/json.hpp>
#include <tuple>
#include <unordered_set>
#include <utility>

#include "varscope/errors.h"
#include "varscope/tensor_files.h"

namespace varscope {
namespace io {

static_assert(std::endian::native == std::endian::little,
              "safetensors and .npy data are little-endian; big-endian hosts need byte swaps");

namespace {

using json = nlohmann::json;
using ordered_json = nlohmann::ordered_json;

struct DTypeName {
  DType dtype;
  std::string_view name;
  int order;  // the reference Dtype enum's position: its writer sorts by it, descending
};

constexpr std::array<DTypeName, 11> kDTypeNames{{
    {DType::kBool, "BOOL", 0},
    {DType::kUInt8, "U8", 4},
    {DType::kInt8, "I8", 5},
    {DType::kInt16, "I16", 9},
    {DType::kFloat16, "F16", 11},
    {DType::kBFloat16, "BF16", 12},
    {DType::kInt32, "I32", 13},
    {DType::kFloat32, "F32", 15},
    {DType::kComplex64, "C64", 16},
    {DType::kFloat64, "F64", 17},
    {DType::kInt64, "I64", 18},
}};

// Valid in the format, but with no varscope DType.
constexpr std::array<std::string_view, 9> kUnsupportedNames{
    "U16", "U32", "U64", "F8_E5M2", "F8_E4M3", "F8_E8M0", "F4", "F6_E2M3", "F6_E3M2"};

int layout_order(DType dtype) {
  for (const DTypeName& d : kDTypeNames) {
    if (d.dtype == dtype) return d.order;
  }
  return -1;
}

[[noreturn]] void corrupt(const std::string& path, const std::string& problem) {
  throw DataLossError("Corrupt safetensors file " + path + ": " + problem);
}

std::string json_quoted(const std::string& s) {
  return json(s).dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string dims_string(const std::vector<std::uint64_t>& dims) {
  std::string out = "[";
  for (std::size_t i = 0; i < dims.size(); ++i) {
    if (i) out += ",";
    out += std::to_string(dims[i]);
  }
  return out + "]";
}

// At most a short prefix of a JSON value, for error messages: a hostile header can hold
// megabytes in one value.
std::string excerpt(const json& value) {
  constexpr std::size_t kMaxChars = 120;
  std::string text = value.dump(-1, ' ', false, json::error_handler_t::replace);
  if (text.size() > kMaxChars) text = text.substr(0, kMaxChars) + "...";
  return text;
}

// A valid header nests three levels deep ({"name": {"shape": [..]}}); anything much deeper
// is refused before parsing, so no later step (parse, dump, destruction) meets deep input.
constexpr int kMaxHeaderDepth = 16;

void check_nesting(const std::string& path, const std::string& text) {
  int depth = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      if (++depth > kMaxHeaderDepth) {
        corrupt(path, "header nests deeper than " + std::to_string(kMaxHeaderDepth) +
                          " levels at offset " + std::to_string(i));
      }
    } else if (c == '}' || c == ']') {
      --depth;
    }
  }
}

// Duplicate keys are disallowed by the spec; nlohmann would keep the last one silently.
json parse_header(const std::string& path, const std::string& text) {
  // The reference reader requires the header to start with '{' (no BOM, no space).
  if (text.empty() || text[0] != '{') {
    corrupt(path, "header is not a JSON object starting with '{' (no BOM, no leading space)");
  }
  check_nesting(path, text);
  std::vector<std::unordered_set<std::string>> open_objects;
  std::string duplicate;
  auto callback = [&](int /*depth*/, json::parse_event_t event, json& parsed) {
    switch (event) {
      case json::parse_event_t::object_start:
        open_objects.emplace_back();
        break;
      case json::parse_event_t::object_end:
        if (!open_objects.empty()) open_objects.pop_back();
        break;
      case json::parse_event_t::key: {
        if (open_objects.empty()) break;
        std::string key = parsed.get<std::string>();
        if (!open_objects.back().insert(key).second && duplicate.empty()) {
          duplicate = std::move(key);
        }
        break;
      }
      default:
        break;
    }
    return true;
  };
  json header;
  try {
    header = json::parse(text, callback);
  } catch (const json::exception& e) {
    corrupt(path, std::string("header is not valid JSON: ") + e.what());
  }
  if (!duplicate.empty()) corrupt(path, "header has the key " + json_quoted(duplicate) + " twice");
  if (!header.is_object()) corrupt(path, "header is not a JSON object");
  return header;
}

// Multiplies with a check against int64 overflow (a Shape holds int64 dims).
bool checked_mul(std::uint64_t a, std::uint64_t b, std::uint64_t& out) {
  constexpr auto kMax = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
  if (b != 0 && a > kMax / b) return false;
  out = a * b;
  return true;
}

SafetensorsEntry parse_entry(const std::string& path, const std::string& name, const json& info) {
  const std::string what = "entry " + json_quoted(name);
  if (!info.is_object()) corrupt(path, what + " is not a JSON object");
  for (const char* field : {"dtype", "shape", "data_offsets"}) {
    if (!info.contains(field)) corrupt(path, what + " has no \"" + field + "\"");
  }
  const json& jdtype = info["dtype"];
  if (!jdtype.is_string()) corrupt(path, what + " has a dtype that is not a string");
  const std::string dtype_str = jdtype.get<std::string>();
  const std::optional<DType> dtype = dtype_from_safetensors_name(dtype_str);
  if (!dtype) {
    if (std::find(kUnsupportedNames.begin(), kUnsupportedNames.end(), dtype_str) !=
        kUnsupportedNames.end()) {
      throw UnimplementedError("safetensors file " + path + ": " + what + " has dtype " +
                               dtype_str + ", which varscope has no DType for");
    }
    corrupt(path, what + " has unknown dtype " + json_quoted(dtype_str));
  }

  const json& jshape = info["shape"];
  std::vector<std::uint64_t> dims;
  bool shape_ok = jshape.is_array();
  if (shape_ok) {
    for (const json& d : jshape) {
      if (!d.is_number_unsigned()) {
        shape_ok = false;
        break;
      }
      dims.push_back(d.get<std::uint64_t>());
    }
  }
  if (!shape_ok) {
    corrupt(path, what + " has shape " + excerpt(jshape) + ", not a list of non-negative integers");
  }
  std::uint64_t count = 1;
  constexpr auto kMaxDim = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
  for (std::uint64_t d : dims) {
    // Each dimension on its own too: a zero elsewhere makes the product small.
    if (d > kMaxDim || !checked_mul(count, d, count))
      corrupt(path, what + " has shape " + dims_string(dims) + ", whose element count overflows");
  }
  std::uint64_t nbytes = 0;
  if (!checked_mul(count, dtype_size(*dtype), nbytes)) {
    corrupt(path, what + " has shape " + dims_string(dims) + ", whose byte size overflows");
  }

  const json& joffsets = info["data_offsets"];
  if (!joffsets.is_array() || joffsets.size() != 2 || !joffsets[0].is_number_unsigned() ||
      !joffsets[1].is_number_unsigned()) {
    corrupt(path, what + " has data_offsets " + excerpt(joffsets) +
                      ", not [BEGIN, END] of non-negative integers");
  }
  const auto begin = joffsets[0].get<std::uint64_t>();
  const auto end = joffsets[1].get<std::uint64_t>();
  if (end < begin)
    corrupt(path, what + " has data_offsets " + excerpt(joffsets) + " that end before they begin");
  if (end - begin != nbytes) {
    corrupt(path, what + " of dtype " + dtype_str + " and shape " + dims_string(dims) + " needs " +
                      std::to_string(nbytes) + " bytes, but its data_offsets " + excerpt(joffsets) +
                      " span " + std::to_string(end - begin));
  }
  std::vector<std::int64_t> sdims(dims.begin(), dims.end());
  return SafetensorsEntry{name, *dtype, Shape(std::move(sdims)), begin, end};
}

void put_u64_le(std::array<std::byte, 8>& out, std::uint64_t v) {
  for (int i = 0; i < 8; ++i)
    out[static_cast<std::size_t>(i)] = static_cast<std::byte>((v >> (8 * i)) & 0xffu);
}

std::uint64_t get_u64_le(const std::array<std::byte, 8>& in) {
  std::uint64_t v = 0;
  for (int i = 7; i >= 0; --i)
    v = (v << 8) | std::to_integer<std::uint64_t>(in[static_cast<std::size_t>(i)]);
  return v;
}

}  // namespace

std::string_view safetensors_dtype_name(DType dtype) {
  for (const DTypeName& d : kDTypeNames) {
    if (d.dtype == dtype) return d.name;
  }
  throw InvalidArgumentError("safetensors has no name for dtype " + std::string(dtype_name(dtype)));
}

std::optional<DType> dtype_from_safetensors_name(std::string_view name) {
  for (const DTypeName& d : kDTypeNames) {
    if (d.name == name) return d.dtype;
  }
  return std::nullopt;
}

SafetensorsHeader read_safetensors_header(InputFile& file) {
  const std::string& path = file.path();
  const std::uint64_t size = file.size();
  std::array<std::byte, 8> prefix{};
  if (size < prefix.size() || !file.read(prefix)) {
    corrupt(path, "file is " + std::to_string(size) +
                      " bytes, too short for the 8-byte header length (truncated header)");
  }
  const std::uint64_t n = get_u64_le(prefix);
  if (n > kMaxSafetensorsHeader) {
    corrupt(path, "header length " + std::to_string(n) + " exceeds the limit of " +
                      std::to_string(kMaxSafetensorsHeader) + " bytes");
  }
  if (n > size - 8) {
    corrupt(path, "header length " + std::to_string(n) + " runs past the end of the file (8 + " +
                      std::to_string(n) + " > file size " + std::to_string(size) + ")");
  }
  std::string text(n, '\0');
  if (!file.read(std::as_writable_bytes(std::span<char>(text)))) {
    corrupt(path, "the file ended while reading the header");
  }
  // nlohmann stops at a NUL as if the input ended there, so check for one first.
  if (const std::size_t nul = text.find('\0'); nul != std::string::npos) {
    corrupt(path, "header has a NUL byte at offset " + std::to_string(nul) +
                      " (pad a header with spaces, not NULs)");
  }
  const json header = parse_header(path, text);

  SafetensorsHeader out;
  out.data_start = 8 + n;
  for (const auto& [key, value] : header.items()) {
    if (key == "__metadata__") {
      if (!value.is_object()) corrupt(path, "__metadata__ is not a JSON object");
      for (const auto& [mkey, mvalue] : value.items()) {
        if (!mvalue.is_string()) {
          corrupt(path, "__metadata__ value of " + json_quoted(mkey) + " is " + excerpt(mvalue) +
                            ", not a string");
        }
        out.metadata.emplace(mkey, mvalue.get<std::string>());
      }
      continue;
    }
    out.entries.push_back(parse_entry(path, key, value));
  }

  // Contiguous from 0, no overlaps and no holes (the reference reader's InvalidOffset).
  std::sort(out.entries.begin(), out.entries.end(), [](const auto& a, const auto& b) {
    return std::tie(a.begin, a.end, a.name) < std::tie(b.begin, b.end, b.name);
  });
  std::uint64_t expected = 0;
  const SafetensorsEntry* previous = nullptr;
  auto where = [](const SafetensorsEntry& e) {
    return json_quoted(e.name) + " [" + std::to_string(e.begin) + ", " + std::to_string(e.end) +
           "]";
  };
  for (const SafetensorsEntry& e : out.entries) {
    if (e.begin < expected) {
      corrupt(path, "the data of entries " + where(*previous) + " and " + where(e) + " overlap");
    }
    if (e.begin > expected) {
      corrupt(path, "the data buffer has a hole of " + std::to_string(e.begin - expected) +
                        " bytes before entry " + where(e) + " (the data before it ends at " +
                        std::to_string(expected) + ")");
    }
    expected = e.end;
    previous = &e;
  }
  const std::uint64_t buffer = size - out.data_start;
  if (expected > buffer) {
    corrupt(path, "the data buffer is short: the entries need " + std::to_string(expected) +
                      " bytes but the file holds " + std::to_string(buffer) +
                      " after the header (truncated data)");
  }
  if (expected < buffer) {
    corrupt(path, "the file has " + std::to_string(buffer - expected) +
                      " bytes after the data of the last entry");
  }
  return out;
}

void serialize_safetensors(const std::map<std::string, HostTensor>& tensors,
                           const std::map<std::string, std::string>& metadata,
                           const ByteSink& sink) {
  // The reference writer's layout: dtype (largest alignment first), then name.
  std::vector<std::pair<const std::string*, const HostTensor*>> order;
  for (const auto& [name, tensor] : tensors) {
    if (name == "__metadata__") {
      throw InvalidArgumentError("A safetensors tensor cannot be named __metadata__");
    }
    order.emplace_back(&name, &tensor);
  }
  std::stable_sort(order.begin(), order.end(), [](const auto& a, const auto& b) {
    return layout_order(a.second->dtype()) > layout_order(b.second->dtype());
  });

  ordered_json header = ordered_json::object();
  if (!metadata.empty()) {
    ordered_json meta = ordered_json::object();
    for (const auto& [key, value] : metadata)
      meta[key] = value;
    header["__metadata__"] = std::move(meta);
  }
  std::uint64_t offset = 0;
  for (const auto& [name, tensor] : order) {
    ordered_json dims = ordered_json::array();
    for (std::int64_t d : tensor->shape().dims())
      dims.push_back(static_cast<std::uint64_t>(d));
    ordered_json info = ordered_json::object();
    info["dtype"] = std::string(safetensors_dtype_name(tensor->dtype()));
    info["shape"] = std::move(dims);
    info["data_offsets"] = ordered_json::array({offset, offset + tensor->nbytes()});
    header[*name] = std::move(info);
    offset += tensor->nbytes();
  }
  std::string text;
  try {
    text = header.dump();
  } catch (const ordered_json::exception& e) {
    throw InvalidArgumentError(std::string("Cannot write a safetensors header: ") + e.what());
  }
  // Space padding to a multiple of 8 keeps every tensor aligned to its element size.
  text.append((8 - text.size() % 8) % 8, ' ');

  std::array<std::byte, 8> prefix{};
  put_u64_le(prefix, text.size());
  sink(prefix);
  sink(std::as_bytes(std::span<const char>(text)));
  for (const auto& entry : order) {
    const HostTensor& t = *entry.second;
    sink(std::span<const std::byte>(static_cast<const std::byte*>(t.raw_data()), t.nbytes()));
  }
}

void write_safetensors_file(const std::string& path,
                            const std::map<std::string, HostTensor>& tensors,
                            const std::map<std::string, std::string>& metadata,
                            const SinkFilter& filter) {
  write_file_atomically(
      path, [&](const ByteSink& sink) { serialize_safetensors(tensors, metadata, sink); }, filter);
}

}  // namespace io

std::map<std::string, HostTensor> read_safetensors(const std::string& path) {
  io::InputFile file(path);
  const io::SafetensorsHeader header = io::read_safetensors_header(file);
  std::map<std::string, HostTensor> out;
  for (const io::SafetensorsEntry& e : header.entries) {
    HostTensor t(e.dtype, e.shape);
    std::span<std::byte> bytes(static_cast<std::byte*>(t.raw_data()), t.nbytes());
    if (!file.read(bytes)) {
      io::corrupt(path, "the file ended while reading entry " + io::json_quoted(e.name));
    }
    if (e.dtype == DType::kBool) {
      for (std::size_t i = 0; i < bytes.size(); ++i) {
        const auto b = std::to_integer<unsigned>(bytes[i]);
        if (b > 1) {
          io::corrupt(path, "entry " + io::json_quoted(e.name) + " of dtype BOOL holds the byte " +
                                std::to_string(b) + " at element " + std::to_string(i) +
                                "; BOOL bytes must be 0 or 1");
        }
      }
    }
    out.emplace(e.name, std::move(t));
  }
  return out;
}

std::map<std::string, std::string> read_safetensors_metadata(const std::string& path) {
  io::InputFile file(path);
  return io::read_safetensors_header(file).metadata;
}

void write_safetensors(const std::string& path,
                       const std::map<std::string, HostTensor>& tensors,
                       const std::map<std::string, std::string>& metadata) {
  io::write_safetensors_file(path, tensors, metadata, {});
}

}  // namespace varscope
