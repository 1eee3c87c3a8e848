# SPDX-License-Identifier: MIT
# Every DynFit build option, in one place.
set(_dynfit_cuda_default OFF)
if(EXISTS /usr/local/cuda/bin/nvcc OR DEFINED ENV{CUDACXX})
  set(_dynfit_cuda_default ON)
endif()

option(DYNFIT_ENABLE_CUDA "Build the CUDA target when nvcc is found (no GPU is needed to build)" ${_dynfit_cuda_default})
option(DYNFIT_SANITIZE "Instrument with AddressSanitizer and UndefinedBehaviorSanitizer" OFF)
option(DYNFIT_WERROR "Treat compiler warnings as errors" OFF)
option(DYNFIT_ASSERTS "Keep assert() checks in optimised builds (CI and tests)" ON)
option(DYNFIT_BUILD_GUI "Build the Qt desktop application and its tests" ON)
option(DYNFIT_BUILD_TESTS "Build the test suite" ON)
option(DYNFIT_BUILD_BENCH "Build the Google Benchmark programs in bench/" OFF)
