# Installs the build into a scratch prefix and checks the installed layout works on its own:
# a find_package(libct) consumer, pkg-config, and the installed ct finding installed backends.
# Variables: BUILD (build dir), PREFIX (scratch prefix, removed at the end), SRC (this dir).
file(REMOVE_RECURSE ${PREFIX})
function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    file(REMOVE_RECURSE ${PREFIX})
    message(FATAL_ERROR "failed (${rc}): ${ARGN}\n${out}\n${err}")
  endif()
  set(OUT "${out}" PARENT_SCOPE)
endfunction()

run(${CMAKE_COMMAND} --install ${BUILD} --prefix ${PREFIX}/usr)
file(GLOB_RECURSE backends ${PREFIX}/usr/lib*/ct/backends/ct-backend-*.so)
list(LENGTH backends n)
if(n LESS 3)
  message(FATAL_ERROR "installed backends: ${backends}")
endif()

# The consumer must find backends through libct.so's own location: no CT_BACKEND_PATH.
set(ENV{CT_BACKEND_PATH} "")
run(${CMAKE_COMMAND} -S ${SRC}/consumer -B ${PREFIX}/consumer-build
    -DCMAKE_PREFIX_PATH=${PREFIX}/usr -DCMAKE_BUILD_RPATH=${PREFIX}/usr/lib)
run(${CMAKE_COMMAND} --build ${PREFIX}/consumer-build)
file(GLOB libdirs ${PREFIX}/usr/lib*)
run(${CMAKE_COMMAND} -E env LD_LIBRARY_PATH=${PREFIX}/usr/lib ${PREFIX}/consumer-build/consumer)
foreach(b linux openvz remote)
  if(NOT OUT MATCHES "${b} ${PREFIX}/usr/lib[^ ]*/ct/backends/ct-backend-${b}.so\n")
    message(FATAL_ERROR "backend ${b} not found in the installed tree:\n${OUT}")
  endif()
endforeach()
if(NOT OUT MATCHES "session linux:///\\?root=/run/ct-install-test backend linux")
  message(FATAL_ERROR "no linux session from the installed tree:\n${OUT}")
endif()

find_program(PKG_CONFIG pkg-config)
if(PKG_CONFIG)
  # No --define-prefix: libct.pc must find its prefix itself (${pcfiledir}), as a user's plain
  # `pkg-config --cflags --libs libct` does against an install with --prefix.
  file(GLOB pcfile ${PREFIX}/usr/lib*/pkgconfig/libct.pc)
  get_filename_component(pcdir "${pcfile}" DIRECTORY)
  run(${CMAKE_COMMAND} -E env PKG_CONFIG_PATH=${pcdir} ${PKG_CONFIG}
      --dont-define-prefix --cflags --libs libct)
  string(STRIP "${OUT}" pcflags)
  separate_arguments(flags UNIX_COMMAND "${pcflags}")
  set(seen "")
  foreach(f ${flags})
    if(f MATCHES "^-[IL](.*)")
      get_filename_component(real "${CMAKE_MATCH_1}" REALPATH)
      list(APPEND seen "${real}")
    endif()
  endforeach()
  list(FIND seen "${PREFIX}/usr/include" at)
  if(at EQUAL -1 OR NOT OUT MATCHES "-lct")
    message(FATAL_ERROR "pkg-config libct does not point into ${PREFIX}/usr: ${OUT}")
  endif()
  # A program of the historical libct builds, as it is, against the installed C API headers
  # (at the include directory's root: <libct.h>) and libct.so.
  find_program(CC NAMES cc gcc REQUIRED)
  run(${CC} -Wall -Werror ${SRC}/../c/libct_era/ct_sample.c ${flags} -o ${PREFIX}/ct_sample)
endif()
foreach(h libct.h libct-errors.h libct-log-levels.h)
  if(NOT EXISTS ${PREFIX}/usr/include/${h})
    message(FATAL_ERROR "the C API header ${h} is not installed at the include root")
  endif()
endforeach()

# The installed ct runs with its RPATH and finds the installed backends, not the build's.
run(${PREFIX}/usr/bin/ct backends --json)
foreach(b linux openvz remote)
  if(NOT OUT MATCHES "\"path\":\"${PREFIX}/usr/lib[^\"]*/ct/backends/ct-backend-${b}.so\"")
    message(FATAL_ERROR "installed ct does not use the installed backend ${b}:\n${OUT}")
  endif()
endforeach()
if(OUT MATCHES "${BUILD}/lib/")
  message(FATAL_ERROR "installed ct loads backends from the build tree:\n${OUT}")
endif()
run(${PREFIX}/usr/bin/ct --help)
# The man page (when go-md2man or pandoc was there to make it) and the shell completion.
if(EXISTS ${BUILD}/tools/ct.1)
  if(NOT EXISTS ${PREFIX}/usr/share/man/man1/ct.1)
    message(FATAL_ERROR "ct(1) was made but not installed")
  endif()
  run(man -l -P cat ${PREFIX}/usr/share/man/man1/ct.1)
  if(NOT OUT MATCHES "ct - run and manage containers")
    message(FATAL_ERROR "man ct does not read as ct(1):\n${OUT}")
  endif()
  # The markdown page's links (other pages, anchors) are not shown as ⟨url⟩.
  file(READ ${PREFIX}/usr/share/man/man1/ct.1 page)
  if(page MATCHES "\\\\\\[la\\]")
    message(FATAL_ERROR "ct(1) shows links of the markdown page")
  endif()
  # whatis and apropos find it only if man-db can read its NAME line ("ct \\- ...").
  find_program(LEXGROG lexgrog)
  if(LEXGROG)
    run(${LEXGROG} ${PREFIX}/usr/share/man/man1/ct.1)
  endif()
endif()
foreach(f bash-completion/completions/ct zsh/vendor-completions/_ct)
  if(NOT EXISTS ${PREFIX}/usr/share/${f})
    message(FATAL_ERROR "the completion script share/${f} is not installed")
  endif()
endforeach()
# bash completes commands, options and (through `ct __complete`) names from the installed ct.
set(complete "source ${PREFIX}/usr/share/bash-completion/completions/ct\n"
  "COMP_WORDS=(ct lis)\nCOMP_CWORD=1\n_ct\necho \"\${COMPREPLY[*]}\"\n"
  "COMP_WORDS=(ct list --j)\nCOMP_CWORD=2\n_ct\necho \"\${COMPREPLY[*]}\"\n")
file(WRITE ${PREFIX}/complete.sh ${complete})
run(${CMAKE_COMMAND} -E env PATH=${PREFIX}/usr/bin:/usr/bin:/bin bash ${PREFIX}/complete.sh)
if(NOT OUT STREQUAL "list\n--json\n")
  message(FATAL_ERROR "bash completion of the installed ct: ${OUT}")
endif()
file(GLOB docs ${PREFIX}/usr/share/doc/libct/*.md)
foreach(d architecture spec driver-abi user-guide ct.1 c-api)
  if(NOT EXISTS ${PREFIX}/usr/share/doc/libct/${d}.md)
    message(FATAL_ERROR "docs/${d}.md is not installed (installed: ${docs})")
  endif()
endforeach()

# As root: the installed ct runs a real container and returns its exit code.
execute_process(COMMAND id -u OUTPUT_VARIABLE uid OUTPUT_STRIP_TRAILING_WHITESPACE)
if(uid STREQUAL "0")
  set(rootfs ${BUILD}/tests/rootfs-busybox)
  run(${MKROOTFS} ${rootfs})
  # Names of this run's own: another build's install test may run at the same time.
  string(RANDOM LENGTH 8 ALPHABET 0123456789abcdef run_tag)
  set(state_root /run/ct-install-test-ct-${run_tag})
  set(uri "linux:///?root=${state_root}&cgroup_parent=ct-install-test-${run_tag}")
  execute_process(COMMAND ${PREFIX}/usr/bin/ct -c ${uri} run --rootfs ${rootfs} --memory 32M
                          -- /bin/sh -c "echo hello from the installed ct; exit 3"
    RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  execute_process(COMMAND ${PREFIX}/usr/bin/ct -c ${uri} list -q OUTPUT_VARIABLE left)
  file(GLOB cgroups /sys/fs/cgroup/*/ct-install-test-${run_tag})
  foreach(cg ${cgroups})
    execute_process(COMMAND rmdir ${cg})
  endforeach()
  file(REMOVE_RECURSE ${state_root})
  if(NOT rc EQUAL 3 OR NOT out STREQUAL "hello from the installed ct\n" OR NOT left STREQUAL "")
    file(REMOVE_RECURSE ${PREFIX})
    message(FATAL_ERROR "installed ct run: exit ${rc}\n${out}\n${err}\nleft: ${left}")
  endif()
endif()
# The Python package: in a package directory under the prefix, importable from there alone,
# with the installed libct.so (whose backends are the installed ones).
load_cache(${BUILD} READ_WITH_PREFIX "" CT_BUILD_PYTHON Python3_EXECUTABLE)
if(CT_BUILD_PYTHON)
  file(GLOB pkg ${PREFIX}/usr/lib*/python3*/*-packages/libct/__init__.py)
  list(LENGTH pkg n)
  if(NOT n EQUAL 1)
    file(REMOVE_RECURSE ${PREFIX})
    message(FATAL_ERROR "the libct Python package is not installed under ${PREFIX}/usr: ${pkg}")
  endif()
  get_filename_component(site ${pkg} DIRECTORY)
  get_filename_component(site ${site} DIRECTORY)
  # (No ';' in the program: run() passes its arguments on as a list.)
  run(${CMAKE_COMMAND} -E env --unset=LD_LIBRARY_PATH PYTHONPATH=${site}
      ${Python3_EXECUTABLE} -c
      "import libct\nprint(libct.__file__)\nfor b in libct.backends(): print(b['path'])")
  if(NOT OUT MATCHES "^${site}/libct/__init__.py\n" OR
     NOT OUT MATCHES "\n${PREFIX}/usr/lib[^\n]*/ct/backends/ct-backend-linux.so\n" OR
     OUT MATCHES "${BUILD}/lib/")
    file(REMOVE_RECURSE ${PREFIX})
    message(FATAL_ERROR "the installed Python package does not use the installed libct:\n${OUT}")
  endif()
  # pip install ./python, offline, against the installed libct (pkg-config), in a virtual
  # environment that sees Debian's setuptools and pybind11 (docs/python.md, "With pip"). From a
  # copy: pip builds in the project's directory.
  execute_process(COMMAND ${Python3_EXECUTABLE} -c "import venv, pybind11, setuptools"
    RESULT_VARIABLE no_pip_deps OUTPUT_QUIET ERROR_QUIET)
  if(no_pip_deps OR NOT PKG_CONFIG)
    message(STATUS "pip install ./python: not checked (needs python3-venv, python3-pybind11, "
                   "python3-setuptools and pkg-config)")
  else()
    file(COPY ${SRC}/../../python DESTINATION ${PREFIX}/pysrc PATTERN build EXCLUDE
         PATTERN *.egg-info EXCLUDE PATTERN __pycache__ EXCLUDE)
    run(${Python3_EXECUTABLE} -m venv --system-site-packages ${PREFIX}/venv)
    run(${CMAKE_COMMAND} -E env PKG_CONFIG_PATH=${pcdir} PIP_NO_INDEX=1
        ${PREFIX}/venv/bin/pip install -q --no-build-isolation --no-index ${PREFIX}/pysrc/python)
    run(${CMAKE_COMMAND} -E env --unset=LD_LIBRARY_PATH --unset=PYTHONPATH
        ${PREFIX}/venv/bin/python -c
        "import libct\nprint(libct.__file__)\nfor b in libct.backends(): print(b['path'])")
    if(NOT OUT MATCHES "^${PREFIX}/venv/lib/python3[^\n]*/site-packages/libct/__init__.py\n" OR
       NOT OUT MATCHES "\n${PREFIX}/usr/lib[^\n]*/ct/backends/ct-backend-linux.so\n")
      file(REMOVE_RECURSE ${PREFIX})
      message(FATAL_ERROR "pip install ./python: not the venv's package on the installed libct:\n${OUT}")
    endif()
    file(GLOB typed ${PREFIX}/venv/lib/python3*/site-packages/libct/py.typed)
    if(NOT typed)
      message(FATAL_ERROR "pip install ./python: py.typed is not installed")
    endif()
  endif()
endif()
# The CLI tests that need nothing of the build tree, against the installed ct.
if(EXISTS ${BUILD}/bin/ct-cli-tests)
  run(${CMAKE_COMMAND} -E env CT_TEST_CT=${PREFIX}/usr/bin/ct ${BUILD}/bin/ct-cli-tests
      --gtest_filter=CtSurface.*:CtConfig.*:CtFirstContact.*:CtRun.*:CtLifecycle.*)
endif()
# Rootless containers, run by a real user the tests create, with the installed ct.
if(EXISTS ${BUILD}/bin/ct-rootless-tests)
  run(${CMAKE_COMMAND} -E env CT_TEST_CT=${PREFIX}/usr/bin/ct ${BUILD}/bin/ct-rootless-tests
      --gtest_filter=Rootless.*)
endif()
file(REMOVE_RECURSE ${PREFIX})
file(REMOVE_RECURSE /run/ct-install-test)
message(STATUS "installed layout OK")
