/*
 * The pager's boot arguments: every key but "kernel.*". The values in force
 * are printed at boot. See docs/boot-args.md.
 */
#ifndef PAGER_CONFIG_H
#define PAGER_CONFIG_H

struct pager_config {
	unsigned faultaround;	/* pager.faultaround: extra pages per fault */
	unsigned readahead;	/* pager.readahead: extra pages per swap-in read */
	const char *init_run;	/* init.run: program for init to run, "" = demo */
	const char *init_args;	/* init.args: its arguments, comma-separated */
};

extern struct pager_config config;

void config_parse(const char *cmdline);
void config_print(void);

#endif
