/*
 * spinner: runs forever without a single system call, so only preemption
 * takes the CPU from it and only a kill ends it.
 */
static volatile unsigned long spins;

int main(void)
{
	for (;;)
		spins++;
}
