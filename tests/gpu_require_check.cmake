# VARSCOPE_REQUIRE_GPU, proven on any machine: runs the Gpu* tests of TEST_BINARY without the
# variable, then with VARSCOPE_REQUIRE_GPU=1.
#   - No usable device: the first run must pass with every test skipped, and the second must
#     fail with every test failed, each saying why.
#   - A usable device: both runs must pass, with no test skipped for want of a device.
#   cmake -DTEST_BINARY=<cuda_layer_test> -P gpu_require_check.cmake
if(NOT TEST_BINARY)
  message(FATAL_ERROR "set TEST_BINARY")
endif()

function(run_gpu_tests out_rc out_log)
  execute_process(COMMAND ${CMAKE_COMMAND} -E env ${ARGN} ${TEST_BINARY} --gtest_filter=Gpu*
                  RESULT_VARIABLE rc OUTPUT_VARIABLE log ERROR_VARIABLE log)
  set(${out_rc} ${rc} PARENT_SCOPE)
  set(${out_log} "${log}" PARENT_SCOPE)
endfunction()

# Lines of one kind: gtest prints "[  SKIPPED ] Suite.Test (N ms)" once per test.
function(count_results log tag out)
  string(REGEX MATCHALL "\\[ +${tag} +\\] [^\n]+ \\([0-9]+ ms\\)" hits "${log}")
  list(LENGTH hits n)
  set(${out} ${n} PARENT_SCOPE)
endfunction()

run_gpu_tests(plain_rc plain_log --unset=VARSCOPE_REQUIRE_GPU)
count_results("${plain_log}" "SKIPPED" plain_skipped)
count_results("${plain_log}" "OK" plain_passed)
string(REGEX MATCH "Running ([0-9]+) tests?" _ "${plain_log}")
set(total "${CMAKE_MATCH_1}")
if(NOT plain_rc EQUAL 0 OR NOT total GREATER 0)
  message(FATAL_ERROR "the GPU tests must pass (or skip) without VARSCOPE_REQUIRE_GPU; exit "
                      "${plain_rc}, ${total} tests:\n${plain_log}")
endif()

run_gpu_tests(required_rc required_log VARSCOPE_REQUIRE_GPU=1)
count_results("${required_log}" "FAILED" required_failed)
count_results("${required_log}" "SKIPPED" required_skipped)

string(FIND "${plain_log}" "no usable CUDA device" no_device)
if(NOT no_device EQUAL -1)
  # No usable device here.
  if(NOT plain_skipped EQUAL total)
    message(FATAL_ERROR "without a device all ${total} GPU tests should skip, ${plain_skipped} "
                        "did:\n${plain_log}")
  endif()
  string(FIND "${required_log}" "VARSCOPE_REQUIRE_GPU is set but no CUDA device is usable: "
         says_why)
  if(required_rc EQUAL 0 OR NOT required_failed EQUAL total OR says_why EQUAL -1)
    message(FATAL_ERROR "with VARSCOPE_REQUIRE_GPU=1 and no device all ${total} GPU tests must "
                        "fail saying why; exit ${required_rc}, ${required_failed} failed:\n"
                        "${required_log}")
  endif()
  message(STATUS "no usable device: ${total} GPU tests skip by default and fail when required")
else()
  if(NOT required_rc EQUAL 0)
    message(FATAL_ERROR "a device is usable, so VARSCOPE_REQUIRE_GPU=1 must change nothing:\n"
                        "${required_log}")
  endif()
  message(STATUS "a usable device: ${plain_passed} of ${total} GPU tests passed both ways")
endif()
