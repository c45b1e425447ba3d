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
  run(${CMAKE_COMMAND} -E env PKG_CONFIG_PATH=${PREFIX}/usr/lib/pkgconfig ${PKG_CONFIG}
      --define-prefix --cflags --libs libct)
  if(NOT OUT MATCHES "-I${PREFIX}/usr/include" OR NOT OUT MATCHES "-lct")
    message(FATAL_ERROR "pkg-config libct: ${OUT}")
  endif()
endif()

# The installed ct runs with its RPATH and finds the installed backends.
run(${PREFIX}/usr/bin/ct backends)
if(NOT OUT MATCHES "linux" OR NOT OUT MATCHES "${PREFIX}")
  message(FATAL_ERROR "installed ct backends:\n${OUT}")
endif()
file(REMOVE_RECURSE ${PREFIX})
file(REMOVE_RECURSE /run/ct-install-test)
message(STATUS "installed layout OK")
