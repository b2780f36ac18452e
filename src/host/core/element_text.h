// How to_string and operator<< print one element: numpy's text of a number, True/False, a
// string as Python's bytes repr (b'loss').
#pragma once

#include <cstdint>
#include <ostream>

#include "varscope/host_tensor.h"

namespace varscope::detail {

void write_element_text(std::ostream& os, const HostTensor& t, std::int64_t i);

}  // namespace varscope::detail
