# The loader against backends written in plain C: broken ones that must be refused with a
# precise error, and memc, a small working one. They live in a test-only directory that the
# tests put in CT_BACKEND_PATH; the real backends are not involved.
set(CT_TEST_BACKEND_DIR ${CMAKE_BINARY_DIR}/tests/backends)

function(ct_test_c_backend name)
  add_library(ct-test-backend-${name} MODULE ${ARGN})
  set_target_properties(ct-test-backend-${name} PROPERTIES
    PREFIX "" OUTPUT_NAME ct-backend-${name} LINKER_LANGUAGE C
    LIBRARY_OUTPUT_DIRECTORY ${CT_TEST_BACKEND_DIR})
  target_include_directories(ct-test-backend-${name} PRIVATE ${PROJECT_SOURCE_DIR}/api/include)
  target_compile_options(ct-test-backend-${name} PRIVATE -Wpedantic -Werror)
  target_link_options(ct-test-backend-${name} PRIVATE -Wl,--no-undefined)
endfunction()

ct_test_c_backend(memc ${CMAKE_CURRENT_LIST_DIR}/backends/memc.c)
# memc as a backend built for ABI 1.0, before the 1.1 slots.
ct_test_c_backend(memc10 ${CMAKE_CURRENT_LIST_DIR}/backends/memc.c)
target_compile_definitions(ct-test-backend-memc10 PRIVATE CT_MEMC_ABI_1_0 CT_MEMC_NAME="memc10")
set(ct_broken_backends major small misnamed noopen noentry)
foreach(defect ${ct_broken_backends})
  ct_test_c_backend(${defect} ${CMAKE_CURRENT_LIST_DIR}/backends/broken.c)
  string(TOUPPER ${defect} DEFECT)
  target_compile_definitions(ct-test-backend-${defect} PRIVATE
    CT_BROKEN_${DEFECT} CT_BROKEN_NAME="${defect}")
endforeach()

# A file cut short, as by a full disk or an interrupted copy: the first 4 KiB of memc.
add_custom_command(OUTPUT ${CT_TEST_BACKEND_DIR}/ct-backend-truncated.so
  COMMAND dd if=$<TARGET_FILE:ct-test-backend-memc> of=${CT_TEST_BACKEND_DIR}/ct-backend-truncated.so
          bs=4096 count=1 status=none
  DEPENDS ct-test-backend-memc VERBATIM)
# Cut inside its program headers.
add_custom_command(OUTPUT ${CT_TEST_BACKEND_DIR}/ct-backend-tiny.so
  COMMAND dd if=$<TARGET_FILE:ct-test-backend-memc> of=${CT_TEST_BACKEND_DIR}/ct-backend-tiny.so
          bs=100 count=1 status=none
  DEPENDS ct-test-backend-memc VERBATIM)
add_custom_target(ct-test-backend-truncated ALL
  DEPENDS ${CT_TEST_BACKEND_DIR}/ct-backend-truncated.so ${CT_TEST_BACKEND_DIR}/ct-backend-tiny.so)
# Not ELF at all.
file(WRITE ${CT_TEST_BACKEND_DIR}/ct-backend-garbage.so
  "This is not a shared object, but a text file that happens to be named like a backend.\n")

add_executable(ct-unit-loader ${CMAKE_CURRENT_LIST_DIR}/test_loader.cpp
  ${CMAKE_CURRENT_LIST_DIR}/test_memc.cpp ${PROJECT_SOURCE_DIR}/tests/cli/ct_runner.cpp)
target_include_directories(ct-unit-loader PRIVATE ${PROJECT_SOURCE_DIR}/tests/cli)
target_link_libraries(ct-unit-loader PRIVATE ct GTest::gtest_main)
target_compile_definitions(ct-unit-loader PRIVATE
  CT_TEST_BACKEND_DIR="${CT_TEST_BACKEND_DIR}"
  CT_TEST_BUILT_BACKEND_DIR="${CT_BACKEND_BUILD_DIR}" CT_TEST_CT_BINARY="$<TARGET_FILE:ct-cli>")
add_dependencies(ct-unit-loader ct-cli ct-test-backend-truncated ct-backend-linux
  ct-backend-openvz ct-backend-remote)
foreach(defect memc memc10 ${ct_broken_backends})
  add_dependencies(ct-unit-loader ct-test-backend-${defect})
endforeach()
gtest_discover_tests(ct-unit-loader TEST_PREFIX "unit." DISCOVERY_TIMEOUT 60
  PROPERTIES LABELS unit TIMEOUT 60)
# The operation list of ct/driver.h and what follows from it (slots, trampolines).
add_executable(ct-unit-ops ${CMAKE_CURRENT_LIST_DIR}/test_ops_table.cpp)
target_link_libraries(ct-unit-ops PRIVATE ct_backend_support GTest::gtest_main)
gtest_discover_tests(ct-unit-ops TEST_PREFIX "unit." DISCOVERY_TIMEOUT 30 PROPERTIES LABELS unit)
