# umk-gdb.py - gdb helpers for umk, in the manner of Linux's scripts/gdb
# (lx-ps, lx-dmesg): commands that read the kernel's plain structs from a
# live umk (gdb -p PID, `umk run --gdb`) or from a core of umk.
#
#   umk-ps                 every guest thread: pid, tid, ppid, state, comm, syscall
#   umk-task TID           one task: state, registers, signals, credentials
#   umk-fds PID            the open fds of a process: path, flags, offset
#   umk-maps PID           its VMAs, as /proc/PID/maps prints them
#   umk-syscall TID        the syscall a thread is in, with its arguments
#   $umk_task(TID)         the struct task * of TID, for print and friends
#
# Loaded by `umk run --gdb`; by hand: (gdb) source build/umk-gdb.py
# The helpers only read memory: safe on a stopped umk at any point, though
# the lists may be mid-update if a thread was stopped while holding klock.

import gdb

MAX_LIST = 100000


def _type(name):
    return gdb.lookup_type(name)


def _container_of(ptr, typename, member):
    t = _type(typename)
    off = None
    for f in t.fields():
        if f.name == member:
            off = f.bitpos // 8
    if off is None:
        raise gdb.GdbError("no member %s in %s" % (member, typename))
    char_p = _type("char").pointer()
    return (ptr.cast(char_p) - off).cast(t.pointer())


def _list(head, typename, member):
    """The entries of a struct list_head (a value, not a pointer)."""
    p = head["next"]
    end = head.address
    n = 0
    while p != end and n < MAX_LIST:
        yield _container_of(p, typename, member)
        p = p["next"]
        n += 1


def _tasks():
    return _list(gdb.parse_and_eval("all_tasks"), "struct task", "all")


def _task(tid):
    for t in _tasks():
        if int(t["tid"]) == tid:
            return t
    raise gdb.GdbError("no task %d" % tid)


def _comm(t):
    return t["comm"].string(length=16).split("\0")[0]


def _state(t):
    st = str(t["state"])
    tg = t["tg"]
    if st == "TASK_ZOMBIE":
        return "Z"
    if st == "TASK_DEAD":
        return "X"
    if tg and int(tg["stop_state"]):
        return "T"
    if int(t["frozen"]):
        return "D"
    if st == "TASK_SLEEPING":
        return "S"
    return "R"


def _ppid(t):
    tg = t["tg"]
    leader = tg["leader"] if tg and tg["leader"] else t
    p = leader["parent"] if leader["parent"] else t["parent"]
    if p and p["tg"]:
        return int(p["tg"]["tgid"])
    return 0


def _syscall(t):
    nr = int(t["syscall_nr"])
    if nr < 0 or str(t["state"]) in ("TASK_ZOMBIE", "TASK_DEAD"):
        return None
    table = gdb.parse_and_eval("syscall_table")
    name = "syscall_%d" % nr
    nargs = 6
    if nr < 512 and table[nr]["name"]:
        name = table[nr]["name"].string()
        nargs = int(table[nr]["nargs"])
    r = t["regs"]
    args = [int(r[x]) for x in ("rdi", "rsi", "rdx", "r10", "r8", "r9")][:nargs]
    return "%s(%s)" % (name, ", ".join("%#x" % a for a in args))


class UmkPs(gdb.Command):
    """List every guest thread: umk-ps"""

    def __init__(self):
        super().__init__("umk-ps", gdb.COMMAND_DATA)

    def invoke(self, arg, from_tty):
        gdb.write("%5s %5s %5s %s %-16s %s\n" % ("PID", "TID", "PPID", "S", "COMM", "SYSCALL"))
        rows = []
        for t in _tasks():
            if not t["tg"] or str(t["state"]) == "TASK_DEAD":
                continue
            rows.append((int(t["tg"]["tgid"]), int(t["tid"]), t))
        for pid, tid, t in sorted(rows, key=lambda r: (r[0], r[1])):
            gdb.write("%5d %5d %5d %s %-16s %s\n" % (pid, tid, _ppid(t), _state(t), _comm(t),
                                                     _syscall(t) or "-"))


class UmkTask(gdb.Command):
    """Show one task: umk-task TID"""

    def __init__(self):
        super().__init__("umk-task", gdb.COMMAND_DATA)

    def invoke(self, arg, from_tty):
        t = _task(int(gdb.parse_and_eval(arg)))
        tg = t["tg"]
        gdb.write("(struct task *) %s\n" % t)
        gdb.write("tid %d pid %d ppid %d comm %s state %s (%s)\n" % (
            int(t["tid"]), int(tg["tgid"]), _ppid(t), _comm(t), _state(t), t["state"]))
        gdb.write("syscall: %s\n" % (_syscall(t) or "-"))
        r = t["regs"]
        names = [f.name for f in r.type.fields()]
        for i in range(0, len(names), 3):
            gdb.write("  " + "  ".join("%-8s %#018x" % (n, int(r[n])) for n in names[i:i + 3]) + "\n")
        gdb.write("blocked %#018x pending %#018x shared %#018x\n" % (
            int(t["blocked"]), int(t["pending"]["set"]), int(tg["shared_pending"]["set"])))
        c = t["cred"]
        gdb.write("uid %d %d %d %d  gid %d %d %d %d\n" % tuple(
            int(c[x]) for x in ("uid", "euid", "suid", "fsuid", "gid", "egid", "sgid", "fsgid")))
        fs = t["fs"]
        if fs:
            gdb.write("cwd %s root %s\n" % (fs["cwd"].string(), fs["root"].string()))


class UmkFds(gdb.Command):
    """List the open fds of a process: umk-fds PID"""

    def __init__(self):
        super().__init__("umk-fds", gdb.COMMAND_DATA)

    def invoke(self, arg, from_tty):
        t = _task(int(gdb.parse_and_eval(arg)))
        ft = t["files"]
        if not ft:
            gdb.write("no fd table\n")
            return
        gdb.write("%4s %-10s %10s %4s %s\n" % ("FD", "FLAGS", "OFFSET", "REFS", "PATH"))
        for fd in range(int(ft["nfds"])):
            f = ft["files"][fd]
            if not f:
                continue
            path = f["path"].string() if f["path"] else "?"
            cloexec = " cloexec" if ft["cloexec"] and int(ft["cloexec"][fd]) else ""
            gdb.write("%4d 0%-9o %10d %4d %s%s\n" % (fd, int(f["flags"]), int(f["pos"]),
                                                     int(f["refs"]), path, cloexec))


class UmkMaps(gdb.Command):
    """List the VMAs of a process as /proc/PID/maps: umk-maps PID"""

    def __init__(self):
        super().__init__("umk-maps", gdb.COMMAND_DATA)

    def invoke(self, arg, from_tty):
        t = _task(int(gdb.parse_and_eval(arg)))
        mm = t["mm"]
        if not mm:
            gdb.write("no mm\n")
            return
        for v in _list(mm["vmas"], "struct vma", "link"):
            prot = int(v["prot"])
            shared = (int(v["flags"]) & 0xf) == 1
            perms = ("r" if prot & 1 else "-") + ("w" if prot & 2 else "-") + \
                    ("x" if prot & 4 else "-") + ("s" if shared else "p")
            name = v["name"].string()
            if not name and v["file"] and v["file"]["path"]:
                name = v["file"]["path"].string()
            gdb.write("%08x-%08x %s %08x %s\n" % (int(v["start"]), int(v["end"]), perms,
                                                 int(v["pgoff"]), name))


class UmkSyscall(gdb.Command):
    """The syscall a guest thread is in: umk-syscall TID"""

    def __init__(self):
        super().__init__("umk-syscall", gdb.COMMAND_DATA)

    def invoke(self, arg, from_tty):
        t = _task(int(gdb.parse_and_eval(arg)))
        s = _syscall(t)
        gdb.write("%s\n" % (s if s else "tid %d is in no syscall" % int(t["tid"])))


class UmkTaskFunc(gdb.Function):
    """$umk_task(TID): the struct task * of guest thread TID."""

    def __init__(self):
        super().__init__("umk_task")

    def invoke(self, tid):
        return _task(int(tid))


UmkPs()
UmkTask()
UmkFds()
UmkMaps()
UmkSyscall()
UmkTaskFunc()
