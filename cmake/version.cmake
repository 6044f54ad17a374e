# Writes OUT, a header defining DOCKET_BUILD_VERSION: the version `docket --version` prints,
# made from `git describe --always --tags --dirty` when SRC is a git checkout and git is there,
# else BASE (the project's release number). Run at every build (a custom target); OUT is only
# rewritten when the version changes, so an unchanged version recompiles and relinks nothing.
#
# The version is a valid Debian version: it starts with a digit and has only [0-9A-Za-z.+~]:
#   a tag v1.2.0 exactly                  1.2.0
#   3 commits after the tag v1.2.0        1.2.0+git20261205.3.abc1234
#   no tag (BASE 0.1.0)                   0.1.0+git20261205.abc1234
#   uncommitted changes                   ... .dirty appended
# The date is the last commit's (UTC), so that later commits sort later.
set(version "${BASE}")
find_package(Git QUIET)
if(GIT_FOUND AND EXISTS "${SRC}/.git")
  set(ENV{TZ} UTC0)
  execute_process(COMMAND "${GIT_EXECUTABLE}" -C "${SRC}" describe --always --tags --dirty
                  OUTPUT_VARIABLE desc RESULT_VARIABLE rc ERROR_QUIET
                  OUTPUT_STRIP_TRAILING_WHITESPACE)
  execute_process(COMMAND "${GIT_EXECUTABLE}" -C "${SRC}" log -1 --format=%cd
                          --date=format-local:%Y%m%d
                  OUTPUT_VARIABLE day RESULT_VARIABLE rc2 ERROR_QUIET
                  OUTPUT_STRIP_TRAILING_WHITESPACE)
  execute_process(COMMAND "${GIT_EXECUTABLE}" -C "${SRC}" rev-parse --short HEAD
                  OUTPUT_VARIABLE hash ERROR_QUIET OUTPUT_STRIP_TRAILING_WHITESPACE)
  if(rc EQUAL 0 AND rc2 EQUAL 0 AND NOT desc STREQUAL "")
    # What a tag may hold beyond Debian's characters (such as '_') becomes '.'.
    string(REGEX REPLACE "[^0-9A-Za-z.+~-]" "." desc "${desc}")
    set(dirty "")
    if(desc MATCHES "-dirty$")
      set(dirty ".dirty")
      string(REGEX REPLACE "-dirty$" "" desc "${desc}")
    endif()
    if(desc STREQUAL hash)
      # No tag: describe gave the hash alone (which may start with a digit, like a tag).
      set(version "${BASE}+git${day}.${hash}${dirty}")
    elseif(desc MATCHES "^v?([0-9][0-9A-Za-z.+~]*)-([0-9]+)-g([0-9a-f]+)$")
      set(version "${CMAKE_MATCH_1}+git${day}.${CMAKE_MATCH_2}.${CMAKE_MATCH_3}${dirty}")
    elseif(desc MATCHES "^v?([0-9][0-9A-Za-z.+~]*)$")
      set(version "${CMAKE_MATCH_1}")
      if(dirty)
        set(version "${version}+git${day}${dirty}")
      endif()
    endif()
    # A '-' left in a tag becomes '.' too.
    string(REGEX REPLACE "[^0-9A-Za-z.+~]" "." version "${version}")
  endif()
endif()
file(WRITE "${OUT}.tmp" "#define DOCKET_BUILD_VERSION \"${version}\"\n")
configure_file("${OUT}.tmp" "${OUT}" COPYONLY)
file(REMOVE "${OUT}.tmp")
