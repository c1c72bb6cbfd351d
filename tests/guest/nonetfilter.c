/* nonetfilter.c - the netfilter socket options umk does not build:
 * ip6_tables, arp_tables and ebtables answer as on a Linux built without
 * them (nf_setsockopt and nf_getsockopt find no handler: ENOPROTOOPT
 * from ip_setsockopt and ipv6_setsockopt); /proc/config.gz says they
 * are not set.  iptables itself (IPT_SO_*) is tests/guest/netfilter.c.
 * Compared with tests/guest/nonetfilter.expected: a native run on a
 * host with all of netfilter gives other errors. */
#include "t.h"
#include <netinet/in.h>
#include <stdint.h>
#include <sys/socket.h>

int main(void)
{
  static char buf[2048];
  int s = socket(AF_INET, SOCK_DGRAM, 0), s6 = socket(AF_INET6, SOCK_DGRAM, 0);
  socklen_t l;

  strcpy(buf, "filter");
  ERR("ARPT_SO_SET_REPLACE", setsockopt(s, IPPROTO_IP, 96, buf, 1), ENOPROTOOPT);
  ERR("EBT_SO_SET_ENTRIES", setsockopt(s, IPPROTO_IP, 128, buf, 1), ENOPROTOOPT);
  ERR("IP6T_SO_SET_REPLACE", setsockopt(s6, IPPROTO_IPV6, 64, buf, 1), ENOPROTOOPT);
  ERR("IP6T_SO_SET_ADD_COUNTERS", setsockopt(s6, IPPROTO_IPV6, 65, buf, 1), ENOPROTOOPT);
  l = 84;
  ERR("IP6T_SO_GET_INFO", getsockopt(s6, IPPROTO_IPV6, 64, buf, &l), ENOPROTOOPT);
  l = 84;
  ERR("ARPT_SO_GET_INFO", getsockopt(s, IPPROTO_IP, 96, buf, &l), ENOPROTOOPT);
  return t_done();
}
