/* netfilter.c - iptables' socket options (IPT_SO_GET_INFO, GET_ENTRIES,
 * GET_REVISION_MATCH/TARGET, SET_REPLACE, SET_ADD_COUNTERS) in a network
 * namespace of the program's own making (unshare(CLONE_NEWNET) first,
 * natively too, so the host's tables are never touched), with Linux's
 * checks of a new table fed hostile ones (bad sizes and offsets, loops,
 * jumps into a rule, unknown extensions and revisions, LTP setsockopt08's
 * table), and the rules enforced on the loopback: a TCP connect to a
 * REJECTed port is refused, to a DROPped one gets no answer, UDP
 * datagrams vanish or bring ECONNREFUSED, and the rules' counters count
 * what they matched.  Only the extensions umk knows are used (tcp, udp,
 * multiport, comment, state, REJECT).  Runs as root natively. */
#include "t.h"
#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/netfilter_ipv4/ip_tables.h>
#include <linux/netfilter_ipv4/ipt_REJECT.h>
#include <linux/netfilter/xt_tcpudp.h>
#include <linux/netfilter/xt_multiport.h>
#include <linux/netfilter/xt_state.h>
#include <linux/netfilter/xt_comment.h>
#include <linux/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <stddef.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>

static int fd;

/* ---- building a table ---- */
static char blob[16384];
static unsigned used, nent;
static unsigned hook_entry[5], underflow[5];

static struct ipt_entry *rule_begin(void)
{
  struct ipt_entry *e = (void *)(blob + used);
  memset(e, 0, sizeof *e);
  e->target_offset = e->next_offset = sizeof *e;
  return e;
}

static void *add_match(struct ipt_entry *e, const char *name, int rev, const void *data, unsigned size)
{
  struct xt_entry_match *m = (void *)((char *)e + e->target_offset);
  unsigned total = XT_ALIGN(sizeof *m + size);
  memset(m, 0, total);
  m->u.user.match_size = total;
  snprintf(m->u.user.name, sizeof m->u.user.name, "%s", name);
  m->u.user.revision = rev;
  memcpy(m->data, data, size);
  e->target_offset += total;
  e->next_offset = e->target_offset;
  return m->data;
}

static void add_target(struct ipt_entry *e, const char *name, const void *data, unsigned size)
{
  struct xt_entry_target *t = (void *)((char *)e + e->target_offset);
  unsigned total = XT_ALIGN(sizeof *t + size);
  memset(t, 0, total);
  t->u.user.target_size = total;
  snprintf(t->u.user.name, sizeof t->u.user.name, "%s", name);
  memcpy(t->data, data, size);
  e->next_offset = e->target_offset + total;
  used += e->next_offset;
  nent++;
}

static void verdict_rule(int verdict)
{
  struct ipt_entry *e = rule_begin();
  add_target(e, "", &verdict, sizeof verdict);
}

static void error_rule(const char *name)
{
  char n[32] = { 0 };
  snprintf(n, sizeof n, "%s", name);
  struct ipt_entry *e = rule_begin();
  add_target(e, "ERROR", n, sizeof n);
}

static struct ipt_entry *proto_rule(int proto, int dport)
{
  struct ipt_entry *e = rule_begin();
  e->ip.proto = proto;
  if (proto == IPPROTO_TCP) {
    struct xt_tcp tcp = { .spts = { 0, 65535 }, .dpts = { dport, dport } };
    add_match(e, "tcp", 0, &tcp, sizeof tcp);
  } else {
    struct xt_udp udp = { .spts = { 0, 65535 }, .dpts = { dport, dport } };
    add_match(e, "udp", 0, &udp, sizeof udp);
  }
  return e;
}

static void reject(struct ipt_entry *e, int with)
{
  struct ipt_reject_info r = { .with = with };
  add_target(e, "REJECT", &r, sizeof r);
}

static void drop(struct ipt_entry *e)
{
  int v = -NF_DROP - 1;
  add_target(e, "", &v, sizeof v);
}

/* the replace buffer: header + blob */
static char rbuf[sizeof(struct ipt_replace) + sizeof blob];
static struct xt_counters old[64];

static int replace(const char *table, unsigned valid, unsigned ncount, unsigned len)
{
  struct ipt_replace *r = (void *)rbuf;
  memset(r, 0, sizeof *r);
  snprintf(r->name, sizeof r->name, "%s", table);
  r->valid_hooks = valid;
  r->num_entries = nent;
  r->size = used;
  memcpy(r->hook_entry, hook_entry, sizeof hook_entry);
  memcpy(r->underflow, underflow, sizeof underflow);
  r->num_counters = ncount;
  r->counters = old;
  memcpy(r->entries, blob, used);
  return setsockopt(fd, IPPROTO_IP, IPT_SO_SET_REPLACE, rbuf, len ? len : sizeof *r + used);
}

static unsigned cur_entries(const char *table)
{
  struct ipt_getinfo info = { 0 };
  socklen_t l = sizeof info;
  snprintf(info.name, sizeof info.name, "%s", table);
  if (getsockopt(fd, IPPROTO_IP, IPT_SO_GET_INFO, &info, &l))
    return 0;
  return info.num_entries;
}

/* A filter table: INPUT = rules from add_input then ACCEPT; FORWARD, OUTPUT: ACCEPT. */
static int tcp_reject_port, tcp_drop_port, udp_drop_port, udp_reject_port, mport;

static void build_filter(int variant)
{
  used = nent = 0;
  hook_entry[NF_INET_LOCAL_IN] = used;
  if (variant >= 1) {
    reject(proto_rule(IPPROTO_TCP, tcp_reject_port), IPT_TCP_RESET);
    drop(proto_rule(IPPROTO_TCP, tcp_drop_port));
    drop(proto_rule(IPPROTO_UDP, udp_drop_port));
    reject(proto_rule(IPPROTO_UDP, udp_reject_port), IPT_ICMP_PORT_UNREACHABLE);
    /* -p tcp -m multiport --dports M -m comment --comment x -m state --state NEW -j user chain */
    struct ipt_entry *e = rule_begin();
    e->ip.proto = IPPROTO_TCP;
    struct xt_multiport_v1 mp = { .flags = XT_MULTIPORT_DESTINATION, .count = 1, .ports = { mport } };
    add_match(e, "multiport", 1, &mp, sizeof mp);
    struct xt_comment_info c = { "a comment" };
    add_match(e, "comment", 0, &c, sizeof c);
    struct xt_state_info st = { 8 };   /* XT_STATE_BIT(IP_CT_NEW) */
    add_match(e, "state", 0, &st, sizeof st);
    add_target(e, "", (int[]){ 0 }, sizeof(int));   /* jump: patched below */
  }
  underflow[NF_INET_LOCAL_IN] = used;
  verdict_rule(-NF_ACCEPT - 1);
  hook_entry[NF_INET_FORWARD] = underflow[NF_INET_FORWARD] = used;
  verdict_rule(-NF_ACCEPT - 1);
  hook_entry[NF_INET_LOCAL_OUT] = underflow[NF_INET_LOCAL_OUT] = used;
  verdict_rule(-NF_ACCEPT - 1);
  if (variant >= 1) {
    /* user chain "uchain": REJECT (port unreachable), then RETURN */
    unsigned chain = used;
    error_rule("uchain");
    struct ipt_entry *e = rule_begin();
    reject(e, IPT_ICMP_PORT_UNREACHABLE);
    verdict_rule(XT_RETURN);
    /* patch the jump (the 5th INPUT rule) to the chain's first rule */
    unsigned off = 0;
    for (int i = 0; i < 4; i++)
      off += ((struct ipt_entry *)(blob + off))->next_offset;
    struct ipt_entry *j = (void *)(blob + off);
    struct xt_standard_target *t = (void *)((char *)j + j->target_offset);
    t->verdict = chain + ((struct ipt_entry *)(blob + chain))->next_offset;
  }
  error_rule("ERROR");
}

/* ---- reading a table ---- */
static char gbuf[sizeof(struct ipt_get_entries) + sizeof blob];

static int get_entries(const char *table, unsigned size, socklen_t len)
{
  struct ipt_get_entries *g = (void *)gbuf;
  memset(gbuf, 0, sizeof gbuf);
  snprintf(g->name, sizeof g->name, "%s", table);
  g->size = size;
  socklen_t l = len ? len : sizeof *g + size;
  return getsockopt(fd, IPPROTO_IP, IPT_SO_GET_ENTRIES, gbuf, &l);
}

static unsigned cur_size(const char *table)
{
  struct ipt_getinfo info = { 0 };
  socklen_t l = sizeof info;
  snprintf(info.name, sizeof info.name, "%s", table);
  getsockopt(fd, IPPROTO_IP, IPT_SO_GET_INFO, &info, &l);
  return info.size;
}

/* prints each rule: offset, comefrom, counters, matches, target */
static void dump(const char *table, int counters)
{
  unsigned size = cur_size(table);
  struct ipt_get_entries *g = (void *)gbuf;
  if (get_entries(table, size, 0)) {
    printf("GET_ENTRIES %s = %s\n", table, en(errno));
    return;
  }
  for (unsigned off = 0; off < size;) {
    struct ipt_entry *e = (void *)((char *)g->entrytable + off);
    printf("  @%u proto %u flags %x inv %x to %u next %u comefrom %#x", off, e->ip.proto, e->ip.flags,
           e->ip.invflags, e->target_offset, e->next_offset, e->comefrom);
    if (counters)
      printf(" pkts %llu bytes %llu", (unsigned long long)e->counters.pcnt, (unsigned long long)e->counters.bcnt);
    for (unsigned m = sizeof *e; m < e->target_offset;) {
      struct xt_entry_match *mt = (void *)((char *)e + m);
      printf(" -m %s.%u/%u", mt->u.user.name, mt->u.user.revision, mt->u.match_size);
      m += mt->u.match_size;
    }
    struct xt_entry_target *t = (void *)((char *)e + e->target_offset);
    if (!t->u.user.name[0])
      printf(" -j verdict %d", ((struct xt_standard_target *)t)->verdict);
    else if (!strcmp(t->u.user.name, "ERROR"))
      printf(" -j ERROR %s", t->data);
    else
      printf(" -j %s.%u/%u %u", t->u.user.name, t->u.user.revision, t->u.target_size, *(unsigned *)t->data);
    printf("\n");
    if (!e->next_offset)
      break;
    off += e->next_offset;
  }
}

static void info(const char *table)
{
  struct ipt_getinfo i = { 0 };
  socklen_t l = sizeof i;
  snprintf(i.name, sizeof i.name, "%s", table);
  if (getsockopt(fd, IPPROTO_IP, IPT_SO_GET_INFO, &i, &l)) {
    printf("GET_INFO %s = %s\n", table, en(errno));
    return;
  }
  printf("GET_INFO %s: hooks %#x entry %u %u %u %u %u underflow %u %u %u %u %u num %u size %u len %u\n",
         i.name, i.valid_hooks, i.hook_entry[0], i.hook_entry[1], i.hook_entry[2], i.hook_entry[3],
         i.hook_entry[4], i.underflow[0], i.underflow[1], i.underflow[2], i.underflow[3], i.underflow[4],
         i.num_entries, i.size, l);
}

static void cat(const char *path)
{
  char b[4096];
  int f = open(path, O_RDONLY);
  ssize_t n = f < 0 ? -1 : read(f, b, sizeof b - 1);
  if (f >= 0)
    close(f);
  if (n < 0) {
    printf("%s: %s\n", path, en(errno));
    return;
  }
  b[n] = 0;
  for (char *p = b; *p; p++)
    if (*p == '\n')
      *p = ' ';
  printf("%s: [%s]\n", path, b);
}

static int revision(int opt, const char *name, int rev)
{
  struct xt_get_revision r = { 0 };
  socklen_t l = sizeof r;
  snprintf(r.name, sizeof r.name, "%s", name);
  r.revision = rev;
  return getsockopt(fd, IPPROTO_IP, opt, &r, &l);
}

/* ---- the loopback ---- */
static int listener(int type, int *port)
{
  struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
  socklen_t l = sizeof a;
  int s = socket(AF_INET, type, 0);
  bind(s, (void *)&a, sizeof a);
  getsockname(s, (void *)&a, &l);
  *port = ntohs(a.sin_port);
  if (type == SOCK_STREAM)
    listen(s, 8);
  return s;
}

/* connect to port: "ok", the errno, or "timeout" when no answer in ms */
static const char *try_connect(int port, int ms)
{
  struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
  int s = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  static char res[32];
  if (connect(s, (void *)&a, sizeof a) == 0) {
    close(s);
    return "ok";
  }
  if (errno != EINPROGRESS) {
    snprintf(res, sizeof res, "%s", en(errno));
    close(s);
    return res;
  }
  struct pollfd p = { s, POLLOUT, 0 };
  if (poll(&p, 1, ms) == 0) {
    close(s);
    return "timeout";
  }
  int err = 0;
  socklen_t l = sizeof err;
  getsockopt(s, SOL_SOCKET, SO_ERROR, &err, &l);
  close(s);
  snprintf(res, sizeof res, "%s", err ? en(err) : "ok");
  return res;
}

static int lo_up(void)
{
  struct ifreq ifr = { 0 };
  int s = socket(AF_INET, SOCK_DGRAM, 0);
  strcpy(ifr.ifr_name, "lo");
  ioctl(s, SIOCGIFFLAGS, &ifr);
  ifr.ifr_flags |= IFF_UP;
  int r = ioctl(s, SIOCSIFFLAGS, &ifr);
  close(s);
  return r;
}

int main(void)
{
  if (unshare(CLONE_NEWNET)) {
    printf("SKIP unshare(CLONE_NEWNET): %s\n", en(errno));
    return 0;
  }
  OK("lo up", lo_up() == 0);
  fd = socket(AF_INET, SOCK_DGRAM, 0);
  int raw = socket(AF_INET, SOCK_RAW, IPPROTO_RAW);
  OK("raw socket", raw >= 0);

  /* ---- a fresh namespace: no table until one is asked for ---- */
  cat("/proc/net/ip_tables_names");
  info("filter");
  cat("/proc/net/ip_tables_names");
  dump("filter", 1);
  info("raw");
  dump("raw", 0);
  info("mangle");
  info("nat");
  cat("/proc/net/ip_tables_names");
  info("nosuch");
  info("");
  {
    struct ipt_getinfo i = { .name = "filter" };
    socklen_t l = sizeof i - 1;
    ERR("GET_INFO short", getsockopt(fd, IPPROTO_IP, IPT_SO_GET_INFO, &i, &l), EINVAL);
    l = sizeof i + 1;
    ERR("GET_INFO long", getsockopt(fd, IPPROTO_IP, IPT_SO_GET_INFO, &i, &l), EINVAL);
    l = sizeof i;
    ERR("GET_INFO bad pointer", getsockopt(fd, IPPROTO_IP, IPT_SO_GET_INFO, (void *)8, &l), EFAULT);
    ERR("GET_INFO bad len pointer", getsockopt(fd, IPPROTO_IP, IPT_SO_GET_INFO, &i, (void *)8), EFAULT);
    l = sizeof i;
    OK("GET_INFO on a raw socket", getsockopt(raw, IPPROTO_IP, IPT_SO_GET_INFO, &i, &l) == 0 && i.size == 632);
    int tcp = socket(AF_INET, SOCK_STREAM, 0);
    OK("GET_INFO on a TCP socket", getsockopt(tcp, IPPROTO_IP, IPT_SO_GET_INFO, &i, &l) == 0);
    int tcp6 = socket(AF_INET6, SOCK_STREAM, 0);
    OK("GET_INFO at SOL_IP on a TCP6 socket", getsockopt(tcp6, IPPROTO_IP, IPT_SO_GET_INFO, &i, &l) == 0);
    close(tcp);
    close(tcp6);
    l = sizeof i;
    ERR("getsockopt IPT 68", getsockopt(fd, IPPROTO_IP, 68, &i, &l), ENOPROTOOPT);
    l = sizeof i;
    ERR("setsockopt IPT 66", setsockopt(fd, IPPROTO_IP, 66, &i, l), ENOPROTOOPT);
  }
  ERR("GET_ENTRIES short", get_entries("filter", 632, sizeof(struct ipt_get_entries) - 1), EINVAL);
  ERR("GET_ENTRIES len != size", get_entries("filter", 632, sizeof(struct ipt_get_entries) + 600), EINVAL);
  ERR("GET_ENTRIES wrong size", get_entries("filter", 600, 0), EAGAIN);
  ERR("GET_ENTRIES no table", get_entries("nosuch", 632, 0), ENOENT);

  /* ---- revisions ---- */
  OK("revision tcp 0", revision(IPT_SO_GET_REVISION_MATCH, "tcp", 0) == 0);
  ERR("revision tcp 1", revision(IPT_SO_GET_REVISION_MATCH, "tcp", 1), EPROTONOSUPPORT);
  OK("revision multiport 1", revision(IPT_SO_GET_REVISION_MATCH, "multiport", 1) == 0);
  OK("revision state 0", revision(IPT_SO_GET_REVISION_MATCH, "state", 0) == 0);
  OK("revision comment 0", revision(IPT_SO_GET_REVISION_MATCH, "comment", 0) == 0);
  OK("revision REJECT 0", revision(IPT_SO_GET_REVISION_TARGET, "REJECT", 0) == 0);
  OK("revision standard 0", revision(IPT_SO_GET_REVISION_TARGET, "", 0) == 0);
  ERR("revision REJECT 7", revision(IPT_SO_GET_REVISION_TARGET, "REJECT", 7), EPROTONOSUPPORT);
  ERR("revision no such match", revision(IPT_SO_GET_REVISION_MATCH, "umk-nosuch", 0), ENOENT);
  ERR("revision no such target", revision(IPT_SO_GET_REVISION_TARGET, "UMKNOSUCH", 0), ENOENT);
  ERR("revision tcp as a target", revision(IPT_SO_GET_REVISION_TARGET, "tcp", 0), ENOENT);
  {
    struct xt_get_revision r = { "tcp", 0 };
    socklen_t l = sizeof r - 1;
    ERR("revision short", getsockopt(fd, IPPROTO_IP, IPT_SO_GET_REVISION_MATCH, &r, &l), EINVAL);
  }

  /* ---- hostile tables ---- */
  int lt, lu1, lu2, ldrop;
  int ts = listener(SOCK_STREAM, &tcp_reject_port);
  int td = listener(SOCK_STREAM, &tcp_drop_port);
  int tm = listener(SOCK_STREAM, &mport);
  int tok = listener(SOCK_STREAM, &lt);
  int u1 = listener(SOCK_DGRAM, &udp_drop_port);
  int u2 = listener(SOCK_DGRAM, &udp_reject_port);
  int u3 = listener(SOCK_DGRAM, &ldrop);
  (void)lu1; (void)lu2;
  build_filter(1);
  unsigned n0 = cur_entries("filter");
  ERR("REPLACE optlen 1 (setsockopt08)", replace("filter", 0xe, n0, 1), EINVAL);
  ERR("REPLACE header only", replace("filter", 0xe, n0, sizeof(struct ipt_replace)), EINVAL);
  ERR("REPLACE num_counters 0", replace("filter", 0xe, 0, 0), EINVAL);
  ERR("REPLACE huge num_counters", replace("filter", 0xe, 0x7fffffff, 0), ENOMEM);
  ERR("REPLACE bad pointer", setsockopt(fd, IPPROTO_IP, IPT_SO_SET_REPLACE, (void *)8, 200), EFAULT);
  ERR("REPLACE wrong valid_hooks", replace("filter", 0x1e, n0, 0), EINVAL);
  /* its REJECT is for "filter" only: checked before the table is looked up */
  ERR("REPLACE no such table", replace("nosuch", 0xe, n0, 0), EINVAL);
  ERR("REPLACE stale num_counters", replace("filter", 0xe, n0 + 1, 0), EAGAIN);
  {
    /* setsockopt08's table, whole: a "state" match of the wrong size */
    static char b8[2048];
    struct ipt_replace *r = (void *)b8;
    struct ipt_entry *e = r->entries;
    struct xt_entry_match *m = (void *)e->elems;
    size_t msize = 1024 - 64 - 112 - 4 - 32 - 4;
    struct xt_entry_target *t = (void *)(e->elems + msize);
    m->u.user.match_size = msize;
    strcpy(m->u.user.name, "state");
    t->u.user.target_size = 32;
    strcpy(t->u.user.name, "REJECT");
    e->target_offset = offsetof(struct ipt_entry, elems) + msize;
    e->next_offset = e->target_offset + 32;
    strcpy(r->name, "filter");
    r->num_entries = 1;
    r->num_counters = 1;
    r->size = e->next_offset;
    ERR("REPLACE setsockopt08's table, whole", setsockopt(fd, IPPROTO_IP, IPT_SO_SET_REPLACE, b8, sizeof b8), EINVAL);
    ERR("REPLACE setsockopt08's table, optlen 1", setsockopt(fd, IPPROTO_IP, IPT_SO_SET_REPLACE, b8, 1), EINVAL);
  }
#define HOSTILE(name, mutate, want) do { build_filter(1); { mutate; } ERR(name, replace("filter", 0xe, n0, 0), want); } while (0)
  struct ipt_entry *e0 = (void *)blob;
#define E(i) ({ unsigned o_ = 0; for (int k_ = 0; k_ < (i); k_++) o_ += ((struct ipt_entry *)(blob + o_))->next_offset; (struct ipt_entry *)(blob + o_); })
#define TG(e) ((struct xt_entry_target *)((char *)(e) + (e)->target_offset))
#define MT(e) ((struct xt_entry_match *)((e)->elems))
  HOSTILE("next_offset 0", e0->next_offset = 0, EINVAL);
  HOSTILE("next_offset past the end", E(11)->next_offset += 8, EINVAL);
  HOSTILE("next_offset misaligned", e0->next_offset += 4, EINVAL);
  HOSTILE("target_offset inside the header", e0->target_offset = 100, EINVAL);
  HOSTILE("target_offset past next", e0->target_offset = e0->next_offset, EINVAL);
  HOSTILE("target size 0", TG(e0)->u.target_size = 0, EINVAL);
  HOSTILE("match size 0", MT(e0)->u.match_size = 0, EINVAL);
  HOSTILE("match size past target", MT(e0)->u.match_size += 8, EINVAL);
  HOSTILE("unknown ip flags", e0->ip.flags = 0x80, EINVAL);
  HOSTILE("unknown ip invflags", e0->ip.invflags = 0x80, EINVAL);
  HOSTILE("num_entries off", nent++, EINVAL);
  HOSTILE("hook entry not a rule", hook_entry[NF_INET_FORWARD] += 8, EINVAL);
  HOSTILE("underflow conditional", underflow[NF_INET_LOCAL_IN] = 0, EINVAL);
  HOSTILE("underflows unsorted", { unsigned x = underflow[1]; underflow[1] = underflow[3]; underflow[3] = x; }, EINVAL);
  HOSTILE("bad verdict", ((struct xt_standard_target *)TG(E(5)))->verdict = -10, EINVAL);
  HOSTILE("verdict 0", ((struct xt_standard_target *)TG(E(5)))->verdict = 0, EINVAL);
  HOSTILE("standard target sized wrong", TG(E(5))->u.target_size += 8, EINVAL);
  HOSTILE("jump into a rule", ((struct xt_standard_target *)TG(E(4)))->verdict += 8, ELOOP);
  HOSTILE("jump past the table", ((struct xt_standard_target *)TG(E(4)))->verdict = used + 64, ELOOP);
  HOSTILE("loop", ((struct xt_standard_target *)TG(E(10)))->verdict = ((char *)E(9) - blob), ELOOP);
  HOSTILE("jump to itself", ((struct xt_standard_target *)TG(E(4)))->verdict = ((char *)E(4) - blob), ELOOP);
  HOSTILE("falls off the end", { struct xt_standard_target *t = (void *)TG(E(10)); strcpy(t->target.u.user.name, "REJECT"); t->target.u.target_size = 40; }, ELOOP);
  HOSTILE("unknown match", strcpy(MT(e0)->u.user.name, "umk-nosuch"), ENOENT);
  HOSTILE("match name fills its field", memset(MT(e0)->u.user.name, 'a', sizeof MT(e0)->u.user.name), EINVAL);
  HOSTILE("match revision (an IPv4 match)", MT(e0)->u.user.revision = 3, ENOENT);
  HOSTILE("match revision (a family-independent one)", ((struct xt_entry_match *)((char *)E(4) + 192))->u.user.revision = 5, EPROTOTYPE);
  HOSTILE("unknown target", strcpy(TG(e0)->u.user.name, "UMKNOSUCH"), ENOENT);
  HOSTILE("target revision", TG(e0)->u.user.revision = 9, ENOENT);
  HOSTILE("tcp match on udp", e0->ip.proto = IPPROTO_UDP, EINVAL);
  HOSTILE("tcp match, protocol inverted", e0->ip.invflags = IPT_INV_PROTO, EINVAL);
  HOSTILE("tcp match bad invflags", ((struct xt_tcp *)MT(e0)->data)->invflags = 0x40, EINVAL);
  HOSTILE("udp match bad invflags", ((struct xt_udp *)MT(E(2))->data)->invflags = 0x10, EINVAL);
  HOSTILE("reject echo-reply", ((struct ipt_reject_info *)TG(E(3))->data)->with = IPT_ICMP_ECHOREPLY, EINVAL);
  HOSTILE("reject tcp-reset on udp", ((struct ipt_reject_info *)TG(E(3))->data)->with = IPT_TCP_RESET, EINVAL);
  HOSTILE("multiport bad count", ((struct xt_multiport_v1 *)MT(E(4))->data)->count = 16, EINVAL);
  HOSTILE("multiport bad flags", ((struct xt_multiport_v1 *)MT(E(4))->data)->flags = 3, EINVAL);
  HOSTILE("multiport range at the last port", ((struct xt_multiport_v1 *)MT(E(4))->data)->pflags[0] = 1, EINVAL);
  HOSTILE("error target not terminated", memset(TG(E(10 + 1))->data, 'x', 32), EINVAL);
  /* REJECT in the raw table (filter only) */
  used = nent = 0;
  hook_entry[0] = underflow[0] = 0;
  reject(rule_begin(), IPT_ICMP_PORT_UNREACHABLE);
  underflow[0] = used;
  verdict_rule(-NF_ACCEPT - 1);
  hook_entry[3] = underflow[3] = used;
  verdict_rule(-NF_ACCEPT - 1);
  error_rule("ERROR");
  ERR("REJECT in the raw table", replace("raw", 0x9, cur_entries("raw"), 0), EINVAL);
  info("filter");

  /* ---- a good table, read back ---- */
  build_filter(1);
  OK("REPLACE filter", replace("filter", 0xe, n0, 0) == 0);
  info("filter");
  dump("filter", 1);
  {
    /* what comes back is what was given, but for counters and comefrom */
    struct ipt_get_entries *g = (void *)gbuf;
    unsigned size = cur_size("filter");
    get_entries("filter", size, 0);
    int same = size == used;
    for (unsigned off = 0; same && off < used;) {
      struct ipt_entry *a = (void *)(blob + off), *b = (void *)((char *)g->entrytable + off);
      same = !memcmp(&a->ip, &b->ip, sizeof a->ip) && a->next_offset == b->next_offset &&
             !memcmp((char *)a + sizeof *a, (char *)b + sizeof *b, a->next_offset - sizeof *a);
      off += a->next_offset;
    }
    OK("GET_ENTRIES gives the rules back", same);
  }

  /* ---- the rules at work ---- */
  printf("tcp rejected: %s\n", try_connect(tcp_reject_port, 300));
  printf("tcp dropped: %s\n", try_connect(tcp_drop_port, 300));
  printf("tcp via user chain: %s\n", try_connect(mport, 300));
  printf("tcp allowed: %s\n", try_connect(lt, 300));
  {
    int c = accept(tok, NULL, NULL);
    OK("allowed connection accepted", c >= 0);
    close(c);
  }
  printf("tcp nobody listening: %s\n", try_connect(1, 300));
  {
    /* a blocking connect whose SYN is dropped gives up at SO_SNDTIMEO */
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(tcp_drop_port), .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    struct timeval tv = { 0, 200000 };
    int s = socket(AF_INET, SOCK_STREAM, 0);
    setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    ERR("blocking connect, SYN dropped, SO_SNDTIMEO", connect(s, (void *)&a, sizeof a), EINPROGRESS);
    ERR("connect again while it waits", connect(s, (void *)&a, sizeof a), EALREADY);
    close(s);
  }
  {
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    char buf[64];
    int s = socket(AF_INET, SOCK_DGRAM, 0);
    a.sin_port = htons(udp_drop_port);
    OK("udp send to a dropped port", sendto(s, "hello", 5, 0, (void *)&a, sizeof a) == 5);
    ERR("udp dropped: nothing arrives", recv(u1, buf, sizeof buf, MSG_DONTWAIT), EAGAIN);
    a.sin_port = htons(udp_reject_port);
    OK("udp send to a rejected port", sendto(s, "hello!", 6, 0, (void *)&a, sizeof a) == 6);
    ERR("udp rejected: nothing arrives", recv(u2, buf, sizeof buf, MSG_DONTWAIT), EAGAIN);
    ERR("udp rejected: unconnected sender hears nothing", recv(s, buf, sizeof buf, MSG_DONTWAIT), EAGAIN);
    OK("udp connect to a rejected port", connect(s, (void *)&a, sizeof a) == 0);
    OK("udp send, connected", send(s, "again", 5, 0) == 5);
    ERR("udp rejected: connected sender gets the error", recv(s, buf, sizeof buf, MSG_DONTWAIT), ECONNREFUSED);
    a.sin_port = htons(ldrop);
    OK("udp connect to an allowed port", connect(s, (void *)&a, sizeof a) == 0);
    OK("udp send, allowed", send(s, "fine", 4, 0) == 4);
    OK("udp allowed arrives", recv(u3, buf, sizeof buf, MSG_DONTWAIT) == 4);
    close(s);
  }
  printf("counters:\n");
  {
    /* the counters of the rules (not the policies: every packet counts there) */
    struct ipt_get_entries *g = (void *)gbuf;
    unsigned size = cur_size("filter");
    get_entries("filter", size, 0);
    unsigned off = 0;
    for (int i = 0; i < 5; i++) {
      struct ipt_entry *e = (void *)((char *)g->entrytable + off);
      printf("  rule %d: pkts %llu bytes %llu\n", i, (unsigned long long)e->counters.pcnt,
             (unsigned long long)e->counters.bcnt);
      off += e->next_offset;
    }
    /* the user chain's REJECT */
    off = 0;
    for (int i = 0; i < 9; i++)
      off += ((struct ipt_entry *)((char *)g->entrytable + off))->next_offset;
    struct ipt_entry *e = (void *)((char *)g->entrytable + off);
    printf("  chain reject: pkts %llu bytes %llu\n", (unsigned long long)e->counters.pcnt,
           (unsigned long long)e->counters.bcnt);
  }

  /* ---- ADD_COUNTERS ---- */
  {
    unsigned n = cur_entries("filter");
    static char cb[sizeof(struct xt_counters_info) + 64 * sizeof(struct xt_counters)];
    struct xt_counters_info *ci = (void *)cb;
    memset(cb, 0, sizeof cb);
    strcpy(ci->name, "filter");
    ci->num_counters = n;
    for (unsigned i = 0; i < n; i++)
      ci->counters[i] = (struct xt_counters){ 1000 + i, 100000 };
    unsigned len = sizeof *ci + n * sizeof(struct xt_counters);
    ERR("ADD_COUNTERS header only", setsockopt(fd, IPPROTO_IP, IPT_SO_SET_ADD_COUNTERS, cb, sizeof *ci), EINVAL);
    ERR("ADD_COUNTERS len off", setsockopt(fd, IPPROTO_IP, IPT_SO_SET_ADD_COUNTERS, cb, len - 1), EINVAL);
    ci->num_counters = n - 1;
    ERR("ADD_COUNTERS wrong number", setsockopt(fd, IPPROTO_IP, IPT_SO_SET_ADD_COUNTERS, cb, len - 16), EINVAL);
    ci->num_counters = n;
    strcpy(ci->name, "nosuch");
    ERR("ADD_COUNTERS no table", setsockopt(fd, IPPROTO_IP, IPT_SO_SET_ADD_COUNTERS, cb, len), ENOENT);
    strcpy(ci->name, "filter");
    ERR("ADD_COUNTERS bad pointer", setsockopt(fd, IPPROTO_IP, IPT_SO_SET_ADD_COUNTERS, (void *)8, len), EFAULT);
    OK("ADD_COUNTERS", setsockopt(fd, IPPROTO_IP, IPT_SO_SET_ADD_COUNTERS, cb, len) == 0);
  }
  /* replace again: the old counters come back */
  memset(old, 0, sizeof old);
  build_filter(0);
  OK("REPLACE back to empty", replace("filter", 0xe, cur_entries("filter"), 0) == 0);
  for (int i = 0; i < 5; i++)
    printf("old counters %d: %llu %llu\n", i, (unsigned long long)old[i].pcnt, (unsigned long long)old[i].bcnt);
  printf("tcp rejected, rules gone: %s\n", try_connect(tcp_reject_port, 300));
  dump("filter", 0);
  cat("/proc/net/ip_tables_names");

  /* ---- ICMP: an echo request dropped at INPUT, then let through ---- */
  {
    used = nent = 0;
    hook_entry[NF_INET_LOCAL_IN] = 0;
    struct ipt_entry *e = rule_begin();
    e->ip.proto = IPPROTO_ICMP;
    struct ipt_icmp ic = { .type = 8, .code = { 0, 0xff } };
    add_match(e, "icmp", 0, &ic, sizeof ic);
    drop(e);
    underflow[NF_INET_LOCAL_IN] = used;
    verdict_rule(-NF_ACCEPT - 1);
    hook_entry[NF_INET_FORWARD] = underflow[NF_INET_FORWARD] = used;
    verdict_rule(-NF_ACCEPT - 1);
    hook_entry[NF_INET_LOCAL_OUT] = underflow[NF_INET_LOCAL_OUT] = used;
    verdict_rule(-NF_ACCEPT - 1);
    error_rule("ERROR");
    OK("REPLACE with an icmp rule", replace("filter", 0xe, cur_entries("filter"), 0) == 0);
    int r = socket(AF_INET, SOCK_RAW, IPPROTO_ICMP);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    for (int round = 0; round < 2; round++) {
      unsigned char req[16] = { 8, 0, 0, 0, 0x12, 0x34, 0, 1, 'u', 'm', 'k' };
      unsigned sum = 0;
      for (int i = 0; i < 16; i += 2)
        sum += req[i] << 8 | req[i + 1];
      while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
      req[2] = ~sum >> 8;
      req[3] = ~sum & 0xff;
      OK("icmp echo sent", sendto(r, req, sizeof req, 0, (void *)&a, sizeof a) == sizeof req);
      printf("icmp round %d:", round);
      for (;;) {
        struct pollfd pf = { r, POLLIN, 0 };
        unsigned char in[128];
        if (poll(&pf, 1, 200) != 1)
          break;
        ssize_t n = recv(r, in, sizeof in, 0);
        printf(" type %d len %zd", n > 20 ? in[20] : -1, n);
      }
      printf("\n");
      if (round == 0) {
        struct ipt_get_entries *g = (void *)gbuf;
        get_entries("filter", cur_size("filter"), 0);
        printf("icmp rule: pkts %llu bytes %llu\n", (unsigned long long)g->entrytable[0].counters.pcnt,
               (unsigned long long)g->entrytable[0].counters.bcnt);
        build_filter(0);
        OK("REPLACE without it", replace("filter", 0xe, cur_entries("filter"), 0) == 0);
      }
    }
    close(r);
  }

  /* ---- state: UDP replies (ESTABLISHED) dropped, the first datagram (NEW) let in ---- */
  {
    used = nent = 0;
    hook_entry[NF_INET_LOCAL_IN] = 0;
    struct ipt_entry *e = rule_begin();
    e->ip.proto = IPPROTO_UDP;
    struct xt_state_info st = { 2 };   /* XT_STATE_BIT(IP_CT_ESTABLISHED) */
    add_match(e, "state", 0, &st, sizeof st);
    drop(e);
    underflow[NF_INET_LOCAL_IN] = used;
    verdict_rule(-NF_ACCEPT - 1);
    hook_entry[NF_INET_FORWARD] = underflow[NF_INET_FORWARD] = used;
    verdict_rule(-NF_ACCEPT - 1);
    hook_entry[NF_INET_LOCAL_OUT] = underflow[NF_INET_LOCAL_OUT] = used;
    verdict_rule(-NF_ACCEPT - 1);
    error_rule("ERROR");
    OK("REPLACE with a state rule", replace("filter", 0xe, cur_entries("filter"), 0) == 0);
    int pa, pb;
    int a = listener(SOCK_DGRAM, &pa), b = listener(SOCK_DGRAM, &pb);
    struct sockaddr_in to = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    char buf[16];
    to.sin_port = htons(pb);
    OK("state: first datagram sent", sendto(a, "one", 3, 0, (void *)&to, sizeof to) == 3);
    OK("state: the NEW one arrives", recv(b, buf, sizeof buf, MSG_DONTWAIT) == 3);
    OK("state: second datagram sent", sendto(a, "two", 3, 0, (void *)&to, sizeof to) == 3);
    OK("state: still NEW (no reply yet), arrives", recv(b, buf, sizeof buf, MSG_DONTWAIT) == 3);
    to.sin_port = htons(pa);
    OK("state: reply sent", sendto(b, "back", 4, 0, (void *)&to, sizeof to) == 4);
    ERR("state: the ESTABLISHED reply is dropped", recv(a, buf, sizeof buf, MSG_DONTWAIT), EAGAIN);
    to.sin_port = htons(pb);
    OK("state: third datagram sent", sendto(a, "three", 5, 0, (void *)&to, sizeof to) == 5);
    ERR("state: now ESTABLISHED, dropped", recv(b, buf, sizeof buf, MSG_DONTWAIT), EAGAIN);
    struct ipt_get_entries *g = (void *)gbuf;
    get_entries("filter", cur_size("filter"), 0);
    printf("state rule: pkts %llu bytes %llu\n", (unsigned long long)g->entrytable[0].counters.pcnt,
           (unsigned long long)g->entrytable[0].counters.bcnt);
    close(a);
    close(b);
  }

  /* ---- not CAP_NET_ADMIN: EPERM ---- */
  pid_t pid = fork();
  if (pid == 0) {
    if (setresuid(65534, 65534, 65534))
      _exit(3);
    struct ipt_getinfo i = { .name = "filter" };
    socklen_t l = sizeof i;
    int r1 = getsockopt(fd, IPPROTO_IP, IPT_SO_GET_INFO, &i, &l) == -1 && errno == EPERM;
    int r2 = replace("filter", 0xe, 4, 0) == -1 && errno == EPERM;
    int r3 = revision(IPT_SO_GET_REVISION_MATCH, "tcp", 0) == -1 && errno == EPERM;
    _exit(r1 && r2 && r3 ? 0 : 1);
  }
  int st;
  waitpid(pid, &st, 0);
  OK("EPERM without CAP_NET_ADMIN", WIFEXITED(st) && WEXITSTATUS(st) == 0);
  close(ts); close(td); close(tm); close(tok); close(u1); close(u2); close(u3);
  return t_done();
}
