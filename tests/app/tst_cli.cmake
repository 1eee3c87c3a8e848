# SPDX-License-Identifier: MIT
# dynfit-cli's contract: --help, --version, the demo, usage errors exit 2, bad methods exit 1.
# PROJECTS: the bundled models; WORK: a scratch folder for broken inputs.
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

# solve: CSV header and rows in the shortest text that reads back to the same double, JSON, overrides, located errors.
expect_run(0 "^t,x,y\n0,1,1\n5,6\\.09849[0-9]+,0\\.62813[0-9]+\n10,1\\.02634[0-9]+,0\\.909691[0-9]+\n$"
           solve ${PROJECTS}/lotka_volterra.dyn --saveat 0:5:10 --reltol 1e-10 --abstol 1e-10)
expect_run(0 "\"status\":\"Success\".*\"u\":\\{\"x\":\\[1\\.0,.*\"stats\":\\{\"steps\":[0-9]+,\"rejected\":[0-9]+,\"nf\":[0-9]+,\"nJ\":0,\"seconds\""
           solve ${PROJECTS}/lotka_volterra.dyn --saveat 0,10 --format json --repeat 3)
expect_run(0 "^t,x,y\n0,2,1\n" solve ${PROJECTS}/lotka_volterra.dyn --saveat 0,1 --set init:x=2 --set α=1.4)
expect_run(0 "^t,x,y\n0,1,1\n2,[0-9.]+,[0-9.]+\n$" solve ${PROJECTS}/lotka_volterra.dyn --tspan 0,2 --saveat 0,2 --solver vern7)
expect_run(1 "not a param, const or init" solve ${PROJECTS}/lotka_volterra.dyn --set nope=1)
expect_run(1 "MaxIters at t = .*try a stiff method" solve ${PROJECTS}/rober.dyn --saveat 0,1)
# Every stiff method by name reaches ROBER's end, y1 = 2.08…e-08 (the CWI reference 2.0833e-08).
foreach(method Rodas5P rodas4 KenCarp4 Kvaerno5 CVODE_BDF auto)
  expect_run(0 "\n1e11,2\\.083[0-9]*e-8," solve ${PROJECTS}/rober.dyn --saveat 0,1e11 --solver ${method}
             --reltol 1e-8 --abstol 1e-16)
endforeach()
expect_run(1 "unknown solver 'Rodas9'; known: Euler, .*Rodas5P.*CVODE_BDF, CVODE_Adams, Auto"
           solve ${PROJECTS}/rober.dyn --solver Rodas9)
expect_run(1 "cannot read the model file" solve ${WORK}/missing.dyn)
file(WRITE ${WORK}/broken.dyn "init x = 1\nd(x)/dt = -k*x\nd(y)/dt = 2 *\n")
expect_run(1 "broken.dyn:2:12: error: unknown name 'k'\n    d\\(x\\)/dt = -k\\*x\n               \\^.*broken.dyn:3:14: error"
           solve ${WORK}/broken.dyn --tspan 0,1)
expect_run(2 "" solve)
expect_run(2 "" solve ${PROJECTS}/lotka_volterra.dyn --format xml)

# gradient: the seed's loss (prey = 1 at 0:0.1:10), JSON contract, located data errors.
set(ones "t,x\n")
foreach(k RANGE 0 100)
  math(EXPR whole "${k} / 10")
  math(EXPR tenth "${k} % 10")
  string(APPEND ones "${whole}.${tenth},1\n")
endforeach()
file(WRITE ${WORK}/ones.csv "${ones}")
expect_run(0 "^\\{\"loss\":794\\.659[0-9]+,\"gradient\":\\{\"α\":-160\\.48[0-9]+,\"β\":[-0-9.e]+,\"γ\":[-0-9.e]+,\"δ\":[-0-9.e]+,\"init:x\":[-0-9.e]+,\"init:y\":[-0-9.e]+\\},\"status\":\"Success\",\"message\":\"\",\"stats\":\\{\"nf_forward\":[0-9]+,\"nf_backward\":0,\"seconds\":"
           gradient ${PROJECTS}/lotka_volterra.dyn --data ${WORK}/ones.csv --reltol 1e-10 --abstol 1e-10)
expect_run(0 "\"α\":-160\\.48[0-9]+" gradient ${PROJECTS}/lotka_volterra.dyn --data ${WORK}/ones.csv
           --method finite-diff --reltol 1e-10 --abstol 1e-10)
expect_run(0 "\"α\":-160\\.48[0-9]+" gradient ${PROJECTS}/lotka_volterra.dyn --data ${WORK}/ones.csv --method interpolating --reltol 1e-10 --abstol 1e-10)
expect_run(0 "\"α\":-160\\.48[0-9]+" gradient ${PROJECTS}/lotka_volterra.dyn --data ${WORK}/ones.csv --method reverse --reltol 1e-10 --abstol 1e-10)
expect_run(1 "unknown gradient method 'adjoint'" gradient ${PROJECTS}/lotka_volterra.dyn --data ${WORK}/ones.csv --method adjoint)
file(WRITE ${WORK}/bad.csv "t,x\n0,1\n1,oops\n")
expect_run(1 "bad.csv:3:2: error: 'oops' is not a number" gradient ${PROJECTS}/lotka_volterra.dyn --data ${WORK}/bad.csv)
file(WRITE ${WORK}/wrong_column.csv "t,rabbits\n0,1\n")
expect_run(1 "data column 'rabbits' is not a state of the model" gradient ${PROJECTS}/lotka_volterra.dyn --data ${WORK}/wrong_column.csv)
expect_run(1 "no data: give --data" gradient ${PROJECTS}/lotka_volterra.dyn)
expect_run(0 "\"loss\":[0-9.e+-]+,\"gradient\":\\{\"α\":" gradient ${PROJECTS}/lotka_volterra.dynfit)
expect_run(0 "\"α\":-160\\.48[0-9]+.*\"nf_backward\":[1-9]" gradient ${PROJECTS}/lotka_volterra.dyn --data ${WORK}/ones.csv
           --method interpolating --checkpoints 4 --reltol 1e-10 --abstol 1e-10 --adjoint-reltol 1e-10)
expect_run(2 "" gradient ${PROJECTS}/lotka_volterra.dyn --data ${WORK}/ones.csv --checkpoints -1)

# fit: recover Lotka–Volterra's parameters from its own solution; write the fitted model.
execute_process(COMMAND ${CLI} solve ${PROJECTS}/lotka_volterra.dyn --saveat 0:0.5:10 --reltol 1e-12 --abstol 1e-12
                OUTPUT_FILE ${WORK}/lv_data.csv RESULT_VARIABLE rc)
file(READ ${PROJECTS}/lotka_volterra.dyn lv)
string(REPLACE "param α = 1.5" "param α = 1.2 in [0.1, 5] log" lv "${lv}")
string(REPLACE "param γ = 3.0" "param γ = 2.7" lv "${lv}")
file(WRITE ${WORK}/lv_start.dyn "${lv}")
expect_run(0 "iteration +1  loss .*Converged after [0-9]+ iterations.*α = 1\\.4999999|α = 1\\.5000000"
           fit ${WORK}/lv_start.dyn --data ${WORK}/lv_data.csv --progress --out ${WORK}/lv_fitted.dyn --reltol 1e-10 --abstol 1e-10)
file(READ ${WORK}/lv_fitted.dyn fitted)
if(NOT fitted MATCHES "param α = 1\\.(4999999|5000000)[0-9]* in \\[0\\.1, 5\\] log    # rabbit birth rate")
  message(FATAL_ERROR "the fitted model does not keep bounds, log and comments:\n${fitted}")
endif()
expect_run(0 "^\\{\"status\":\"MaxIterations\",\"message\":\"maximum iterations reached\",\"iterations\":20,\"loss_initial\":[0-9.e+-]+,\"loss_final\":[0-9.e+-]+,\"params\":\\{\"α\":"
           fit ${WORK}/lv_start.dyn --data ${WORK}/lv_data.csv --optimizer adam --lr 0.02 --iterations 20 --format json --method reverse)
expect_run(2 "" fit ${WORK}/lv_start.dyn --data ${WORK}/lv_data.csv --optimizer sgd)
expect_run(0 "Converged after [0-9]+ iterations.*α = 1\\.(4999|5000)"
           fit ${WORK}/lv_start.dyn --data ${WORK}/lv_data.csv --optimizer lm --reltol 1e-10 --abstol 1e-10)
expect_run(0 "Converged after [0-9]+ iterations \\(.*growing window, 3 stages\\)"
           fit ${WORK}/lv_start.dyn --data ${WORK}/lv_data.csv --growing-window 3 --reltol 1e-10 --abstol 1e-10)

# Several experiments: a second data set from other initial values, named by --init; and
# multiple shooting.
execute_process(COMMAND ${CLI} solve ${PROJECTS}/lotka_volterra.dyn --saveat 0:0.5:10 --reltol 1e-12 --abstol 1e-12
                        --set init:x=2 --set init:y=0.5
                OUTPUT_FILE ${WORK}/lv_data_b.csv RESULT_VARIABLE rc)
expect_run(0 "Converged after [0-9]+ iterations.*α = 1\\.(4999|5000)"
           fit ${WORK}/lv_start.dyn --data ${WORK}/lv_data.csv --data ${WORK}/lv_data_b.csv --init - --init x=2,y=0.5
           --reltol 1e-10 --abstol 1e-10)
expect_run(1 "'z' is not a state of the model"
           fit ${WORK}/lv_start.dyn --data ${WORK}/lv_data.csv --init z=1)
expect_run(1 "more --init than --data"
           fit ${WORK}/lv_start.dyn --data ${WORK}/lv_data.csv --init x=1 --init y=2)
expect_run(0 "^iteration +1 .*\niteration +5 .*\niteration +10 "
           fit ${WORK}/lv_start.dyn --data ${WORK}/lv_data.csv --optimizer adam --iterations 10 --progress --progress-every 5)
expect_run(0 "after [0-9]+ iterations.*α = 1\\.(4999|5000)"
           fit ${WORK}/lv_start.dyn --data ${WORK}/lv_data.csv --shooting 4 --optimizer lm --reltol 1e-10 --abstol 1e-10)

# .dynfit projects wherever a model file goes: the model, the settings and the data come from
# the project; --out to a .dynfit writes the fitted project with its loss history.
expect_run(0 "^t,x,y\n0,1,1\n1," solve ${PROJECTS}/lotka_volterra.dynfit --saveat 0:1:2)
expect_run(0 "\"status\":\"(Converged|MaxIterations)\".*\"loss_final\":[0-9.e-]+"
           fit ${PROJECTS}/lotka_volterra.dynfit --format json --out ${WORK}/lv_fitted.dynfit)
file(READ ${WORK}/lv_fitted.dynfit fitted_project)
if(NOT fitted_project MATCHES "\"format\": \"dynfit-project\".*\"history\": \\[\n +\\[\n +1,")
  message(FATAL_ERROR "the fitted project has no history:\n${fitted_project}")
endif()
expect_run(0 "loss" fit ${WORK}/lv_fitted.dynfit --iterations 2)
file(WRITE ${WORK}/corrupt.dynfit "{\n  \"format\": \"dynfit-project\",\n  \"version\": 1,\n  \"model\": oops\n}\n")
expect_run(1 "corrupt.dynfit: not a valid project file \\(JSON syntax error at line 4, column"
           solve ${WORK}/corrupt.dynfit)
file(WRITE ${WORK}/newer.dynfit "{\"format\": \"dynfit-project\", \"version\": 7, \"model\": \"\"}")
expect_run(1 "newer DynFit" solve ${WORK}/newer.dynfit)
file(WRITE ${WORK}/negative_lag.dyn "param L = -0.5\ninit x = 1\nd(x)/dt = -x(t - L)\ntspan = 0 .. 1\n")
expect_run(1 "no data: give --data" fit ${PROJECTS}/rober.dyn)
expect_run(0 "k1 = " fit ${PROJECTS}/rober.dynfit --iterations 3)
# --fix holds a param: γ stays 2.7 while the rest fit as well as they can.
expect_run(0 "γ = 2\\.7000000000000002\n|γ = 2\\.7\n" fit ${WORK}/lv_start.dyn --data ${WORK}/lv_data.csv --fix γ --iterations 20)
expect_run(1 "cannot hold 'ζ' fixed" fit ${WORK}/lv_start.dyn --data ${WORK}/lv_data.csv --fix ζ)

# Delays: the bundled delayed Lotka–Volterra fit recovers the lag (0.1, from 0.05) within 2 %;
# the lag's gradient by forward and by reverse mode, the same to 7 digits; the interpolating
# adjoint is refused naming what works.
expect_run(0 "\"tau\":0\\.(09[89]|10[01])" fit ${PROJECTS}/delayed_lotka_volterra.dynfit --format json)
expect_run(0 "\"tau\":-15\\.98243" gradient ${PROJECTS}/delayed_lotka_volterra.dynfit --method forward)
expect_run(0 "\"tau\":-15\\.98243" gradient ${PROJECTS}/delayed_lotka_volterra.dynfit --method reverse)
expect_run(1 "use forward or reverse \\(exact, lags included\\) or finite-diff"
           gradient ${PROJECTS}/delayed_lotka_volterra.dynfit --method interpolating)
expect_run(1 "3:18: error: the lag of 'x' must be positive"
           solve ${WORK}/negative_lag.dyn)

# Events: solve lists them in JSON; an experiment's dose table joins a fit (errors at their row).
expect_run(0 "\"events\":\\[\\{\"t\":0\\.4515[0-9]*,\"line\":13,\"kind\":\"when\"\\}"
           solve ${PROJECTS}/bouncing_ball.dyn --set g=9.81 --saveat 3 --format json)
expect_run(0 "\"kind\":\"every\".*\"kind\":\"every\"" solve ${PROJECTS}/oral_dosing.dyn --saveat 84 --format json)
file(WRITE ${WORK}/decay.dyn "param k = 0.6\ninit A = 0\nd(A)/dt = -k*A\ntspan = 0 .. 6\n")
file(WRITE ${WORK}/decay_doses.csv "t,state,amount\n1,A,2\n3,A,1\n")
file(WRITE ${WORK}/decay_data.csv "t,A\n2,1.482\n4,1.554\n6,0.853\n")
file(WRITE ${WORK}/decay_bad_doses.csv "t,state,amount\n1,B,2\n")
expect_run(0 "loss [0-9.e-]+ -> [0-9.e-]+.*k = 0\\.(29|30)" fit ${WORK}/decay.dyn --data ${WORK}/decay_data.csv --doses ${WORK}/decay_doses.csv --iterations 30)
expect_run(1 "decay_bad_doses.csv:2: error: .B. is not a state" fit ${WORK}/decay.dyn --data ${WORK}/decay_data.csv --doses ${WORK}/decay_bad_doses.csv)
expect_run(1 "more --doses than --data" fit ${WORK}/decay.dyn --data ${WORK}/decay_data.csv --doses - --doses -)

# SDEs: an ensemble's mean and variance per state, kept trajectories with their Wiener values;
# the same numbers on 1 and 2 threads; ODE methods refused for a model with noise, and back.
set(sde ${PROJECTS}/stochastic_lotka_volterra.dyn)
expect_run(0 "\"method\":\"SOSRI\".*\"trajectories_run\":40,\"failed\":0.*\"mean\":\\{\"x\":\\[1\\.0,.*\"variance\":\\{\"x\":\\[0\\.0,.*\"trajectories\":\\[\\{\"index\":0,\"status\":\"Success\".*\"W\":\\{\"x\":\\[0\\.0,"
           solve ${sde} --saveat 0:1:10 --trajectories 40 --keep 2 --save-noise --format json)
foreach(threads 1 2)
  execute_process(COMMAND ${CLI} solve ${sde} --saveat 0:2:10 --trajectories 64 --threads ${threads}
                  OUTPUT_VARIABLE csv_${threads} RESULT_VARIABLE rc)
endforeach()
if(NOT csv_1 STREQUAL csv_2 OR NOT csv_1 MATCHES "^t,x,x_variance,y,y_variance\n0,1,0,1,0\n")
  message(FATAL_ERROR "SDE ensembles differ between 1 and 2 threads:\n${csv_1}\n${csv_2}")
endif()
expect_run(0 "^t,x,x_variance,x_q0.05,x_q0.95,y,y_variance,y_q0.05,y_q0.95\n0,1,0,1,1,1,0,1,1\n"
           solve ${sde} --saveat 0:5:10 --trajectories 50 --quantiles 0.05,0.95)
expect_run(0 "\"quantiles\":\\{\"0.5\":\\{\"x\":\\[1.0,"
           solve ${sde} --saveat 0:5:10 --trajectories 50 --quantiles 0.5 --format json)
expect_run(2 "--quantiles: Value 1.5 not in range" solve ${sde} --quantiles 1.5)
expect_run(1 "'Tsit5' solves ODEs; this model has noise lines" solve ${sde} --solver Tsit5)
expect_run(1 "'SOSRI' solves SDEs; this model has no noise lines" solve ${PROJECTS}/lotka_volterra.dyn --solver SOSRI)
expect_run(1 "EM takes a fixed step: give dt" solve ${sde} --solver EM)
# SDE gradients: pathwise on one trajectory, by forward mode; finite differences agree.
file(WRITE ${WORK}/sde_data.csv "t,x,y\n2,1.5,0.8\n5,0.9,1.4\n")
expect_run(0 "\"gradient\":\\{\"α\":-?[0-9]"
           gradient ${sde} --data ${WORK}/sde_data.csv --method forward --seed 3 --trajectory 2)
expect_run(0 "\"gradient\":\\{\"α\":-?[0-9]"
           gradient ${sde} --data ${WORK}/sde_data.csv --method reverse --seed 3 --trajectory 2)
expect_run(1 "not available for SDE models yet: use forward or reverse"
           gradient ${sde} --data ${WORK}/sde_data.csv --method backsolve)
# SDE fits: the pathwise loss on one path (reverse mode through the steps by default).
expect_run(0 "α = " fit ${sde} --data ${WORK}/sde_data.csv --iterations 3 --seed 3)
# The moments loss: replicates against an ensemble's mean and variance (forward mode only, no LM);
# the bundled project carries it (loss, trajectories, seed) and its 40 replicates.
file(WRITE ${WORK}/sde_replicates.csv "t,x,y\n2,1.5,0.8\n2,1.9,0.7\n5,0.9,1.4\n5,0.7,1.1\n")
expect_run(0 "\"gradient\":\\{\"α\":-?[0-9].*\"σ\":-?[0-9]"
           gradient ${sde} --data ${WORK}/sde_replicates.csv --loss moments --trajectories 16)
expect_run(1 "differentiated by forward mode"
           gradient ${sde} --data ${WORK}/sde_replicates.csv --loss moments --method reverse)
expect_run(1 "the moments loss is a likelihood: choose lbfgs or adam"
           fit ${sde} --data ${WORK}/sde_replicates.csv --loss moments --optimizer lm)
expect_run(2 "Value 1 not in range 2" fit ${sde} --data ${WORK}/sde_replicates.csv --loss moments --trajectories 1)
expect_run(0 "σ = " fit ${PROJECTS}/stochastic_lotka_volterra.dynfit --iterations 2 --trajectories 16)
