/*
 * The echo server's protocol, shared by echo, its clients, the
 * demonstration and the tests. The server listens on its HANDLE_ARG.
 */
#ifndef USER_ECHO_H
#define USER_ECHO_H

/* Every call is answered with: label = the call's label, data = the call's
 * data with ASCII letters upper-cased (same len), w[0] = calls answered so
 * far including this one, w[1..5] = the call's w[1..5]. One-way sends are
 * ignored. A call labelled ECHO_QUIT is answered, then the server exits 0. */
#define ECHO_QUIT 0xec40u

#endif
