#include <criterion/criterion.h>
Test(train, placeholder) {}
