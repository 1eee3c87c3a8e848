# SPDX-License-Identifier: MIT
# Warnings, asserts, sanitizers and ccache for every DynFit target.
find_program(DYNFIT_CCACHE ccache)
if(DYNFIT_CCACHE)
  set(CMAKE_CXX_COMPILER_LAUNCHER "${DYNFIT_CCACHE}")
  set(CMAKE_CUDA_COMPILER_LAUNCHER "${DYNFIT_CCACHE}")
endif()

# Release with asserts: optimised, but assert() and Eigen's checks stay on unless turned off.
if(DYNFIT_ASSERTS)
  foreach(config RELEASE RELWITHDEBINFO)
    string(REPLACE "-DNDEBUG" "" CMAKE_CXX_FLAGS_${config} "${CMAKE_CXX_FLAGS_${config}}")
  endforeach()
endif()

add_library(dynfit_warnings INTERFACE)
target_compile_options(dynfit_warnings INTERFACE
  $<$<COMPILE_LANGUAGE:CXX>:-Wall -Wextra -Wpedantic -Wno-missing-field-initializers>
  $<$<COMPILE_LANG_AND_ID:CXX,GNU>:-Wshadow=local>)
if(DYNFIT_WERROR)
  target_compile_options(dynfit_warnings INTERFACE $<$<COMPILE_LANGUAGE:CXX>:-Werror>)
endif()

if(DYNFIT_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()
