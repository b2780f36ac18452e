// Writing a LevelDB table as TensorFlow's TableBuilder does (kNoCompression), so that an
// index varscope writes is byte for byte the one TensorFlow writes for the same entries.
#include <algorithm>
#include <string>

#include "host/io/tf/coding.h"
#include "host/io/tf/crc32c.h"
#include "host/io/tf/table.h"
#include "varscope/errors.h"

namespace varscope::io::tf {
namespace {

// TF's table_builder.cc FindShortestSeparator: a short key in [start, limit).
void shortest_separator(std::string& start, const std::string& limit) {
  const std::size_t min_length = std::min(start.size(), limit.size());
  std::size_t diff = 0;
  while (diff < min_length && start[diff] == limit[diff])
    ++diff;
  if (diff >= min_length) return;  // one is a prefix of the other: keep `start`
  const auto byte = static_cast<unsigned char>(start[diff]);
  if (byte < 0xff && byte + 1 < static_cast<unsigned char>(limit[diff])) {
    start[diff] = static_cast<char>(byte + 1);
    start.resize(diff + 1);
  }
}

// FindShortSuccessor: a short key >= `key`.
void short_successor(std::string& key) {
  for (std::size_t i = 0; i < key.size(); ++i) {
    const auto byte = static_cast<unsigned char>(key[i]);
    if (byte != 0xff) {
      key[i] = static_cast<char>(byte + 1);
      key.resize(i + 1);
      return;
    }
  }
}

std::span<const std::byte> as_span(const std::string& s) {
  return std::as_bytes(std::span<const char>(s.data(), s.size()));
}

}  // namespace

void TableWriter::Block::add(const std::string& key, const std::string& value, int interval) {
  std::size_t shared = 0;
  if (counter < interval) {
    const std::size_t min_length = std::min(last_key.size(), key.size());
    while (shared < min_length && last_key[shared] == key[shared])
      ++shared;
  } else {
    restarts.push_back(static_cast<std::uint32_t>(buffer.size()));
    counter = 0;
  }
  put_varint64(buffer, shared);
  put_varint64(buffer, key.size() - shared);
  put_varint64(buffer, value.size());
  buffer.append(key, shared);
  buffer.append(value);
  last_key = key;
  ++counter;
}

std::string TableWriter::write_block(Block& block) {
  for (const std::uint32_t r : block.restarts)
    put_fixed32(block.buffer, r);
  put_fixed32(block.buffer, static_cast<std::uint32_t>(block.restarts.size()));
  std::string handle;
  put_varint64(handle, offset_);
  put_varint64(handle, block.buffer.size());
  std::string trailer(1, static_cast<char>(kNoCompression));
  const std::uint32_t crc = crc32c_extend(crc32c(block.buffer), as_span(trailer));
  put_fixed32(trailer, crc32c_mask(crc));
  sink_(as_span(block.buffer));
  sink_(as_span(trailer));
  offset_ += block.buffer.size() + trailer.size();
  block = Block{};
  return handle;
}

void TableWriter::flush() {
  if (data_.empty()) return;
  pending_handle_ = write_block(data_);
  pending_index_entry_ = true;
}

void TableWriter::add(const std::string& key, const std::string& value) {
  if (num_entries_ > 0) {
    if (!(last_key_ < key)) throw InternalError("TableWriter: keys added out of order");
    if (key.size() + value.size() >= 2 * kTableBlockSize) flush();  // TF's oversized entry
  }
  if (pending_index_entry_) {
    shortest_separator(last_key_, key);
    index_.add(last_key_, pending_handle_, 1);
    pending_index_entry_ = false;
  }
  last_key_ = key;
  ++num_entries_;
  data_.add(key, value, kTableRestartInterval);
  if (data_.size_estimate() >= kTableBlockSize) flush();
}

void TableWriter::finish() {
  flush();
  Block metaindex;
  const std::string metaindex_handle = write_block(metaindex);
  if (pending_index_entry_) {
    short_successor(last_key_);
    index_.add(last_key_, pending_handle_, 1);
    pending_index_entry_ = false;
  }
  const std::string index_handle = write_block(index_);
  std::string footer = metaindex_handle + index_handle;
  footer.resize(2 * kMaxBlockHandleSize, '\0');
  put_fixed32(footer, static_cast<std::uint32_t>(kTableMagicNumber & 0xffffffffu));
  put_fixed32(footer, static_cast<std::uint32_t>(kTableMagicNumber >> 32));
  sink_(as_span(footer));
  offset_ += footer.size();
}

}  // namespace varscope::io::tf
