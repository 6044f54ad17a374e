/* currency.h: ISO 4217 currency codes and their minor-unit exponents. */
#ifndef DOCKET_CURRENCY_H
#define DOCKET_CURRENCY_H

/* Returns the number of minor-unit digits of the active ISO 4217 code CODE (three upper-case
 * letters), 0 to 4, or -1 when CODE is not an active ISO 4217 currency code. */
int currency_exponent(const char *code);

#endif
