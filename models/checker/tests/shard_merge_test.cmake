# ctest checker.shard_merge: a search split into N shards, each run as its own
# process with --json, merged with --merge, equals the search run whole: the
# same executions for a check with a known count (90), the same verdict and a
# replayable counterexample for a planted bug. Also the exit statuses (0, 1, 2)
# and the JUnit failure of a check declared wrongly, XML-escaped.
# Arguments: -DRUNNER=<weave_checker_shard_checks> -DWORK=<scratch dir>
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
  file(READ ${file} text)
  string(JSON value ERROR_VARIABLE err GET "${text}" checks 0 ${ARGN})
  if(err)
    message(FATAL_ERROR "${file}: ${err}")
  endif()
  set(${var} "${value}" PARENT_SCOPE)
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

# A missing or duplicated shard, an unknown option: usage errors.
run(2 --merge ${WORK}/shard_lost_update-1-of-3.json ${WORK}/shard_lost_update-2-of-3.json)
run(2 --merge ${WORK}/shard_lost_update-1-of-3.json ${WORK}/shard_lost_update-1-of-3.json
              ${WORK}/shard_lost_update-2-of-3.json)
run(2 --no-such-option)

# A check declared wrongly: exit status 1, and a JUnit <failure> with its
# counterexample, XML-escaped (its condition reads `x > 1 && x < 3`).
run(1 --filter "^shard_misdeclared$" --junit ${WORK}/misdeclared.xml)
file(READ ${WORK}/misdeclared.xml xml)
foreach(needle "<failure type=\"check_failed\" message=\"expected pass, found check_failed\">"
               "x &gt; 1 &amp;&amp; x &lt; 3" "replay: weave_models --replay shard_misdeclared:"
               "tests=\"1\" failures=\"1\"")
  string(FIND "${xml}" "${needle}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "misdeclared.xml lacks: ${needle}\n${xml}")
  endif()
endforeach()
if(xml MATCHES "x > 1 && x < 3")
  message(FATAL_ERROR "misdeclared.xml carries the condition unescaped")
endif()
message(STATUS "shards merged equal the whole search")
