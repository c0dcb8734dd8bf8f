/* Elementary functions built only from IEEE 754 basic operations (+ - * / sqrt, floor,
 * frexp, ldexp), so the generator draws the same numbers on every libm and CPU: libm's exp,
 * log, pow and cos may differ in the last bit between implementations (and between glibc's
 * FMA and non-FMA code paths), which would change a draw now and then. Accurate to a few
 * units in the last place over the ranges the generator uses; not a general libm. */
#ifndef SCO_DEMOGEN_DMATH_H
#define SCO_DEMOGEN_DMATH_H

double dg_exp(double x);
/* natural logarithm; -inf for 0, NaN below */
double dg_log(double x);
/* x^y for x > 0 */
double dg_pow(double x, double y);
/* for |x| up to about 1e5 */
double dg_sin(double x);
double dg_cos(double x);
/* log(n!) for n >= 0 */
double dg_log_factorial(double n);

#endif
