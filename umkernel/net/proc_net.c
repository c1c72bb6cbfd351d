/*
 * proc_net.c - the files of /proc/net (a link to self/net, as in Linux;
 * procfs.c serves the directory): tcp, tcp6, udp, udp6 (inet.c), unix
 * (unix.c), dev, if_inet6, route (netdev.c), sockstat, sockstat6 and
 * snmp (counted from the socket tables), raw, raw6 (empty: umk
 * has no raw sockets), psched, arp and dev_mcast (no neighbours or
 * multicast addresses), and netstat and snmp6 (the host's field lists,
 * every count 0), in Linux's formats so that ss and netstat read
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
	"dev", "if_inet6", "ip_tables_matches", "ip_tables_names", "ip_tables_targets", "raw",
	"raw6", "route", "snmp", "sockstat", "sockstat6", "tcp", "tcp6", "udp", "udp6", "udplite",
	"udplite6", "unix", "psched", "netstat", "snmp6", "arp", "dev_mcast", NULL,
};

static int read_host(const char *name, struct net_text *nt);

/*
 * The host's counter file with every count 0: netstat's "Name: f1 f2..."
 * header lines kept and the value lines zeroed, snmp6's "Name value"
 * lines with the value 0.  The field lists are the host kernel's (they
 * grow with each release; nstat and netstat -s read them by name);
 * umk's network keeps none of these counters.  Nothing if the host has
 * no such file.
 */
static void zeroed_host(const char *name, struct net_text *nt)
{
	struct net_text host = { 0 };
	bool pairs = !strcmp(name, "snmp6");

	if (read_host(name, &host) || !host.buf)
		return;
	for (char *l = host.buf, *e; l < host.buf + host.len && (e = strchr(l, '\n')); l = e + 1) {
		char *sp = pairs ? strpbrk(l, " \t") : strchr(l, ' ');

		if (pairs && sp && sp < e) {
			/* "Ip6InReceives                   \t1039" */
			char *v = sp + strspn(sp, " \t");
			net_printf(nt, "%.*s0\n", (int)(v - l), l);
		} else if (!pairs && sp && sp < e && (sp[1] == '-' || (sp[1] >= '0' && sp[1] <= '9'))) {
			/* "TcpExt: 0 0 ...": as many zeros as values */
			net_printf(nt, "%.*s", (int)(sp - l), l);
			for (char *q = sp; q < e; q++)
				if (*q == ' ')
					net_printf(nt, " 0");
			net_printf(nt, "\n");
		} else {
			net_printf(nt, "%.*s\n", (int)(e - l), l);
		}
	}
	free(host.buf);
}

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

/* The number of net's sockets of family and protocol as inet_diag lists
 * them (hashed: bound, listening or connected); *estab: of those,
 * ESTABLISHED or CLOSE_WAIT (Linux's TCP_MIB_CURRESTAB). */
static int count_inet(struct net_namespace *net, int family, int protocol, int *estab)
{
	struct sock_diag_info *v;
	int n;

	if (inet_diag_list(net, family, protocol, &v, &n))
		return 0;
	for (int i = 0; estab && i < n; i++)
		if (v[i].state == 1 || v[i].state == 8)
			(*estab)++;
	free(v);
	return n;
}

/*
 * /proc/net/sockstat, sockstat6 (Linux's sockstat_seq_show) from the
 * socket tables: in use counts are the sockets inet_diag would list;
 * "sockets: used" counts inet and unix sockets (netlink and packet ones
 * are left out); nothing is orphaned or in TIME_WAIT, memory is 0 pages.
 * /proc/net/snmp (snmp_seq_show): the rows and columns Linux prints,
 * with Tcp CurrEstab counted and Ip Forwarding, DefaultTTL and the TCP
 * RTO constants as Linux's; the packet counters are not kept (0).
 */
static void proc_sockstat(const char *name, struct net_text *nt)
{
	struct net_namespace *net = current_net();
	int estab = 0;
	int tcp4 = count_inet(net, L_AF_INET, L_IPPROTO_TCP, &estab);
	int tcp6 = count_inet(net, L_AF_INET6, L_IPPROTO_TCP, &estab);
	int udp4 = count_inet(net, L_AF_INET, L_IPPROTO_UDP, NULL);
	int udp6 = count_inet(net, L_AF_INET6, L_IPPROTO_UDP, NULL);
	struct sock_diag_info *v;
	int nunix = 0;

	if (!unix_diag_list(net, &v, &nunix)) {
		for (int i = 0; i < nunix; i++)
			free(v[i].icons);
		free(v);
	}
	if (!strcmp(name, "sockstat")) {
		net_printf(nt, "sockets: used %d\nTCP: inuse %d orphan 0 tw 0 alloc %d mem 0\n"
			   "UDP: inuse %d mem 0\nUDPLITE: inuse 0\nRAW: inuse 0\nFRAG: inuse 0 memory 0\n",
			   tcp4 + tcp6 + udp4 + udp6 + nunix, tcp4, tcp4 + tcp6, udp4);
	} else if (!strcmp(name, "sockstat6")) {
		net_printf(nt, "TCP6: inuse %d\nUDP6: inuse %d\nUDPLITE6: inuse 0\nRAW6: inuse 0\n"
			   "FRAG6: inuse 0 memory 0\n", tcp6, udp6);
	} else {
		static const char *const udp_cols = "InDatagrams NoPorts InErrors OutDatagrams "
			"RcvbufErrors SndbufErrors InCsumErrors IgnoredMulti MemErrors";

		net_printf(nt, "Ip: Forwarding DefaultTTL InReceives InHdrErrors InAddrErrors "
			   "ForwDatagrams InUnknownProtos InDiscards InDelivers OutRequests OutDiscards "
			   "OutNoRoutes ReasmTimeout ReasmReqds ReasmOKs ReasmFails FragOKs FragFails "
			   "FragCreates OutTransmits\nIp: 2 64");
		for (int i = 0; i < 18; i++)
			net_printf(nt, " 0");
		net_printf(nt, "\nIcmp: InMsgs InErrors InCsumErrors InDestUnreachs InTimeExcds "
			   "InParmProbs InSrcQuenchs InRedirects InEchos InEchoReps InTimestamps "
			   "InTimestampReps InAddrMasks InAddrMaskReps OutMsgs OutErrors "
			   "OutRateLimitGlobal OutRateLimitHost OutDestUnreachs OutTimeExcds OutParmProbs "
			   "OutSrcQuenchs OutRedirects OutEchos OutEchoReps OutTimestamps OutTimestampReps "
			   "OutAddrMasks OutAddrMaskReps\nIcmp:");
		for (int i = 0; i < 29; i++)
			net_printf(nt, " 0");
		net_printf(nt, "\n"
			   "Tcp: RtoAlgorithm RtoMin RtoMax MaxConn ActiveOpens PassiveOpens "
			   "AttemptFails EstabResets CurrEstab InSegs OutSegs RetransSegs InErrs OutRsts "
			   "InCsumErrors\nTcp: 1 200 120000 -1 0 0 0 0 %d 0 0 0 0 0 0\n"
			   "Udp: %s\nUdp: 0 0 0 0 0 0 0 0 0\nUdpLite: %s\nUdpLite: 0 0 0 0 0 0 0 0 0\n",
			   estab, udp_cols, udp_cols);
	}
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
	} else if (!strncmp(name, "ip_tables_", 10)) {
		nf_proc_net(name, &nt);
	} else if (!strncmp(name, "sockstat", 8) || !strcmp(name, "snmp")) {
		proc_sockstat(name, &nt);
	} else if (!strncmp(name, "tcp", 3) || !strncmp(name, "udp", 3)) {
		inet_proc_net(name, &nt);
	} else if (!strcmp(name, "psched")) {
		/* ns per us, ns per tick, the tick rate, the clock's resolution
		 * (1 ns: high resolution timers), as Linux's psched_show; tc
		 * reads it */
		net_printf(&nt, "%08x %08x %08x %08x\n", 1000, 64, 1000000, 1000000000);
	} else if (!strcmp(name, "netstat") || !strcmp(name, "snmp6")) {
		zeroed_host(name, &nt);
	} else if (!strcmp(name, "arp")) {
		/* umk's interfaces have no neighbours to resolve */
		net_printf(&nt, "IP address       HW type     Flags       HW address            "
			   "Mask     Device\n");
	} else if (!strcmp(name, "dev_mcast")) {
		/* no multicast link addresses: empty */
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
