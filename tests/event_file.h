// TensorBoard event files read back in tests: the Events of a TFRecord file, every length and
// data CRC checked (summary_test, summary_ops_test, training_examples_test).
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "host/io/tf/crc32c.h"
#include "varscope_tf/event.pb.h"

namespace varscope::testing {

inline std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// The Events of a TFRecord file; a bad length, CRC or truncation fails the test.
inline std::vector<varscope::tf::Event> read_events(const std::filesystem::path& path) {
  const std::string bytes = read_file(path);
  std::vector<varscope::tf::Event> events;
  std::size_t at = 0;
  const auto masked_crc = [](std::string_view data) {
    return varscope::io::tf::crc32c_mask(varscope::io::tf::crc32c(data));
  };
  while (at < bytes.size()) {
    std::uint64_t length = 0;
    std::uint32_t length_crc = 0, data_crc = 0;
    if (bytes.size() - at < 12) {
      ADD_FAILURE() << "truncated header at " << at;
      break;
    }
    std::memcpy(&length, bytes.data() + at, 8);
    std::memcpy(&length_crc, bytes.data() + at + 8, 4);
    EXPECT_EQ(length_crc, masked_crc(std::string_view(bytes).substr(at, 8))) << at;
    if (bytes.size() - at - 12 < length + 4) {
      ADD_FAILURE() << "truncated record at " << at;
      break;
    }
    const std::string data = bytes.substr(at + 12, length);
    std::memcpy(&data_crc, bytes.data() + at + 12 + length, 4);
    EXPECT_EQ(data_crc, masked_crc(data)) << at;
    varscope::tf::Event e;
    EXPECT_TRUE(e.ParseFromString(data)) << at;
    events.push_back(e);
    at += 12 + length + 4;
  }
  return events;
}

// The event files of `logdir` (TF's "events.out.tfevents.*"), sorted.
inline std::vector<std::filesystem::path> event_files(const std::filesystem::path& logdir) {
  std::vector<std::filesystem::path> out;
  for (const auto& e : std::filesystem::directory_iterator(logdir)) {
    if (e.path().filename().string().starts_with("events.out.tfevents.")) out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace varscope::testing
