/*
 * exiter STATUS: exits at once with atoi(STATUS), for the tests of
 * sys_proc_wait.
 */
#include <stdlib.h>

int main(int argc, char **argv)
{
	return argc > 1 ? atoi(argv[1]) : 0;
}
