# ctest checker.shard_merge: a search split into N shards, each run as its own
# process with --json, merged with --merge, equals the search run whole: the
# same executions for a check with a known count (90), the same verdict and a
# replayable counterexample for a planted bug, also where its one failing
# schedule lies in a second --jobs worker's slice. Also the exit statuses (0, 1, 2)
# and the JUnit failure of a check declared wrongly, XML-escaped, each way (a
# bug where pass is declared; none where check_failed is, whole, split across
# --jobs and in shards merged); a token that
# does not fit the code (a diverged replay says the token may be old); and several
# checks run side by side (--jobs 2), each whole in its own process, giving
# what each gives alone; and --outcomes of one check split across workers,
# and in shards merged. Bad option values are usage errors that say what the
# option wants; --executions and --iterations split across --jobs add up,
# and a split search a cap cut in any one worker is bounded.
# Arguments: -DRUNNER=<weave_checker_shard_checks> -DWORK=<scratch dir>
cmake_policy(SET CMP0054 NEW)
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK})

# run(<expected exit status> args...): runs the runner; output in `out`.
function(run expected)
  execute_process(COMMAND ${RUNNER} ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE o ERROR_VARIABLE o)
  if(NOT rc STREQUAL expected)
    message(FATAL_ERROR "exit status ${rc}, expected ${expected}: ${RUNNER} ${ARGN}\n${o}")
  endif()
  set(out "${o}" PARENT_SCOPE)
endfunction()

# field(<var> <file> <json path...>): one value of check 0 in a --json file.
function(field var file)
  field_of(value ${file} 0 ${ARGN})
  set(${var} "${value}" PARENT_SCOPE)
endfunction()

# field_of(<var> <file> <index> <json path...>): one value of check <index>.
function(field_of var file index)
  file(READ ${file} text)
  string(JSON value ERROR_VARIABLE err GET "${text}" checks ${index} ${ARGN})
  if(err)
    message(FATAL_ERROR "${file}: ${err}")
  endif()
  set(${var} "${value}" PARENT_SCOPE)
endfunction()

# expect_contains(<what> <text> <needle>...): each needle occurs in text
# (read by ARGV index: a needle may hold a ';', as XML escapes do).
function(expect_contains what text)
  math(EXPR last "${ARGC} - 1")
  foreach(i RANGE 2 ${last})
    set(needle "${ARGV${i}}")
    string(FIND "${text}" "${needle}" at)
    if(at EQUAL -1)
      message(FATAL_ERROR "${what} lacks: ${needle}\n${text}")
    endif()
  endforeach()
endfunction()

function(expect_equal what a b)
  if(NOT "${a}" STREQUAL "${b}")
    message(FATAL_ERROR "${what}: '${a}' != '${b}'")
  endif()
endfunction()

foreach(check shard_count_three_by_two shard_lost_update)
  run(0 --filter "^${check}$" --json ${WORK}/${check}.json)
  foreach(n 2 3 5)
    set(files "")
    foreach(k RANGE 1 ${n})
      run(0 --filter "^${check}$" --shard ${k}/${n} --json ${WORK}/${check}-${k}-of-${n}.json)
      list(APPEND files ${WORK}/${check}-${k}-of-${n}.json)
    endforeach()
    run(0 --merge ${files} --json ${WORK}/${check}-merged-${n}.json)
    foreach(key found expected exhaustive as_declared)
      field(whole ${WORK}/${check}.json ${key})
      field(merged ${WORK}/${check}-merged-${n}.json ${key})
      expect_equal("${check}, ${n} shards, ${key}" "${whole}" "${merged}")
    endforeach()
  endforeach()
endforeach()

# The known count, whole and merged.
field(whole ${WORK}/shard_count_three_by_two.json executions)
expect_equal("executions of the whole search" "${whole}" 90)
foreach(n 2 3 5)
  field(merged ${WORK}/shard_count_three_by_two-merged-${n}.json executions)
  expect_equal("executions merged from ${n} shards" "${merged}" 90)
endforeach()

# The merged counterexample replays to the declared verdict.
field(token ${WORK}/shard_lost_update-merged-3.json replay)
run(0 --replay ${token})
field(found ${WORK}/shard_lost_update-merged-3.json found)
expect_equal("planted bug, merged" "${found}" check_failed)

# A token that does not fit the code (here: the body's thread again at once,
# while it waits to join) diverges: nondeterminism, exit status 1, and the
# report says that an old token does that too.
run(1 --replay shard_lost_update:00000000000000)
expect_contains("--replay of a token that does not fit" "${out}"
                "NONDETERMINISM" "diverged at step 1" "the token is older than the code")

# A missing or duplicated shard, an unknown option: usage errors.
run(2 --merge ${WORK}/shard_lost_update-1-of-3.json ${WORK}/shard_lost_update-2-of-3.json)
run(2 --merge ${WORK}/shard_lost_update-1-of-3.json ${WORK}/shard_lost_update-1-of-3.json
              ${WORK}/shard_lost_update-2-of-3.json)
run(2 --no-such-option)
# A value out of range, or not all a number, says what the option wants
# (std::stoull read "-1" as no limit, std::stoi read "2x" as 2).
foreach(bad "--jobs;0;a whole number from 1 to 256" "--jobs;2x;a whole number from 1 to 256"
            "--executions;-1;a whole number from 1" "--preemptions;-5;a whole number from 0 to 10000, or none"
            "--time;0;seconds, a number above 0" "--stall;-1;seconds, 0 (never) or more"
            "--shard;3/2;K/N, slice K of N")
  list(GET bad 0 option)
  list(GET bad 1 value)
  list(GET bad 2 wants)
  run(2 ${option} ${value})
  expect_contains("${option} ${value}: the error" "${out}" "bad value for ${option}: ${wants}")
endforeach()
# --executions and --iterations are the whole run's when one check is split
# across --jobs workers (each ran all of them before: 3 jobs, 3 times 11).
run(0 --filter "^shard_count_three_by_two$" --executions 11 --jobs 3 --json ${WORK}/capped.json)
field(n ${WORK}/capped.json executions)
expect_equal("--executions 11 --jobs 3" "${n}" 11)
run(0 --filter "^shard_count_three_by_two$" --strategy random --iterations 25 --jobs 2 --json ${WORK}/random.json)
field(n ${WORK}/random.json executions)
expect_equal("--strategy random --iterations 25 --jobs 2" "${n}" 25)
# A preemption-bounded search is not split: of its --jobs workers and its
# --shard slices the first runs it all (each ran all of it, and
# the run or the merge counted it as many times).
run(0 --filter "^shard_count_three_by_two$" --preemptions 1 --json ${WORK}/bounded.json)
field(whole ${WORK}/bounded.json executions)
run(0 --filter "^shard_count_three_by_two$" --preemptions 1 --jobs 2 --json ${WORK}/bounded-jobs.json)
field(n ${WORK}/bounded-jobs.json executions)
expect_equal("--preemptions 1 --jobs 2" "${n}" "${whole}")
if(NOT out MATCHES "no bug within 1 preemption; not a proof")
  message(FATAL_ERROR "--preemptions 1 --jobs 2 does not say its bound\n${out}")
endif()
foreach(k 1 2)
  run(0 --filter "^shard_count_three_by_two$" --preemptions 1 --shard ${k}/2 --json ${WORK}/bounded-${k}-of-2.json)
endforeach()
run(0 --merge ${WORK}/bounded-1-of-2.json ${WORK}/bounded-2-of-2.json --json ${WORK}/bounded-merged.json)
field(n ${WORK}/bounded-merged.json executions)
expect_equal("--preemptions 1 in 2 shards, merged" "${n}" "${whole}")
# ... and says its bound, as the whole run does (the result files carry it;
# before, the merge said "no bug in N executions", and not why it was bounded).
if(NOT out MATCHES "no bug within 1 preemption; not a proof")
  message(FATAL_ERROR "--preemptions 1 in 2 shards, merged, does not say its bound\n${out}")
endif()
field(bound ${WORK}/bounded-merged.json preemption_bound)
expect_equal("--preemptions 1 in 2 shards, merged: preemption_bound" "${bound}" 1)
# Slices of different bounds are no one search.
run(0 --filter "^shard_count_three_by_two$" --preemptions 2 --shard 2/2 --json ${WORK}/bounded2-2-of-2.json)
run(2 --merge ${WORK}/bounded-1-of-2.json ${WORK}/bounded2-2-of-2.json)

# --preemptions none lifts a check's own bound: the search is exhaustive, with
# the unbounded check's count.
run(0 --filter "^shard_count_bounded$" --json ${WORK}/declared-bound.json)
field(n ${WORK}/declared-bound.json executions)
expect_equal("shard_count_bounded, as declared" "${n}" "${whole}")
run(0 --filter "^shard_count_three_by_two$" --json ${WORK}/unbounded.json)
field(exhaustive_n ${WORK}/unbounded.json executions)
run(0 --filter "^shard_count_bounded$" --preemptions none --json ${WORK}/bound-lifted.json)
field(n ${WORK}/bound-lifted.json executions)
expect_equal("shard_count_bounded --preemptions none" "${n}" "${exhaustive_n}")
field(exhaustive ${WORK}/bound-lifted.json exhaustive)
expect_equal("shard_count_bounded --preemptions none, exhaustive" "${exhaustive}" "ON")  # a JSON true

# A check declared wrongly: exit status 1, and a JUnit <failure> with its
# counterexample, XML-escaped (its condition reads `x > 1 && x < 3`).
run(1 --filter "^shard_misdeclared$" --junit ${WORK}/misdeclared.xml)
file(READ ${WORK}/misdeclared.xml xml)
expect_contains("misdeclared.xml" "${xml}" "<failure type=\"check_failed\" message=\"expected pass, found check_failed\">"
                "x &gt; 1 &amp;&amp; x &lt; 3" "replay: weave_models --replay shard_misdeclared:"
                "tests=\"1\" failures=\"1\"")
if(xml MATCHES "x > 1 && x < 3")
  message(FATAL_ERROR "misdeclared.xml carries the condition unescaped")
endif()
# A check declared to fail that passes: exit status 1, MISMATCH and why, and
# a JUnit <failure>; split across --jobs, the same; in shards, each slice
# passes (it says it found none: another may) and the merge fails, as the
# whole search does. Were it "as declared", a buggy twin whose bug the
# checker lost would pass make check-models.
run(1 --filter "^shard_unfound_bug$" --junit ${WORK}/unfound.xml --json ${WORK}/unfound.json)
expect_contains("a check declared check_failed that passes: the output" "${out}" "<< MISMATCH"
                "shard_unfound_bug: expected check_failed but every explored execution passed (exhaustively)")
file(READ ${WORK}/unfound.xml xml)
expect_contains("unfound.xml" "${xml}" "<failure type=\"pass\" message=\"expected check_failed, found pass\">")
field(declared ${WORK}/unfound.json as_declared)
expect_equal("shard_unfound_bug, as_declared" "${declared}" "OFF")  # a JSON false
run(1 --filter "^shard_unfound_bug$" --jobs 2)
set(files "")
foreach(k 1 2)
  run(0 --filter "^shard_unfound_bug$" --shard ${k}/2 --json ${WORK}/unfound-${k}-of-2.json)
  if(NOT out MATCHES "no check_failed in this slice; --merge the shards")
    message(FATAL_ERROR "shard ${k}/2 of shard_unfound_bug does not say it is a slice\n${out}")
  endif()
  list(APPEND files ${WORK}/unfound-${k}-of-2.json)
endforeach()
run(1 --merge ${files} --json ${WORK}/unfound-merged.json)
field(declared ${WORK}/unfound-merged.json as_declared)
expect_equal("shard_unfound_bug in 2 shards, merged: as_declared" "${declared}" "OFF")

# A check with one failing schedule, which falls in the second worker's
# slice of a shard with --jobs 2: the shards, merged, report it, as the whole
# search does. Every worker's failure counts, not only the first's.
run(0 --filter "^shard_one_failing_schedule$" --json ${WORK}/shard_one_failing_schedule.json)
set(files "")
foreach(k 1 2)
  run(0 --filter "^shard_one_failing_schedule$" --shard ${k}/2 --jobs 2 --json ${WORK}/one-${k}-of-2.json)
  list(APPEND files ${WORK}/one-${k}-of-2.json)
endforeach()
run(0 --merge ${files} --json ${WORK}/one-merged.json)
foreach(json ${WORK}/shard_one_failing_schedule.json ${WORK}/one-merged.json)
  field(found ${json} found)
  expect_equal("shard_one_failing_schedule, ${json}" "${found}" check_failed)
endforeach()

# A split search that a cap cut in one worker is bounded, though another
# worker finished its part. Slice 1 of 2, split across 2 workers, is slices 1
# and 2 of 4 (28 and 15 executions of the 90). Capped at twice a number
# between the two, each worker gets that number: the first is cut, the
# second finishes. (A run that took the last worker's word for it would say
# exhaustive: make mutate's jobs_bounded_worker_exhaustive.)
foreach(k 1 2)
  run(0 --filter "^shard_count_three_by_two$" --shard ${k}/4 --json ${WORK}/quarter-${k}.json)
  field(part${k} ${WORK}/quarter-${k}.json executions)
endforeach()
math(EXPR each "(${part1} + ${part2}) / 2")
if(NOT (each GREATER part2 AND each LESS part1))
  message(FATAL_ERROR "slices 1 and 2 of 4 have ${part1} and ${part2} executions: no cap cuts the first worker "
                      "and not the second; take another shard of shard_count_three_by_two here")
endif()
math(EXPR cap "2 * ${each}")
run(0 --filter "^shard_count_three_by_two$" --shard 1/2 --jobs 2 --executions ${cap} --json ${WORK}/cut-one-worker.json)
field(n ${WORK}/cut-one-worker.json executions)
math(EXPR want "${each} + ${part2}")
expect_equal("--shard 1/2 --jobs 2 --executions ${cap}: executions (${each} + ${part2})" "${n}" ${want})
field(exhaustive ${WORK}/cut-one-worker.json exhaustive)
expect_equal("--shard 1/2 --jobs 2 --executions ${cap}: exhaustive" "${exhaustive}" "OFF")  # a JSON false

# Side by side: the six checks on two worker processes (twice: the second run
# orders them by the times the first one kept). Each check's record equals its
# run alone, in name order; a bounded search still says its bound.
run(1 --filter "^shard_misdeclared$" --json ${WORK}/misdeclared.json)
foreach(pass 1 2)
  run(1 --jobs 2 --json ${WORK}/side.json)
  if(NOT out MATCHES "6 checks, 2 mismatches, .* wall with 2 jobs side by side")
    message(FATAL_ERROR "side by side, run ${pass}: no summary line\n${out}")
  endif()
  set(index 0)
  foreach(check shard_count_bounded shard_count_three_by_two shard_lost_update shard_misdeclared
                shard_one_failing_schedule shard_unfound_bug)
    field_of(name ${WORK}/side.json ${index} name)
    expect_equal("side by side, check ${index}" "${name}" "${check}")
    set(alone ${WORK}/${check}.json)
    if(check STREQUAL "shard_misdeclared")
      set(alone ${WORK}/misdeclared.json)
    elseif(check STREQUAL "shard_unfound_bug")
      set(alone ${WORK}/unfound.json)
    elseif(check STREQUAL "shard_count_bounded")
      set(alone ${WORK}/declared-bound.json)
    endif()
    set(keys found executions exhaustive as_declared)
    if(check MATCHES "^shard_(lost_update|misdeclared)$")
      list(APPEND keys replay)  # the same counterexample
    endif()
    foreach(key IN LISTS keys)
      field(one ${alone} ${key})
      field_of(side ${WORK}/side.json ${index} ${key})
      expect_equal("side by side, ${check}, ${key}" "${side}" "${one}")
    endforeach()
    math(EXPR index "${index} + 1")
  endforeach()
endforeach()
# --outcomes with one check split across worker processes: their tables
# added up (before, the split search listed no outcome at all); and in shards,
# merged: the whole search's counts. (Their tokens are not the whole search's:
# a split search takes every thread's end as a step of its own, and its tokens
# start with '+'; both replay.)
set(table "a1: 1 in [0-9]+ schedules?, 2 in [0-9]+ schedules? \\(of [0-9]+\\)\n    a1 = 1: --replay shard_lost_update:[+]?[0-9.]+\n    a1 = 2: --replay shard_lost_update:[+]?[0-9.]+\n")
set(counts "a1: 1 in [0-9]+ schedules?, 2 in [0-9]+ schedules? \\(of [0-9]+\\)\n")
run(0 --filter "^shard_lost_update$" --outcomes --jobs 2)
if(NOT out MATCHES "${table}")
  message(FATAL_ERROR "--outcomes --jobs 2: the workers' outcomes are not listed\n${out}")
endif()
run(0 --filter "^shard_lost_update$" --outcomes)
string(REGEX MATCH "${counts}" whole "${out}")
set(files "")
foreach(k 1 2 3)
  run(0 --filter "^shard_lost_update$" --outcomes --shard ${k}/3 --json ${WORK}/outcomes-${k}.json)
  list(APPEND files ${WORK}/outcomes-${k}.json)
endforeach()
run(0 --merge ${files})
string(FIND "${out}" "${whole}" at)
if(whole STREQUAL "" OR at EQUAL -1)
  message(FATAL_ERROR "--outcomes in 3 shards, merged: not the whole search's counts\n${whole}\n${out}")
endif()
# --json keeps the table whether the check ran alone or side by side.
run(0 --filter "^shard_lost_update$" --outcomes --json ${WORK}/outcomes-alone.json)
run(1 --outcomes --jobs 2 --json ${WORK}/outcomes-side.json)
field(alone ${WORK}/outcomes-alone.json outcomes)
field_of(side ${WORK}/outcomes-side.json 2 outcomes)
expect_equal("--outcomes --json, alone and side by side" "${alone}" "${side}")
run(0 --filter "^shard_(count_three|lost)" --jobs 2 --preemptions 1)
if(NOT out MATCHES "shard_count_three_by_two: no bug within 1 preemption; not a proof")
  message(FATAL_ERROR "side by side, bounded: the bound is not said\n${out}")
endif()
message(STATUS "shards merged equal the whole search; checks side by side equal each alone; split and merged outcomes added up")
