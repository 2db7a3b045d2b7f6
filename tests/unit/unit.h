/* What the Check unit tests share: running a suite and turning its
 * result into the exit status automake's test driver reads. */
#ifndef FS_UNIT_H
#define FS_UNIT_H

#include <check.h>
#include <stdlib.h>

/* Runs every test of s (each in its own process, Check's default) and
 * returns the exit status: 0 when all passed. */
static inline int unit_run(Suite *s)
{
	SRunner *r = srunner_create(s);
	int failed;

	srunner_run_all(r, CK_NORMAL);
	failed = srunner_ntests_failed(r);
	srunner_free(r);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

/* Adds test function fn to the suite in a test case of its own, so the
 * summary names the case that failed. */
#define UNIT_ADD(suite, fn) do {					\
		TCase *tc_ = tcase_create(#fn);				\
		tcase_add_test(tc_, fn);				\
		suite_add_tcase(suite, tc_);				\
	} while (0)

#endif
