/*
 * proc_net.c - the files of /proc/net (a link to self/net, as in Linux;
 * procfs.c serves the directory): tcp, tcp6, udp, udp6 (inet.c), unix
 * (unix.c), dev, if_inet6, route (netdev.c), and raw, raw6 (empty: umk
 * has no raw sockets), in Linux's formats so that ss and netstat read
 * them.  In host mode the guest's TCP/UDP sockets and interfaces are the
 * host's, so those files are the host's own; unix stays the guest's.
 *
 * Locking: klock, held by the caller.
 */
#include "net.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const net_proc_names[] = {
	"dev", "if_inet6", "raw", "raw6", "route", "tcp", "tcp6", "udp", "udp6", "udplite",
	"udplite6", "unix", NULL,
};

static bool host_file(const char *name)
{
	return strcmp(name, "unix") != 0;
}

static int read_host(const char *name, struct net_text *nt)
{
	char path[64], buf[4096];
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/net/%s", name);
	f = fopen(path, "re");
	if (!f)
		return -ENOENT;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		net_printf(nt, "%.*s", (int)n, buf);
	fclose(f);
	return 0;
}

/* net_proc_show - see net.h. */
int net_proc_show(const char *name, char **buf, size_t *len)
{
	struct net_text nt = { 0 };
	int i, err = 0;

	for (i = 0; net_proc_names[i] && strcmp(net_proc_names[i], name); i++)
		;
	if (!net_proc_names[i])
		return -ENOENT;
	if (net_mode_of(current_net()) == NET_HOST && host_file(name)) {
		err = read_host(name, &nt);
	} else if (!strcmp(name, "unix")) {
		unix_proc_net(&nt);
	} else if (!strncmp(name, "tcp", 3) || !strncmp(name, "udp", 3)) {
		inet_proc_net(name, &nt);
	} else if (!strncmp(name, "raw", 3)) {
		if (name[3])
			net_printf(&nt, "  sl  local_address                         remote_address       "
				   "                 st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout "
				   "inode ref pointer drops\n");
		else
			net_printf(&nt, "  sl  local_address rem_address   st tx_queue rx_queue tr "
				   "tm->when retrnsmt   uid  timeout inode ref pointer drops\n");
	} else {
		netdev_proc_net(name, &nt);
	}
	if (err) {
		free(nt.buf);
		return err;
	}
	*buf = nt.buf ? nt.buf : calloc(1, 1);
	*len = nt.len;
	return *buf ? 0 : -ENOMEM;
}
