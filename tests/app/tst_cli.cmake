# SPDX-License-Identifier: MIT
# dynfit-cli's contract: --help, --version, the demo, usage errors exit 2, bad methods exit 1.
function(expect_run expected_rc pattern)
  execute_process(COMMAND ${CLI} ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL expected_rc)
    message(FATAL_ERROR "dynfit-cli ${ARGN}: exit ${rc}, expected ${expected_rc}\n${out}\n${err}")
  endif()
  if(NOT "${out}${err}" MATCHES "${pattern}")
    message(FATAL_ERROR "dynfit-cli ${ARGN}: output does not match '${pattern}':\n${out}\n${err}")
  endif()
endfunction()

expect_run(0 "dynfit-cli: fit dynamical models" --help)
expect_run(0 "dynfit-cli [0-9]+\\.[0-9]+\\.[0-9]+" --version)
expect_run(0 "10.00 +1.0263[0-9]+ +0.9096[0-9]+.*status Success" demo)
expect_run(0 "status Success" demo --solver vern7 --reltol 1e-10 --abstol 1e-10)
expect_run(1 "unknown method 'nope'; known: Euler" demo --solver nope)
expect_run(2 "" demo --reltol not-a-number)
expect_run(0 "GPU" devices)
