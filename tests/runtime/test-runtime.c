#include <criterion/criterion.h>
Test(runtime, placeholder) {}
