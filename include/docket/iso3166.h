/* iso3166.h: ISO 3166-1 alpha-3 country codes and their short English names. */
#ifndef DOCKET_ISO3166_H
#define DOCKET_ISO3166_H

#include <stddef.h>

/* The number of codes in the table (every current ISO 3166-1 alpha-3 code). */
extern const size_t iso3166_count;

/* Returns the short English name of CODE (three upper-case letters, exactly), borrowed from a
 * static table, or NULL when CODE is not a current ISO 3166-1 alpha-3 code. */
const char *iso3166_name(const char *code);

/* Returns the code at position I (0 to iso3166_count - 1) of the table, in byte order,
 * borrowed; NULL past the end. */
const char *iso3166_code_at(size_t i);

#endif
