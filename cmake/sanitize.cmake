# Sanitizer and fuzzing builds (docs/security.md, "Fuzzing"). Both apply to every target of the
# build directory, so that a libFuzzer target or a unit test runs instrumented code all the way
# down, not only its own file. tools/build-san.sh makes such a directory beside the main one.
set(CT_SANITIZE "" CACHE STRING
  "Sanitizers for every target, as -fsanitize= takes them (e.g. address,undefined); empty: none")
option(CT_FUZZ "Build the libFuzzer targets of tests/fuzz (clang only; implies CT_SANITIZE)" OFF)

if(CT_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "CT_FUZZ needs clang (libFuzzer): configure with "
      "-DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++")
  endif()
  if(NOT CT_SANITIZE)
    set(CT_SANITIZE address,undefined CACHE STRING "" FORCE)
  endif()
  # Coverage feedback for libFuzzer from the libraries too; only the targets link its main.
  add_compile_options(-fsanitize=fuzzer-no-link)
endif()

if(CT_SANITIZE)
  # A report must fail the test that triggered it, not scroll past in a log.
  add_compile_options(-fsanitize=${CT_SANITIZE} -fno-sanitize-recover=undefined
    -fno-omit-frame-pointer)
  add_link_options(-fsanitize=${CT_SANITIZE})
  if(CMAKE_CXX_COMPILER_ID STREQUAL "Clang" AND CT_SANITIZE MATCHES "address")
    # clang links its ASan runtime statically into executables only, which leaves the
    # instrumented backends and libct.so with undefined __asan_* symbols that their
    # -Wl,--no-undefined / -z defs refuse. The shared runtime is a real dependency of each.
    # Not for the fuzz targets (CT_STATIC_SANITIZER_RUNTIME): with -fsanitize=fuzzer, clang
    # puts libstdc++ before that runtime, which then refuses to start; they link no shared
    # library of this project, so the static runtime serves them.
    execute_process(COMMAND ${CMAKE_CXX_COMPILER} -print-runtime-dir
      OUTPUT_VARIABLE ct_asan_runtime_dir OUTPUT_STRIP_TRAILING_WHITESPACE)
    add_link_options(
      "$<$<NOT:$<BOOL:$<TARGET_PROPERTY:CT_STATIC_SANITIZER_RUNTIME>>>:-shared-libasan>"
      "LINKER:-rpath,${ct_asan_runtime_dir}")
  endif()
endif()
