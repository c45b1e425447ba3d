# Installed with ct: the man page ct(1), made from docs/ct.1.md by go-md2man or pandoc (Debian
# packages go-md2man, pandoc; without either, no man page and a note at configure time), and
# the bash and zsh completion scripts.
find_program(CT_GO_MD2MAN go-md2man)
find_program(CT_PANDOC pandoc)
set(ct_man ${CMAKE_CURRENT_BINARY_DIR}/ct.1)
set(ct_man_src ${PROJECT_SOURCE_DIR}/docs/ct.1.md)
if(CT_GO_MD2MAN)
  # The page's "# ct(1)" heading becomes go-md2man's title block (.TH ct 1 ...); the copy is
  # made again whenever docs/ct.1.md changes.
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${ct_man_src})
  file(READ ${ct_man_src} ct_man_text)
  string(REGEX REPLACE "^# ct\\(1\\)\n" "% ct 1 \"\" \"libct ${PROJECT_VERSION}\" \"User Commands\"\n"
         ct_man_text "${ct_man_text}")
  # Links are the docs' (other pages, anchors): their text alone reads right in a man page.
  string(REGEX REPLACE "\\[([^]]*)\\]\\([^) ]*\\)" "\\1" ct_man_text "${ct_man_text}")
  file(WRITE ${ct_man}.md "${ct_man_text}")
  add_custom_command(OUTPUT ${ct_man}
    COMMAND ${CT_GO_MD2MAN} -in ${ct_man}.md -out ${ct_man}
    DEPENDS ${ct_man_src} COMMENT "ct(1) from docs/ct.1.md (go-md2man)")
elseif(CT_PANDOC)
  add_custom_command(OUTPUT ${ct_man}
    COMMAND ${CT_PANDOC} -s -t man -M title=ct -M section=1 ${ct_man_src} -o ${ct_man}
    DEPENDS ${ct_man_src} COMMENT "ct(1) from docs/ct.1.md (pandoc)")
else()
  message(STATUS "ct(1): neither go-md2man nor pandoc found; no man page is installed")
endif()
if(CT_GO_MD2MAN OR CT_PANDOC)
  add_custom_target(ct-man ALL DEPENDS ${ct_man})
  install(FILES ${ct_man} DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
endif()
install(FILES ${CMAKE_CURRENT_SOURCE_DIR}/ct/completion/ct.bash
  DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions RENAME ct)
install(FILES ${CMAKE_CURRENT_SOURCE_DIR}/ct/completion/_ct
  DESTINATION ${CMAKE_INSTALL_DATADIR}/zsh/vendor-completions)
