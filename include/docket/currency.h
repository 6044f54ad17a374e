/* currency.h: ISO 4217 currency codes and their minor-unit exponents. */
#ifndef DOCKET_CURRENCY_H
#define DOCKET_CURRENCY_H

#include <stddef.h>

/* Returns the number of minor-unit digits of the active ISO 4217 code CODE (three upper-case
 * letters), 0 to 4, or -1 when CODE is not an active ISO 4217 currency code. */
int currency_exponent(const char *code);

/* Writes MINOR units of CURRENCY in major units ("250000.50", "-100.00", "1500" for JPY) into
 * BUF; an unknown currency's amount is written as the integer it is. */
void currency_format(char *buf, size_t n, long long minor, const char *currency);

#endif
