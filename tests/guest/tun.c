/* tun.c - /dev/net/tun in a network namespace of the program's own
 * making (unshare(CLONE_NEWNET) first: natively too, so the host's
 * interfaces are never touched): TUNGETFEATURES, TUNSETIFF (IFF_TUN,
 * IFF_TAP, IFF_NO_PI, IFF_MULTI_QUEUE, "%d" names, errors), TUNGETIFF,
 * the interface as SIOCGIF* and if_nametoindex see it, brought up with
 * SIOCSIFFLAGS, TUNSETPERSIST (the device outlives its fd, and goes
 * with the last close once cleared), TUNSETOWNER/GROUP, the sndbuf and
 * vnet header size, read/write/poll on a queue, and hostile arguments.
 * Runs as root natively (unshare(CLONE_NEWNET) needs CAP_SYS_ADMIN). */
#include "t.h"
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <poll.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>

static int sock;

static int tun_open(void) { return open("/dev/net/tun", O_RDWR); }

static int set_iff(int fd, const char *name, int flags, char *out)
{
  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  if (name)
    strncpy(ifr.ifr_name, name, IFNAMSIZ);
  ifr.ifr_flags = (short)flags;
  int r = ioctl(fd, TUNSETIFF, &ifr);
  if (r == 0 && out)
    snprintf(out, IFNAMSIZ, "%s", ifr.ifr_name);
  return r;
}

static int if_flags(const char *name)
{
  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  snprintf(ifr.ifr_name, IFNAMSIZ, "%s", name);
  if (ioctl(sock, SIOCGIFFLAGS, &ifr))
    return -1;
  return ifr.ifr_flags & 0xffff;
}

static int if_up(const char *name, int up)
{
  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  snprintf(ifr.ifr_name, IFNAMSIZ, "%s", name);
  if (ioctl(sock, SIOCGIFFLAGS, &ifr))
    return -1;
  ifr.ifr_flags = up ? ifr.ifr_flags | IFF_UP : ifr.ifr_flags & ~IFF_UP;
  return ioctl(sock, SIOCSIFFLAGS, &ifr);
}

int main(void)
{
  if (unshare(CLONE_NEWNET)) {
    printf("SKIP unshare(CLONE_NEWNET): %s\n", en(errno));
    return 0;
  }
  sock = socket(AF_INET, SOCK_DGRAM, 0);
  OK("socket", sock >= 0);

  struct stat st;
  OK("stat /dev/net/tun: char 10:200", stat("/dev/net/tun", &st) == 0 && S_ISCHR(st.st_mode) &&
     major(st.st_rdev) == 10 && minor(st.st_rdev) == 200);
  int fd = tun_open();
  OK("open /dev/net/tun", fd >= 0);
  unsigned feat = 0;
  OK("TUNGETFEATURES", ioctl(fd, TUNGETFEATURES, &feat) == 0);
  printf("features %#x\n", feat);

  /* not attached yet */
  struct ifreq ifr;
  char buf[2048], name[IFNAMSIZ], name2[IFNAMSIZ];
  ERR("TUNGETIFF unattached", ioctl(fd, TUNGETIFF, &ifr), EBADFD);
  ERR("read unattached", read(fd, buf, sizeof buf), EBADFD);
  ERR("write unattached", write(fd, buf, 40), EBADFD);
  struct pollfd pf = { fd, POLLIN | POLLOUT, 0 };
  RES("poll unattached", poll(&pf, 1, 0));
  printf("poll revents %#x\n", pf.revents);
  ERR("TUNSETPERSIST unattached", ioctl(fd, TUNSETPERSIST, 1), EBADFD);

  /* TUNSETIFF errors (each on a fresh fd: an attached one is EEXIST) */
  ERR("TUNSETIFF no type", set_iff(fd, "t0", IFF_NO_PI, NULL), EINVAL);
  ERR("TUNSETIFF bad pointer", ioctl(fd, TUNSETIFF, (void *)8), EFAULT);
  ERR("TUNSETIFF name with a slash", set_iff(fd, "a/b", IFF_TUN, NULL), EINVAL);
  ERR("TUNSETIFF name ..", set_iff(fd, "..", IFF_TUN, NULL), EINVAL);
  ERR("TUNSETIFF name lo (not a tun)", set_iff(fd, "lo", IFF_TUN, NULL), EINVAL);
  {
    int f = tun_open();
    OK("TUNSETIFF TUN|TAP: a TUN", set_iff(f, "both%d", IFF_TUN | IFF_TAP, name) == 0);
    memset(&ifr, 0, sizeof ifr);
    OK("  TUNGETIFF", ioctl(f, TUNGETIFF, &ifr) == 0);
    printf("%s flags %#x\n", name, ifr.ifr_flags & 0xffff);
    ERR("TUNSETIFF on an attached fd", set_iff(f, "other", IFF_TUN, NULL), EEXIST);
    close(f);
    ERR("  gone at close", if_nametoindex(name) ? 0 : -1, ENODEV);
  }

  /* a TUN device */
  OK("TUNSETIFF umktun%d IFF_TUN|IFF_NO_PI", set_iff(fd, "umktun%d", IFF_TUN | IFF_NO_PI, name) == 0);
  printf("name %s\n", name);
  memset(&ifr, 0, sizeof ifr);
  OK("TUNGETIFF", ioctl(fd, TUNGETIFF, &ifr) == 0);
  printf("TUNGETIFF %s flags %#x\n", ifr.ifr_name, ifr.ifr_flags & 0xffff);
  int idx = if_nametoindex(name);
  OK("if_nametoindex", idx > 1);
  printf("flags down %#x\n", if_flags(name));
  memset(&ifr, 0, sizeof ifr);
  snprintf(ifr.ifr_name, IFNAMSIZ, "%s", name);
  OK("SIOCGIFMTU", ioctl(sock, SIOCGIFMTU, &ifr) == 0);
  printf("mtu %d\n", ifr.ifr_mtu);
  OK("SIOCGIFHWADDR", ioctl(sock, SIOCGIFHWADDR, &ifr) == 0);
  printf("hw family %d\n", ifr.ifr_hwaddr.sa_family);
  int fd2 = tun_open();
  ERR("a second queue on a single-queue device", set_iff(fd2, name, IFF_TUN | IFF_NO_PI, NULL), EBUSY);
  ERR("attach as TAP to a TUN device", set_iff(fd2, name, IFF_TAP | IFF_NO_PI, NULL), EINVAL);

  /* the queue */
  fcntl(fd, F_SETFL, O_NONBLOCK);
  ERR("read: nothing queued", read(fd, buf, sizeof buf), EAGAIN);
  pf.revents = 0;
  RES("poll attached", poll(&pf, 1, 0));
  printf("poll revents %#x\n", pf.revents);
  /* an IPv4/UDP packet from 192.0.2.1 to 192.0.2.2 (TEST-NET-1): it
   * enters the namespace's stack, which has no route for it */
  static const unsigned char pkt[28] = {
    0x45, 0, 0, 28, 0, 1, 0, 0, 64, 17, 0, 0, 192, 0, 2, 1, 192, 0, 2, 2,
    0x30, 0x39, 0x30, 0x39, 0, 8, 0, 0 };
  RES("write while down", write(fd, pkt, sizeof pkt));
  OK("bring it up", if_up(name, 1) == 0);
  printf("flags up %#x\n", if_flags(name));
  RES("write a packet", write(fd, pkt, sizeof pkt));
  RES("write an empty packet", write(fd, pkt, 0));
  ERR("write from a bad pointer", syscall(1, fd, 8L, 28L), EFAULT);
  {
    static char big[70000];
    RES("write 70000 bytes", write(fd, big, sizeof big));
    RES("write 65535 bytes", write(fd, big, 65535));
  }
  /* (Linux's IPv6 may have queued a router solicitation by now: POLLIN
   * is not compared) */
  pf.revents = 0;
  OK("poll up: POLLOUT", poll(&pf, 1, 0) == 1 && (pf.revents & POLLOUT));

  /* persist, owner, group, sndbuf, vnet header */
  OK("TUNSETOWNER", ioctl(fd, TUNSETOWNER, 1000) == 0);
  OK("TUNSETGROUP", ioctl(fd, TUNSETGROUP, 1000) == 0);
  int sb = 0;
  OK("TUNGETSNDBUF", ioctl(fd, TUNGETSNDBUF, &sb) == 0);
  printf("sndbuf %d\n", sb);
  sb = 4096;
  OK("TUNSETSNDBUF", ioctl(fd, TUNSETSNDBUF, &sb) == 0 && ioctl(fd, TUNGETSNDBUF, &sb) == 0 && sb == 4096);
  sb = 0;
  ERR("TUNSETSNDBUF 0", ioctl(fd, TUNSETSNDBUF, &sb), EINVAL);
  int hs = 0;
  OK("TUNGETVNETHDRSZ", ioctl(fd, TUNGETVNETHDRSZ, &hs) == 0);
  printf("vnet hdr %d\n", hs);
  hs = 4;
  ERR("TUNSETVNETHDRSZ 4", ioctl(fd, TUNSETVNETHDRSZ, &hs), EINVAL);
  hs = 12;
  OK("TUNSETVNETHDRSZ 12", ioctl(fd, TUNSETVNETHDRSZ, &hs) == 0);
  ERR("unknown tun ioctl", ioctl(fd, _IOW('T', 250, int), &hs), EINVAL);
  OK("TUNSETPERSIST 1", ioctl(fd, TUNSETPERSIST, 1) == 0);
  close(fd);
  OK("persistent: still there after close", if_nametoindex(name) == (unsigned)idx);
  printf("flags detached %#x\n", if_flags(name));
  fd = tun_open();
  /* owner 1000: root has CAP_NET_ADMIN, so may attach */
  OK("reattach", set_iff(fd, name, IFF_TUN | IFF_NO_PI, NULL) == 0);
  printf("flags reattached %#x\n", if_flags(name));
  OK("TUNSETPERSIST 0", ioctl(fd, TUNSETPERSIST, 0) == 0);
  close(fd);
  ERR("gone with the last close", if_nametoindex(name) ? 0 : -1, ENODEV);

  /* TAP, a default name, multi-queue */
  fd = tun_open();
  OK("TUNSETIFF IFF_TAP default name", set_iff(fd, NULL, IFF_TAP | IFF_NO_PI | IFF_MULTI_QUEUE, name) == 0);
  printf("tap name %s\n", name);
  memset(&ifr, 0, sizeof ifr);
  snprintf(ifr.ifr_name, IFNAMSIZ, "%s", name);
  OK("TAP SIOCGIFHWADDR", ioctl(sock, SIOCGIFHWADDR, &ifr) == 0);
  printf("tap hw family %d\n", ifr.ifr_hwaddr.sa_family);
  OK("a second queue on a multi-queue device", set_iff(fd2, name, IFF_TAP | IFF_NO_PI | IFF_MULTI_QUEUE, NULL) == 0);
  int fd3 = tun_open();
  OK("TUNSETIFF tap%d again: the next number", set_iff(fd3, "tap%d", IFF_TAP, name2) == 0);
  printf("next %s\n", name2);
  int fd4 = tun_open();
  ERR("its name with other flags", set_iff(fd4, name2, IFF_TAP | IFF_MULTI_QUEUE, NULL), EINVAL);
  ERR("its name as a second queue", set_iff(fd4, name2, IFF_TAP, NULL), EBUSY);
  close(fd4);
  close(fd);
  OK("alive while a queue is", if_nametoindex(name) > 0);
  close(fd2);
  ERR("gone with both queues", if_nametoindex(name) ? 0 : -1, ENODEV);
  close(fd3);

  /* frames sent out a device through a packet socket are read from its
   * queue: a whole Ethernet frame on a TAP, an IP packet after the PI
   * header on a TUN (frames of other ethertypes, such as the IPv6 that
   * Linux sends by itself, are skipped) */
  {
    int tap = tun_open();
    char tn[IFNAMSIZ];
    OK("frames: a TAP", set_iff(tap, "umktap%d", IFF_TAP | IFF_NO_PI, tn) == 0);
    OK("frames: up", if_up(tn, 1) == 0);
    fcntl(tap, F_SETFL, O_NONBLOCK);
    int ps = socket(AF_PACKET, SOCK_RAW, htons(0x88b5));
    OK("frames: a packet socket", ps >= 0);
    struct sockaddr_ll ll;
    memset(&ll, 0, sizeof ll);
    ll.sll_family = AF_PACKET;
    ll.sll_ifindex = if_nametoindex(tn);
    ll.sll_protocol = htons(0x88b5);
    ll.sll_halen = 6;
    memset(ll.sll_addr, 0xff, 6);
    unsigned char fr[64] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0, 0, 0, 0, 1, 0x88, 0xb5 };
    memcpy(fr + 14, "umk tun frame", 13);
    OK("frames: sendto the TAP", sendto(ps, fr, sizeof fr, 0, (struct sockaddr *)&ll, sizeof ll) == sizeof fr);
    unsigned char rb[2048];
    ssize_t got = -1;
    for (int i = 0; i < 50; i++) {
      got = read(tap, rb, sizeof rb);
      if (got < 0 || (got >= 14 && rb[12] == 0x88 && rb[13] == 0xb5))
        break;
    }
    OK("frames: read back from the TAP's queue", got == sizeof fr && !memcmp(rb, fr, sizeof fr));
    /* and a frame written to the TAP's fd enters the stack: a packet
     * socket bound to the device for its ethertype receives it */
    struct sockaddr_ll bl;
    memset(&bl, 0, sizeof bl);
    bl.sll_family = AF_PACKET;
    bl.sll_protocol = htons(0x88b5);
    bl.sll_ifindex = if_nametoindex(tn);
    int rs = socket(AF_PACKET, SOCK_RAW, htons(0x88b5));
    int ds = socket(AF_PACKET, SOCK_DGRAM, htons(0x88b5));
    OK("frames: receivers bound to the TAP", rs >= 0 && ds >= 0 &&
       bind(rs, (struct sockaddr *)&bl, sizeof bl) == 0 && bind(ds, (struct sockaddr *)&bl, sizeof bl) == 0);
    memcpy(fr + 14, "umk rx frame!", 13);
    OK("frames: write a frame to the TAP", write(tap, fr, sizeof fr) == sizeof fr);
    struct sockaddr_ll from;
    socklen_t fl = sizeof from;
    memset(&from, 0, sizeof from);
    got = recvfrom(rs, rb, sizeof rb, MSG_DONTWAIT, (struct sockaddr *)&from, &fl);
    OK("frames: SOCK_RAW receives it whole", got == sizeof fr && !memcmp(rb, fr, sizeof fr));
    printf("from: family %d protocol %#x ifindex ok %d hatype %d pkttype %d halen %d addr %02x:%02x\n",
           from.sll_family, ntohs(from.sll_protocol), from.sll_ifindex == (int)if_nametoindex(tn),
           from.sll_hatype, from.sll_pkttype, from.sll_halen, from.sll_addr[0], from.sll_addr[5]);
    got = recv(ds, rb, sizeof rb, MSG_DONTWAIT);
    OK("frames: SOCK_DGRAM without the Ethernet header", got == sizeof fr - 14 && !memcmp(rb, fr + 14, got));
    ERR("frames: one frame each", recv(rs, rb, 8, MSG_DONTWAIT | MSG_TRUNC), EAGAIN);
    close(rs);
    close(ds);
    close(ps);
    close(tap);

    int tn1 = tun_open();
    OK("frames: a TUN with the PI header", set_iff(tn1, "umkpi%d", IFF_TUN, tn) == 0);
    OK("frames: up", if_up(tn, 1) == 0);
    fcntl(tn1, F_SETFL, O_NONBLOCK);
    ps = socket(AF_PACKET, SOCK_DGRAM, htons(0x0800));
    memset(&ll, 0, sizeof ll);
    ll.sll_family = AF_PACKET;
    ll.sll_ifindex = if_nametoindex(tn);
    ll.sll_protocol = htons(0x0800);
    OK("frames: sendto the TUN", sendto(ps, pkt, sizeof pkt, 0, (struct sockaddr *)&ll, sizeof ll) == sizeof pkt);
    for (int i = 0; i < 50; i++) {
      got = read(tn1, rb, sizeof rb);
      if (got < 0 || (got >= 4 && rb[2] == 0x08 && rb[3] == 0x00))
        break;
    }
    OK("frames: read back: PI flags 0, ETH_P_IP, the packet", got == 4 + sizeof pkt && rb[0] == 0 && rb[1] == 0 &&
       !memcmp(rb + 4, pkt, sizeof pkt));
    close(ps);
    close(tn1);
  }

  /* without CAP_NET_ADMIN: no new device */
  pid_t p = fork();
  if (p == 0) {
    struct { unsigned version; int pid; } hdr = { 0x20080522, 0 };
    struct { unsigned eff, perm, inh; } data[2] = { { 0, 0, 0 }, { 0, 0, 0 } };
    syscall(126 /* capset */, &hdr, data);
    int f = tun_open();
    ERR("TUNSETIFF without CAP_NET_ADMIN", set_iff(f, "nocap0", IFF_TUN, NULL), EPERM);
    unsigned ft = 0;
    OK("TUNGETFEATURES without it", ioctl(f, TUNGETFEATURES, &ft) == 0 && ft == feat);
    _exit(t_failed != 0);
  }
  int status;
  waitpid(p, &status, 0);
  OK("unprivileged child", WIFEXITED(status) && WEXITSTATUS(status) == 0);
  return t_done();
}
