#include <criterion/criterion.h>
Test(params, placeholder) {}
