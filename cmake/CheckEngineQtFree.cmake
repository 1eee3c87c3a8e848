# SPDX-License-Identifier: MIT
# Build-time check (cmake -P): fails when any file under engine/ includes a Qt header.
file(GLOB_RECURSE engine_files "${ENGINE_DIR}/*.hpp" "${ENGINE_DIR}/*.cpp" "${ENGINE_DIR}/*.h"
     "${ENGINE_DIR}/*.cu" "${ENGINE_DIR}/*.cuh")
set(offenders "")
foreach(file IN LISTS engine_files)
  file(STRINGS "${file}" hits REGEX "^[ \t]*#[ \t]*include[ \t]*[<\"]Q")
  if(hits)
    list(APPEND offenders "${file}: ${hits}")
  endif()
endforeach()
if(offenders)
  list(JOIN offenders "\n  " report)
  message(FATAL_ERROR "engine/ must stay Qt-free, but these files include Qt:\n  ${report}")
endif()
