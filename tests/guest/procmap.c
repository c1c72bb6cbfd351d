/* procmap.c - the PROCMAP_QUERY ioctl of /proc/PID/maps: every VMA maps
 * lists (the [vsyscall] page aside, which Linux keeps outside the VMA
 * tree) comes back the same by its address, with its name; the
 * covering-or-next walk and the property filters (file-backed,
 * writable, shared); the build ID of the executable (checked against
 * its own ELF note); another process's maps; and the errors for bad
 * sizes, flags, buffers and pointers. */
#include "t.h"
#include <elf.h>
#include <fcntl.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>

struct pq {
  uint64_t size, query_flags, query_addr, vma_start, vma_end, vma_flags, vma_page_size, vma_offset, inode;
  uint32_t dev_major, dev_minor, vma_name_size, build_id_size;
  uint64_t vma_name_addr, build_id_addr;
};
#define PROCMAP_QUERY 0xc0686611
#define COVERING_OR_NEXT 0x10
#define FILE_BACKED 0x20

struct line { uint64_t start, end, off, ino; unsigned maj, min; char perm[8], name[512]; };
static struct line lines[512];
static int nlines;

static void read_maps(const char *path) {
  static char buf[1 << 18];
  int fd = open(path, O_RDONLY), n = 0, r;
  while ((r = read(fd, buf + n, sizeof buf - 1 - n)) > 0) n += r;
  close(fd);
  buf[n] = 0;
  nlines = 0;
  for (char *l = strtok(buf, "\n"); l && nlines < 512; l = strtok(NULL, "\n")) {
    struct line *x = &lines[nlines];
    int used = 0;
    x->name[0] = 0;
    if (sscanf(l, "%lx-%lx %7s %lx %x:%x %lu %n", &x->start, &x->end, x->perm, &x->off, &x->maj, &x->min, &x->ino,
               &used) < 7) continue;
    snprintf(x->name, sizeof x->name, "%s", l + used);
    if (!strcmp(x->name, "[vsyscall]") || !strcmp(x->name, "[umk-stub]")) continue;
    nlines++;
  }
}

static unsigned perm_flags(const char *p) {
  return (p[0] == 'r' ? 1 : 0) | (p[1] == 'w' ? 2 : 0) | (p[2] == 'x' ? 4 : 0) | (p[3] == 's' ? 8 : 0);
}

static int query(int fd, uint64_t addr, uint64_t flags, struct pq *q, char *name, size_t nsz) {
  memset(q, 0, sizeof *q);
  q->size = sizeof *q;
  q->query_addr = addr;
  q->query_flags = flags;
  if (name) q->vma_name_addr = (uint64_t)name, q->vma_name_size = nsz;
  return ioctl(fd, PROCMAP_QUERY, q);
}

/* the executable's own NT_GNU_BUILD_ID */
static int exe_build_id(unsigned char *id) {
  int fd = open("/proc/self/exe", O_RDONLY);
  Elf64_Ehdr eh;
  int n = -1;
  if (pread(fd, &eh, sizeof eh, 0) != sizeof eh) return -1;
  for (int i = 0; i < eh.e_phnum && n < 0; i++) {
    Elf64_Phdr ph;
    pread(fd, &ph, sizeof ph, eh.e_phoff + i * sizeof ph);
    if (ph.p_type != PT_NOTE) continue;
    unsigned char notes[4096];
    pread(fd, notes, ph.p_filesz < sizeof notes ? ph.p_filesz : sizeof notes, ph.p_offset);
    for (size_t off = 0; off + 12 <= ph.p_filesz;) {
      Elf64_Nhdr nh;
      memcpy(&nh, notes + off, sizeof nh);
      size_t d = off + 12 + ((nh.n_namesz + 3) & ~3u);
      if (nh.n_type == NT_GNU_BUILD_ID && !memcmp(notes + off + 12, "GNU", 4)) {
        memcpy(id, notes + d, nh.n_descsz);
        n = nh.n_descsz;
        break;
      }
      off = d + ((nh.n_descsz + 3) & ~3u);
    }
  }
  close(fd);
  return n;
}

int main(void) {
  struct pq q;
  char name[4096];
  int m = memfd_create("pq", 0);
  ftruncate(m, 8192);
  void *shared = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, m, 0);
  void *none = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  (void)none;
  int fd = open("/proc/self/maps", O_RDONLY);
  read_maps("/proc/self/maps");
  OK("maps has VMAs", nlines > 3);
  int same = 1;
  for (int i = 0; i < nlines; i++) {
    struct line *x = &lines[i];
    int r = query(fd, x->start, 0, &q, name, sizeof name);
    int ok = r == 0 && q.vma_start == x->start && q.vma_end == x->end && q.vma_flags == perm_flags(x->perm) &&
             q.vma_page_size == 4096 && q.vma_offset == (x->ino ? x->off : q.vma_offset) && q.inode == x->ino &&
             q.dev_major == x->maj && q.dev_minor == x->min &&
             (x->name[0] ? q.vma_name_size == strlen(x->name) + 1 && !strcmp(name, x->name) : q.vma_name_size == 0);
    ok = ok && query(fd, x->end - 1, 0, &q, NULL, 0) == 0 && q.vma_start == x->start;
    if (!ok) {
      printf("FAIL the VMA of maps line %s %s %s: r %d start %lx end %lx flags %lx off %lx ino %lu name %s\n",
             x->perm, x->name, x->ino ? "file" : "anon", r, q.vma_start, q.vma_end, q.vma_flags, q.vma_offset,
             q.inode, name);
      same = 0;
    }
  }
  OK("every VMA of maps, by start and by last byte", same);
  OK("the shared memfd mapping", query(fd, (uint64_t)shared, 0, &q, name, sizeof name) == 0 && q.vma_flags == 0xb &&
     q.inode != 0 && !strncmp(name, "/memfd:pq", 9));
  int first_file = -1, first_w = -1, first_s = -1;
  for (int i = 0; i < nlines; i++) {
    if (first_file < 0 && lines[i].ino) first_file = i;
    if (first_w < 0 && lines[i].perm[1] == 'w') first_w = i;
    if (first_s < 0 && lines[i].perm[3] == 's') first_s = i;
  }
  OK("the first file-backed VMA from 0", query(fd, 0, COVERING_OR_NEXT | FILE_BACKED, &q, NULL, 0) == 0 &&
     q.vma_start == lines[first_file].start);
  OK("the first writable one", query(fd, 0, COVERING_OR_NEXT | 2, &q, NULL, 0) == 0 && q.vma_start == lines[first_w].start);
  OK("the first shared one", query(fd, 0, COVERING_OR_NEXT | 8, &q, NULL, 0) == 0 && q.vma_start == lines[first_s].start);
  OK("covering or next from just below the first", query(fd, lines[0].start - 1, COVERING_OR_NEXT, &q, NULL, 0) == 0 &&
     q.vma_start == lines[0].start);
  ERR("nothing at address 0", query(fd, 0, 0, &q, NULL, 0), ENOENT);
  ERR("just below the first", query(fd, lines[0].start - 1, 0, &q, NULL, 0), ENOENT);
  ERR("a read-only VMA asked writable", ({ int k = 0; while (k < nlines && strncmp(lines[k].perm, "r--p", 4)) k++;
      query(fd, lines[k].start, 2, &q, NULL, 0); }), ENOENT);
  ERR("past the last", query(fd, lines[nlines - 1].end, 0, &q, NULL, 0), ENOENT);
  ERR("a 4-byte name buffer", query(fd, (uint64_t)shared, 0, &q, name, 4), ENAMETOOLONG);

  unsigned char want[64], got[64];
  int wn = exe_build_id(want);
  char exe[512];
  ssize_t el = readlink("/proc/self/exe", exe, sizeof exe - 1);
  exe[el > 0 ? el : 0] = 0;
  int k = 0;
  while (k < nlines && strcmp(lines[k].name, exe)) k++;
  memset(&q, 0, sizeof q);
  q.size = sizeof q;
  q.query_addr = lines[k].start;
  q.build_id_addr = (uint64_t)got;
  q.build_id_size = sizeof got;
  OK("the executable has a build ID", wn > 0);
  OK("PROCMAP_QUERY gives it", ioctl(fd, PROCMAP_QUERY, &q) == 0 && (int)q.build_id_size == wn && !memcmp(got, want, wn));
  q.build_id_size = 4;
  ERR("into 4 bytes", ioctl(fd, PROCMAP_QUERY, &q), ENAMETOOLONG);
  q.query_addr = (uint64_t)none;
  q.build_id_size = sizeof got;
  OK("anonymous memory has none", ioctl(fd, PROCMAP_QUERY, &q) == 0 && q.build_id_size == 0 && q.vma_flags == 0);

  memset(&q, 0, sizeof q);
  q.size = 16;
  ERR("size 16", ioctl(fd, PROCMAP_QUERY, &q), EINVAL);
  q.size = 4097;
  ERR("size 4097", ioctl(fd, PROCMAP_QUERY, &q), E2BIG);
  q.size = 24;
  q.query_addr = lines[0].start;
  OK("size 24: the head only", ioctl(fd, PROCMAP_QUERY, &q) == 0 && q.vma_start == 0);
  struct { struct pq q; uint64_t extra; } big = { { .size = sizeof big, .query_addr = lines[0].start }, 0 };
  OK("a bigger struct, zero tail", ioctl(fd, PROCMAP_QUERY, &big) == 0 && big.q.vma_start == lines[0].start);
  big.extra = 1;
  ERR("a bigger struct, non-zero tail", ioctl(fd, PROCMAP_QUERY, &big), E2BIG);
  ERR("unknown flag 0x40", query(fd, lines[0].start, 0x40, &q, NULL, 0), EINVAL);
  memset(&q, 0, sizeof q);
  q.size = sizeof q;
  q.query_addr = lines[0].start;
  q.vma_name_addr = (uint64_t)name;
  ERR("a name address without a size", ioctl(fd, PROCMAP_QUERY, &q), EINVAL);
  q.vma_name_addr = 0;
  q.build_id_size = 20;
  ERR("a build ID size without an address", ioctl(fd, PROCMAP_QUERY, &q), EINVAL);
  q.build_id_size = 0;
  q.vma_name_addr = 8;
  q.vma_name_size = 64;
  q.query_addr = lines[k].start;
  ERR("an unwritable name buffer", ioctl(fd, PROCMAP_QUERY, &q), EFAULT);
  ERR("a NULL struct", ioctl(fd, PROCMAP_QUERY, NULL), EFAULT);
  int st = open("/proc/self/status", O_RDONLY);
  ERR("on /proc/self/status", ioctl(st, PROCMAP_QUERY, &q), ENOTTY);

  int p[2];
  pipe(p);
  pid_t c = fork();
  if (c == 0) {
    mmap((void *)0x700000000000, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    write(p[1], "x", 1);
    pause();
    _exit(0);
  }
  char ch;
  read(p[0], &ch, 1);
  snprintf(name, sizeof name, "/proc/%d/maps", c);
  int cfd = open(name, O_RDONLY);
  OK("another process's VMA", query(cfd, 0x700000000000, 0, &q, NULL, 0) == 0 && q.vma_flags == 5 &&
     q.vma_end == 0x700000001000);
  ERR("not in this one", query(fd, 0x700000000000, 0, &q, NULL, 0), ENOENT);
  kill(c, SIGKILL);
  waitpid(c, NULL, 0);
  return t_done();
}
