/*
 * The swap connection's link to the NBD server: TCP through lwIP, the
 * handshake, the NBD client with its requests in flight, and every wait
 * bounded. A lost link is made again and its unanswered requests sent
 * again; a server gone for good fails them all and says so. It knows
 * nothing of the pager: where a request's bytes are and who is told it is
 * done come in as the client's data and done functions (swapconn.c).
 */
#ifndef NETD_SWAP_LINK_H
#define NETD_SWAP_LINK_H

#include <stdbool.h>
#include <stdint.h>

#include "net_protocol.h"	/* enum swap_state, which netstat shows */
#include "nbd_client.h"

/* Connect to addr:port (host order) and negotiate: a few attempts, each
 * bounded; 0, or a negative errno after the reason is on the console.
 * outage_s: how long the server may answer no request (connections
 * refused, lost, or taken and nothing answered) before it is gone for good.
 * pager's data and done are the client's (its send is the link's); gone
 * is called once the server is given up for good, before the requests
 * waiting fail; lost each time a connection that carried requests is lost
 * (swap_link_counters' lost_writes may have grown). */
long swap_link_open(uint32_t addr, uint16_t port, unsigned outage_s, const struct nbd_io *pager,
		   void (*gone)(void), void (*lost)(void));

/* The pager has taken the export opened for its swap: from now on it may
 * be written, the header's generation stamp first (swap_stamp.h). 0,
 * -ENODEV (none opened), -ENXIO (the server gone for good), -EALREADY. */
long swap_link_start(void);
/* The pager refused the export opened for it (no swap signature, too
 * large for memory, no memory for its tables): the connection is closed,
 * the link is as at boot (SWAP_OFF: the server's address is anyone's
 * again, nothing reconnects or gives up). 0, -ENODEV (none opened),
 * -EALREADY (started: the pager's swap is not let go). */
long swap_link_stop(void);
bool swap_link_started(void);

/* Queue request id (a command of nbd_client.h); swap_link_push sends what
 * is queued. The answer's clock starts when nothing else was waiting.
 * Only reads before swap_link_start (-EACCES). */
int swap_link_submit(enum nbd_cmd cmd, uint64_t id, uint64_t offset, uint32_t len);
void swap_link_push(void);

/* Time passes: reconnect when due, give up when it has taken too long,
 * drop a connection that stopped answering. */
void swap_link_tick(void);

enum swap_state swap_link_state(void);
/* While connections have been lost in a row with no request answered
 * since (an outage the link is riding out, within its budget): the time
 * (netd_now's) by which it will have given the server up if nothing is
 * answered, budget and the bounds of its last attempt included; 0 with
 * no outage, or once the server is gone for good. */
int64_t swap_link_outage_until(void);
/* When (netd_now's) the latest outage ended with a request answered, the
 * requests it held sent again; 0: none has (since setup). */
int64_t swap_link_outage_ended(void);
/* Whether addr:port (host order) is the swap server, once set up (gone
 * for good too: the export still holds what was written to it). */
bool swap_link_serves(uint32_t addr, uint16_t port);
uint64_t swap_link_sectors(void);	/* the export's size, in BLK_SECTORs */
bool swap_link_read_only(void);
const struct nbd_counters *swap_link_counters(void);
/* Inside the pager's done: whether that write's data went out on a
 * connection lost before its answer, and what came of it (nbd_done_late). */
bool swap_link_done_late(struct nbd_late *late);

#endif
