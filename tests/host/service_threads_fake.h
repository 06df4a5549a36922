/*
 * For host tests that include pager/server/service.c: the thread starts
 * of service_adopt and service_start, never run there.
 */
#ifndef TESTS_HOST_SERVICE_THREADS_FAKE_H
#define TESTS_HOST_SERVICE_THREADS_FAKE_H

struct pager_thread;
int pager_thread_adopt(struct pager_thread *t, const char *name, int disk, unsigned io_client)
{
	(void)t, (void)name, (void)disk, (void)io_client;
	return -1;
}
int pager_thread_start(struct pager_thread *t, const char *name, unsigned io_client,
		       void (*fn)(struct pager_thread *))
{
	(void)t, (void)name, (void)io_client, (void)fn;
	return -1;
}

#endif
