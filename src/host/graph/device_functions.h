// tf.device(function) scopes (Graph::device(DeviceFunction)). Inside one, GraphImpl::device
// holds a marker naming the innermost function scope, then the merged string scopes opened
// inside it; the marker goes wherever the device string goes (frames restore it, and
// colocate_with / tf.device(None), which empty TF's device function stack, drop it). A layer
// keeps its function and the device string around it (itself marked where an outer function
// scope is open), so the chain of layers is TF's device function stack.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "varscope/graph.h"

namespace varscope::detail {

struct GraphImpl;
struct Node;

// Opens a layer for `fn` around the device string `outer` (frame `frame` ends it); returns
// the device string to use inside it.
std::string open_device_function(GraphImpl& g,
                                 DeviceFunction fn,
                                 std::string outer,
                                 std::uint64_t frame);
// Ends the layer frame `frame` opened, if it opened one.
void close_device_function(GraphImpl& g, std::uint64_t frame) noexcept;

// Whether a device string is inside a function scope.
bool has_device_function(std::string_view device);
// The string scopes' part of a device string (the string itself outside function scopes).
std::string_view device_spec_part(std::string_view device);
// `spec` merged into `device` as an inner tf.device merges (the marker kept).
std::string merge_device(std::string_view device, std::string_view spec);

// The device of node `node` (`built`: built and named) under `device` (marked): TF's
// _apply_device_functions, innermost first: the function sees the spec so far as
// op.device(), its string replaces it, the string scopes around it are merged in, and so on
// outwards. Exceptions from a function propagate.
std::string apply_device_functions(GraphImpl& g, int node, Node& built, const std::string& device);

}  // namespace varscope::detail
