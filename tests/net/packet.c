/* packet.c - AF_PACKET sockets' control surface, in a network namespace
 * of the test's own making (only lo there; nothing outside is touched):
 * creation (root only: EPERM for nobody; ESOCKTNOSUPPORT for a stream),
 * bind (EINVAL, ENODEV) and getsockname's sockaddr_ll, sendto's checks
 * (ENETDOWN while lo is down, ENXIO without a device, EINVAL for a short
 * address, EMSGSIZE past lo's MTU, the length when it goes), and the
 * SOL_PACKET options LTP's tests race on: PACKET_VERSION,
 * PACKET_RESERVE (at most INT_MAX), the rings with packet_set_ring's
 * checks (frame sizes, block sizes, counts, a V3 private area too big,
 * EBUSY while a ring is up, tear-down), PACKET_VNET_HDR (SOCK_RAW
 * only), PACKET_STATISTICS' size per version.  Frames sent are not
 * received back here (umk's loopback carries none), so nothing reads
 * them.  Root only.  */
#include "net.h"
#include <limits.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <sched.h>

static int ring(int s, int opt, unsigned bs, unsigned bn, unsigned fs, unsigned fn, unsigned priv) {
  struct tpacket_req3 r = { .tp_block_size = bs, .tp_block_nr = bn, .tp_frame_size = fs,
                            .tp_frame_nr = fn, .tp_sizeof_priv = priv };
  int v = -1;
  socklen_t l = sizeof v;
  getsockopt(s, SOL_PACKET, PACKET_VERSION, &v, &l);
  return setsockopt(s, SOL_PACKET, opt, &r, v == TPACKET_V3 ? sizeof r : sizeof(struct tpacket_req));
}

static int iopt(int s, int name, int v) { return setsockopt(s, SOL_PACKET, name, &v, sizeof v); }

static int gopt(int s, int name) {
  int v = -1;
  socklen_t l = sizeof v;
  return getsockopt(s, SOL_PACKET, name, &v, &l) ? -1 : v;
}

int main(void) {
  struct sockaddr_ll ll, got;
  socklen_t gl;
  struct ifreq ifr;
  unsigned char buf[70000];
  int s, d, p0, u, pg = getpagesize(), v;

  if (unshare(CLONE_NEWNET)) {
    OK("unshare(CLONE_NEWNET)", 0);
    return t_done();
  }
  ERR("a stream packet socket", socket(AF_PACKET, SOCK_STREAM, 0), ESOCKTNOSUPPORT);
  OK("seteuid(nobody)", seteuid(65534) == 0);
  ERR("no CAP_NET_RAW", socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL)), EPERM);
  OK("seteuid(0)", seteuid(0) == 0);
  s = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
  d = socket(AF_PACKET, SOCK_DGRAM, 0);
  p0 = socket(AF_PACKET, SOCK_RAW, 0);           /* protocol 0: receives nothing */
  OK("socket(AF_PACKET, SOCK_RAW / SOCK_DGRAM)", s >= 0 && d >= 0 && p0 >= 0);

  gl = sizeof got;
  memset(&got, 0xff, sizeof got);
  OK("getsockname unbound", getsockname(s, (struct sockaddr *)&got, &gl) == 0 && gl == 12 &&
     got.sll_family == AF_PACKET && got.sll_protocol == htons(ETH_P_ALL) && got.sll_ifindex == 0 &&
     got.sll_halen == 0);
  gl = sizeof got;
  ERR("getpeername", getpeername(s, (struct sockaddr *)&got, &gl), EOPNOTSUPP);

  memset(&ll, 0, sizeof ll);
  ll.sll_family = AF_PACKET;
  ll.sll_protocol = htons(ETH_P_ALL);
  ll.sll_ifindex = 999;
  ERR("bind to no device", bind(s, (struct sockaddr *)&ll, sizeof ll), ENODEV);
  ERR("bind short", bind(s, (struct sockaddr *)&ll, 10), EINVAL);
  ll.sll_family = AF_INET;
  ERR("bind another family", bind(s, (struct sockaddr *)&ll, sizeof ll), EINVAL);
  ll.sll_family = AF_PACKET;
  strcpy(ifr.ifr_name, "lo");
  OK("SIOCGIFINDEX on a packet socket", ioctl(s, SIOCGIFINDEX, &ifr) == 0 && ifr.ifr_ifindex == 1);
  ll.sll_ifindex = ifr.ifr_ifindex;
  OK("bind to lo", bind(s, (struct sockaddr *)&ll, sizeof ll) == 0);
  gl = sizeof got;
  OK("getsockname bound", getsockname(s, (struct sockaddr *)&got, &gl) == 0 && gl == 18 &&
     got.sll_ifindex == 1 && got.sll_hatype == 772 && got.sll_halen == 6);

  memset(buf, 0x42, sizeof buf);
  ll.sll_halen = ETH_ALEN;
  ERR("sendto while lo is down", sendto(s, buf, 1024, 0, (struct sockaddr *)&ll, sizeof ll), ENETDOWN);
  ifr.ifr_flags = IFF_UP;
  OK("SIOCSIFFLAGS lo up", ioctl(s, SIOCSIFFLAGS, &ifr) == 0);
  u = socket(AF_PACKET, SOCK_RAW, IPPROTO_RAW);
  OK("sendto lo", sendto(u, buf, 1024, 0, (struct sockaddr *)&ll, sizeof ll) == 1024);
  ERR("bound while lo was down: ENETDOWN pending", send(s, buf, 100, 0), ENETDOWN);
  OK("then send on the bound socket", send(s, buf, 100, 0) == 100);
  ERR("send unbound, no address", send(u, buf, 100, 0), ENXIO);
  ERR("sendto a short address", sendto(u, buf, 100, 0, (struct sockaddr *)&ll, 12), EINVAL);
  ERR("sendto past lo's MTU", sendto(u, buf, 65536 + 14 + 4 + 1, 0, (struct sockaddr *)&ll, sizeof ll), EMSGSIZE);
  ll.sll_ifindex = 999;
  ERR("sendto no device", sendto(u, buf, 100, 0, (struct sockaddr *)&ll, sizeof ll), ENXIO);
  close(u);
  ERR("nothing for protocol 0", recv(p0, buf, sizeof buf, MSG_DONTWAIT), EAGAIN);
  OK("FIONREAD 0", ioctl(p0, FIONREAD, &v) == 0 && v == 0);

  OK("PACKET_VERSION default V1", gopt(p0, PACKET_VERSION) == TPACKET_V1);
  ERR("PACKET_VERSION 7", iopt(p0, PACKET_VERSION, 7), EINVAL);
  v = TPACKET_V2;
  ERR("PACKET_VERSION short", setsockopt(p0, SOL_PACKET, PACKET_VERSION, &v, 2), EINVAL);
  ERR("PACKET_RESERVE past INT_MAX", iopt(p0, PACKET_RESERVE, (int)(UINT_MAX - TPACKET2_HDRLEN + 1)), EINVAL);
  OK("PACKET_RESERVE 100", iopt(p0, PACKET_RESERVE, 100) == 0 && gopt(p0, PACKET_RESERVE) == 100);
  OK("PACKET_VERSION V2", iopt(p0, PACKET_VERSION, TPACKET_V2) == 0 && gopt(p0, PACKET_VERSION) == TPACKET_V2);
  ERR("frame smaller than header + reserve", ring(p0, PACKET_RX_RING, pg, 1, 144, pg / 144, 0), EINVAL);
  ERR("frame not 16-aligned", ring(p0, PACKET_RX_RING, pg, 1, 520, pg / 520, 0), EINVAL);
  ERR("block not page-aligned", ring(p0, PACKET_RX_RING, pg + 16, 1, 256, (pg + 16) / 256, 0), EINVAL);
  ERR("wrong frame count", ring(p0, PACKET_RX_RING, pg, 2, 256, pg / 256, 0), EINVAL);
  ERR("tear-down with frames", ring(p0, PACKET_RX_RING, pg, 0, 256, 1, 0), EINVAL);
  OK("V2 RX ring", ring(p0, PACKET_RX_RING, pg, 2, 256, 2 * (pg / 256), 0) == 0);
  ERR("a second RX ring", ring(p0, PACKET_RX_RING, pg, 2, 256, 2 * (pg / 256), 0), EBUSY);
  ERR("PACKET_VERSION while ringed", iopt(p0, PACKET_VERSION, TPACKET_V1), EBUSY);
  ERR("PACKET_RESERVE while ringed", iopt(p0, PACKET_RESERVE, 0), EBUSY);
  OK("V2 TX ring too", ring(p0, PACKET_TX_RING, pg, 1, 256, pg / 256, 0) == 0);
  OK("tear the rings down", ring(p0, PACKET_RX_RING, 0, 0, 0, 0, 0) == 0 &&
     ring(p0, PACKET_TX_RING, 0, 0, 0, 0, 0) == 0);
  OK("then PACKET_VERSION V3", iopt(p0, PACKET_VERSION, TPACKET_V3) == 0);
  OK("PACKET_RESERVE 0", iopt(p0, PACKET_RESERVE, 0) == 0);
  ERR("V3 private area too big", ring(p0, PACKET_RX_RING, pg, 2, pg, 2, 3U << 30), EINVAL);
  OK("V3 RX ring", ring(p0, PACKET_RX_RING, pg, 2, pg, 2, 512) == 0);
  ERR("V3 TX ring with a private area", ring(p0, PACKET_TX_RING, pg, 2, pg, 2, 512), EINVAL);
  {
    struct tpacket_stats_v3 st;
    socklen_t sl = sizeof st + 8;
    OK("PACKET_STATISTICS V3 size", getsockopt(p0, SOL_PACKET, PACKET_STATISTICS, &st, &sl) == 0 && sl == 12);
  }
  ERR("PACKET_VNET_HDR on SOCK_DGRAM", iopt(d, PACKET_VNET_HDR, 1), EINVAL);
  OK("PACKET_VNET_HDR on SOCK_RAW", iopt(s, PACKET_VNET_HDR, 1) == 0 && gopt(s, PACKET_VNET_HDR) == 1);
  {
    struct tpacket_stats st;
    socklen_t sl = sizeof st;
    OK("PACKET_STATISTICS V1 size", getsockopt(d, SOL_PACKET, PACKET_STATISTICS, &st, &sl) == 0 && sl == 8);
  }
  ERR("an unknown level", setsockopt(d, 99, 1, &v, sizeof v), ENOPROTOOPT);
  ERR("an unknown SOL_PACKET option", iopt(d, 99, 1), ENOPROTOOPT);
  close(s);
  close(d);
  close(p0);
  return t_done();
}
