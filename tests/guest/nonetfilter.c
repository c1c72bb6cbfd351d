/* nonetfilter.c - umk has no netfilter, and answers the iptables socket
 * options as a Linux built without it does (nf_setsockopt and
 * nf_getsockopt are not there: ENOPROTOOPT from ip_setsockopt and
 * ipv6_setsockopt), the malformed table of LTP's setsockopt08 (CVE
 * 2021-22555) included; /proc/config.gz claims no CONFIG_NETFILTER.
 * Compared with tests/guest/nonetfilter.expected: a native run on a
 * host with netfilter gives its errors (EINVAL for that table). */
#include "t.h"
#include <netinet/in.h>
#include <stdint.h>
#include <sys/socket.h>

int main(void)
{
  static char buf[2048];
  int s = socket(AF_INET, SOCK_DGRAM, 0), s6 = socket(AF_INET6, SOCK_DGRAM, 0);
  socklen_t l;

  /* setsockopt08's table: one entry, a "state" match whose size runs
   * past the entry, a REJECT target; optlen 1 */
  uint32_t *num = (uint32_t *)(buf + 36);
  strcpy(buf, "filter");
  num[0] = 1;                                /* num_entries */
  num[1] = 1024 - 64 - 112 - 4 - 32 - 4 + 112 + 32; /* size */
  num[7] = 1;                                /* num_counters */
  ERR("IPT_SO_SET_REPLACE, setsockopt08's table", setsockopt(s, IPPROTO_IP, 64, buf, 1), ENOPROTOOPT);
  ERR("IPT_SO_SET_REPLACE, a whole buffer", setsockopt(s, IPPROTO_IP, 64, buf, sizeof buf), ENOPROTOOPT);
  ERR("IPT_SO_SET_ADD_COUNTERS", setsockopt(s, IPPROTO_IP, 65, buf, 16), ENOPROTOOPT);
  l = 84;
  ERR("IPT_SO_GET_INFO", getsockopt(s, IPPROTO_IP, 64, buf, &l), ENOPROTOOPT);
  l = sizeof buf;
  ERR("IPT_SO_GET_ENTRIES", getsockopt(s, IPPROTO_IP, 65, buf, &l), ENOPROTOOPT);
  ERR("ARPT_SO_SET_REPLACE", setsockopt(s, IPPROTO_IP, 96, buf, 1), ENOPROTOOPT);
  ERR("EBT_SO_SET_ENTRIES", setsockopt(s, IPPROTO_IP, 128, buf, 1), ENOPROTOOPT);
  ERR("IP6T_SO_SET_REPLACE", setsockopt(s6, IPPROTO_IPV6, 64, buf, 1), ENOPROTOOPT);
  ERR("IP6T_SO_SET_ADD_COUNTERS", setsockopt(s6, IPPROTO_IPV6, 65, buf, 1), ENOPROTOOPT);
  l = 84;
  ERR("IP6T_SO_GET_INFO", getsockopt(s6, IPPROTO_IPV6, 64, buf, &l), ENOPROTOOPT);
  return t_done();
}
