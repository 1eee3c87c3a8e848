# SPDX-License-Identifier: MIT
# The layer check itself: it passes on engine/ as it is, and fails, naming the file, the line
# and the layers, on copies of engine/ with one include that runs upward and one that runs
# across. ENGINE: engine/; LAYERS: the table the build wrote; CHECK: the script; WORK: scratch.
function(run_check dir result_var output_var)
  execute_process(COMMAND ${CMAKE_COMMAND} -DENGINE_DIR=${dir} -DLAYERS_FILE=${LAYERS}
                          -P ${CHECK}
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  set(${result_var} ${rc} PARENT_SCOPE)
  set(${output_var} "${out}${err}" PARENT_SCOPE)
endfunction()

run_check(${ENGINE} rc out)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "the layer check fails on engine/ as it is:\n${out}")
endif()

# expect_rejected(FILE LINE PATTERN): a copy of engine/ with LINE appended to FILE must fail.
function(expect_rejected file line pattern)
  set(copy ${WORK}/layer_check)
  file(REMOVE_RECURSE ${copy})
  file(COPY ${ENGINE} DESTINATION ${copy})
  file(APPEND ${copy}/engine/${file} "${line}\n")
  run_check(${copy}/engine rc out)
  if(rc EQUAL 0)
    message(FATAL_ERROR "the layer check accepted '${line}' in engine/${file}")
  endif()
  if(NOT out MATCHES "${pattern}")
    message(FATAL_ERROR "the layer check failed without naming the include ('${pattern}'):\n${out}")
  endif()
endfunction()

expect_rejected(core/status.hpp "#include \"fit/fitter.hpp\""
                "engine/core/status.hpp:[0-9]+: core includes fit/")
expect_rejected(solvers/methods.hpp "#include \"model/model.hpp\""
                "engine/solvers/methods.hpp:[0-9]+: solvers includes model/")
expect_rejected(io/csv_data.hpp "#include \"nn/dense_network.hpp\""
                "engine/io/csv_data.hpp:[0-9]+: io includes nn/")
expect_rejected(sensitivity/gradient.hpp "#include \"fit/fitter.hpp\""
                "engine/sensitivity/gradient.hpp:[0-9]+: sensitivity includes fit/")
file(REMOVE_RECURSE ${WORK}/layer_check)
