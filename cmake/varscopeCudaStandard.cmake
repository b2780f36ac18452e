# The public headers need C++20, in a consumer's .cu files too. nvcc 12 and 13 take
# -std=c++20, but CMake (3.25 at least) does not know it: varscope's cxx_std_20, which CMake
# also applies to CUDA sources, would then stop generation for a target that requires its
# standard (CMAKE_CXX_STANDARD_REQUIRED), and CMAKE_CUDA_STANDARD 20 would fail the same way.
# Included by varscopeConfig.cmake (in the caller's scope) and by varscope's own build, after
# CUDA is enabled; varscope::varscope also passes -std=c++20 to nvcc itself, for projects
# that enable CUDA after find_package(varscope).
get_property(varscope_languages GLOBAL PROPERTY ENABLED_LANGUAGES)
if("CUDA" IN_LIST varscope_languages
   AND CMAKE_CUDA_COMPILER_ID STREQUAL "NVIDIA"
   AND CMAKE_CUDA_COMPILER_VERSION VERSION_GREATER_EQUAL 12.0
   AND NOT DEFINED CMAKE_CUDA20_STANDARD_COMPILE_OPTION)
  set(CMAKE_CUDA20_STANDARD_COMPILE_OPTION "-std=c++20")
  set(CMAKE_CUDA20_EXTENSION_COMPILE_OPTION "-std=c++20")
endif()
unset(varscope_languages)
