# The `ct` command as a real binary (tests/cli): exit codes, usage, help, spec file errors,
# cross-process life cycle over state on disk, stdio and signal forwarding. The tests that
# make containers need root and skip without it.
set(ct_cli_dir ${PROJECT_SOURCE_DIR}/tests/cli)
# tests/common/isolate.cpp: in mount and network namespaces of its own, so the host-mount leak
# check cannot see other activity on the machine (the ct processes inherit them).
add_executable(ct-cli-tests ${PROJECT_SOURCE_DIR}/tests/common/isolate.cpp
  ${ct_cli_dir}/ct_runner.cpp ${ct_cli_dir}/cli_fixture.cpp
  ${ct_cli_dir}/test_usage.cpp ${ct_cli_dir}/test_run.cpp ${ct_cli_dir}/test_lifecycle.cpp
  ${ct_cli_dir}/test_limits.cpp ${ct_cli_dir}/test_surface.cpp)
target_link_libraries(ct-cli-tests PRIVATE nlohmann_json::nlohmann_json GTest::gtest_main)
target_compile_definitions(ct-cli-tests PRIVATE
  CT_TEST_CT_BINARY="$<TARGET_FILE:ct-cli>" CT_TEST_BUILD_DIR="${CMAKE_BINARY_DIR}"
  CT_MKROOTFS="${PROJECT_SOURCE_DIR}/tools/mkrootfs-busybox.sh"
  CT_TEST_COMPLETION="${PROJECT_SOURCE_DIR}/tools/ct/completion/ct.bash"
  CT_TEST_ZSH_COMPLETION="${PROJECT_SOURCE_DIR}/tools/ct/completion/_ct")
add_dependencies(ct-cli-tests ct-cli ct-backend-linux ct-backend-openvz ct-backend-remote)
gtest_discover_tests(ct-cli-tests TEST_PREFIX "cli." DISCOVERY_TIMEOUT 60
  PROPERTIES LABELS cli TIMEOUT 120 RUN_SERIAL TRUE)

# The documentation's examples, run as written (tests/docs/doctest.py): fenced blocks marked
# `sh runnable` in README.md and docs/*.md and the examples of `ct --help` and every
# `ct COMMAND --help`, each document against a fresh state root; the blocks that show a file
# of examples/ are compared with it. The install steps of docs/user-guide.md need the whole
# build (ct-oci, the Python module): the test depends on what `cmake --install` installs.
find_package(Python3 REQUIRED COMPONENTS Interpreter)
file(GLOB ct_doc_files ${PROJECT_SOURCE_DIR}/README.md ${PROJECT_SOURCE_DIR}/docs/*.md)
add_test(NAME docs.examples
  COMMAND ${Python3_EXECUTABLE} ${PROJECT_SOURCE_DIR}/tests/docs/doctest.py
          --src ${PROJECT_SOURCE_DIR} --build ${CMAKE_BINARY_DIR} --ct $<TARGET_FILE:ct-cli>
          --help-examples
          ${ct_doc_files})
set_tests_properties(docs.examples PROPERTIES LABELS "cli;docs" TIMEOUT 900 RUN_SERIAL TRUE
  SKIP_RETURN_CODE 77)
