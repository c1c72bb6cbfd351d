/*
 * timekeeping.c - the guest's wall clock, which guest root may set:
 * settimeofday(2), clock_settime(2), adjtimex(2), clock_adjtime(2).
 *
 * In a nutshell (Linux's kernel/time/timekeeping.c, time.c and ntp.c):
 * CLOCK_REALTIME is one clock for the whole guest.  It is the host's
 * plus an offset (rt_offset, ns) that a set moves; the host's clock never
 * changes.  CLOCK_TAI is the guest's realtime plus its TAI offset
 * (adjtimex's tai, ADJ_TAI).  now_ns() (task.c) and every clock read of
 * the guest's go through clock_offset_ns(), so every reader and every
 * realtime deadline sees a set at once.
 *
 * Until the guest first changes a clock nothing differs from before:
 * guests read the time from the host's vDSO, without a syscall.  The
 * first change patches the clock entry points of every guest address
 * space's vDSO into syscalls (mm/vdso.c), which umk answers with the
 * offset applied; address spaces made later are forks of patched ones
 * (execve keeps the host process and its vDSO).
 *
 * A set is Linux's clock_was_set(): absolute realtime timers are moved
 * (posix_timers.c), timerfds re-armed and those with
 * TFD_TIMER_CANCEL_ON_SET cancelled (fs/timerfd.c), and tasks in an
 * absolute realtime sleep (clock_nanosleep, FUTEX_CLOCK_REALTIME waits)
 * woken to look again (time.c, futex.c).  Not yet followed: the
 * absolute timeouts of mq_timedsend/receive, FUTEX_LOCK_PI, and of the
 * host's filesystem under --rw, whose files carry the host's time.
 *
 * adjtimex keeps the NTP state (ntp.c's time_status, time_state,
 * time_freq, time_offset, time_adjust, maxerror, esterror, constant,
 * tick, tai) with Linux's checks, units and read-back arithmetic, and
 * ADJ_SETOFFSET steps the clock; the state is recorded, not applied:
 * the guest's clock runs at the host's rate (no slewing by offset,
 * frequency, tick or adjtime, no leap second, maxerror does not grow).
 * The state starts as the host's (read with adjtimex modes 0).
 *
 * Lock: klock guards the NTP state; rt_offset and tai_delta are written
 * under klock and read without it (atomic loads).
 */
#include "../kernel.h"
#include "task.h"
#include "../fs/fs.h"
#include "../mm/mm.h"
#include <string.h>
#include <sys/timex.h>
#include <time.h>

#define NSEC 1000000000LL
#define USER_HZ 100                  /* the guest's (CONFIG_HZ=100) */
#define NTP_INTERVAL_FREQ USER_HZ
#undef NTP_SCALE_SHIFT
#define NTP_SCALE_SHIFT 32
#undef SHIFT_USEC
#define SHIFT_USEC 16
#undef SHIFT_PLL
#define SHIFT_PLL 2
#undef SHIFT_FLL
#define SHIFT_FLL 2
#undef MINSEC
#define MINSEC 256
#undef MAXSEC
#define MAXSEC 2048
#undef MAXTC
#define MAXTC 10
#undef MAXPHASE
#define MAXPHASE 500000000LL
#undef MAXFREQ
#define MAXFREQ 500000LL
#undef MAXFREQ_SCALED
#define MAXFREQ_SCALED (MAXFREQ << NTP_SCALE_SHIFT)
#undef PPM_SCALE
#define PPM_SCALE (1000LL << (NTP_SCALE_SHIFT - SHIFT_USEC))
#undef PPM_SCALE_INV_SHIFT
#define PPM_SCALE_INV_SHIFT 19
#undef PPM_SCALE_INV
#define PPM_SCALE_INV ((1LL << (PPM_SCALE_INV_SHIFT + NTP_SCALE_SHIFT)) / PPM_SCALE + 1)
#undef NTP_PHASE_LIMIT
#define NTP_PHASE_LIMIT ((MAXPHASE / 1000) << 5)
#undef MAX_TAI_OFFSET
#define MAX_TAI_OFFSET 100000
#define CAP_SYS_TIME 25
/* the kernel's own mode bits (glibc's ADJ_OFFSET_SINGLESHOT is 0x8001) */
#define K_ADJ_OFFSET_SINGLESHOT 0x0001
#define K_ADJ_OFFSET_READONLY   0x2000
#define K_ADJ_ADJTIME           0x8000
/* 30 years short of KTIME_SEC_MAX: timespec64_valid_settod */
#define TIME_SETTOD_SEC_MAX (9223372036LL - 30LL * 365 * 86400)

static int64_t rt_offset;            /* guest CLOCK_REALTIME - host's, ns */
static int64_t tai_delta;            /* guest TAI offset - host's at start, ns */
static bool clock_changed;           /* the vDSOs are patched */
static struct linux_timezone { int minuteswest, dsttime; } sys_tz;

static struct {
	bool init;
	int status, state;
	int64_t freq;                /* time_freq: scaled ns/s */
	int64_t offset;              /* time_offset: scaled ns per interval */
	long adjust;                 /* time_adjust: adjtime()'s, us */
	long maxerror, esterror, constant, tick;
	long reftime;                /* time_reftime, s */
	int tai, host_tai;
} ntp;

static int64_t shift_right(int64_t x, int s)
{
	return x < 0 ? -(-x >> s) : x >> s;
}

int64_t clock_offset_ns(int clk)
{
	switch (clk) {
	case CLOCK_REALTIME: case CLOCK_REALTIME_COARSE: case CLOCK_REALTIME_ALARM:
		return __atomic_load_n(&rt_offset, __ATOMIC_RELAXED);
	case CLOCK_TAI:
		return __atomic_load_n(&rt_offset, __ATOMIC_RELAXED) +
		       __atomic_load_n(&tai_delta, __ATOMIC_RELAXED);
	}
	return 0;
}

void guest_timezone(int tz[2])
{
	tz[0] = sys_tz.minuteswest;
	tz[1] = sys_tz.dsttime;
}

/* The guest's NTP state starts as the host's. */
static void ntp_init(void)
{
	struct timex tx;

	if (ntp.init)
		return;
	memset(&tx, 0, sizeof tx);
	ntp.init = true;
	ntp.status = STA_UNSYNC;
	ntp.constant = 2;
	ntp.maxerror = ntp.esterror = NTP_PHASE_LIMIT;
	ntp.tick = 1000000 / USER_HZ;
	if (adjtimex(&tx) >= 0) {
		ntp.status = tx.status & ~(STA_PPSSIGNAL | STA_PPSJITTER | STA_PPSWANDER |
					   STA_PPSERROR | STA_CLOCKERR);
		ntp.constant = tx.constant;
		ntp.maxerror = tx.maxerror;
		ntp.esterror = tx.esterror;
		ntp.tick = tx.tick;
		ntp.freq = (int64_t)tx.freq * PPM_SCALE;
		ntp.tai = ntp.host_tai = tx.tai;
	}
}

/* ntp_clear: what a set of the clock does to the NTP state. */
static void ntp_clear(void)
{
	ntp.adjust = 0;
	ntp.status |= STA_UNSYNC;
	ntp.maxerror = ntp.esterror = NTP_PHASE_LIMIT;
	ntp.offset = 0;
}

static int64_t host_realtime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec * NSEC + ts.tv_nsec;
}

/* After the first change of a clock, guests must ask umk the time. */
static void clock_patch_vdsos(void)
{
	if (clock_changed)
		return;
	clock_changed = true;
	vdso_patch_clocks_all();           /* mm/vdso.c */
}

/*
 * clock_was_set - the guest's realtime moved by delta ns (under klock):
 * realtime timers and sleeps look again (Linux's clock_was_set).
 */
static void clock_was_set(int64_t delta)
{
	struct list_head *p, *n;

	clock_patch_vdsos();
	posix_timers_clock_was_set(delta);
	timerfd_clock_was_set(delta);
	list_for_each_safe(p, n, &all_tasks) {
		struct task *t = list_entry(p, struct task, all);

		if (t->rt_abs_sleep)
			task_wake(t);
	}
}

/* Steps the guest's realtime to want (ns since the epoch). */
static void clock_step_to(int64_t want)
{
	int64_t old = rt_offset, off = want - host_realtime_ns();

	__atomic_store_n(&rt_offset, off, __ATOMIC_RELAXED);
	ntp_init();
	ntp_clear();
	clock_was_set(off - old);
}

/* timespec64_valid_settod */
static bool valid_settod(int64_t sec, int64_t nsec)
{
	return sec >= 0 && nsec >= 0 && nsec < NSEC && sec < TIME_SETTOD_SEC_MAX;
}

/*
 * do_sys_settimeofday64(tv, tz): tv NULL or a time to set, tz NULL or a
 * timezone.  -EINVAL for a time out of range or a timezone past +-15
 * hours, -EPERM without CAP_SYS_TIME (checked after the time).
 */
static long do_settimeofday(struct task *t, const struct linux_timespec *tv,
			    const struct linux_timezone *tz)
{
	if (tv && !valid_settod(tv->tv_sec, tv->tv_nsec))
		return -EINVAL;
	if (!capable(t, CAP_SYS_TIME))
		return -EPERM;
	if (tz) {
		if (tz->minuteswest > 15 * 60 || tz->minuteswest < -15 * 60)
			return -EINVAL;
		sys_tz = *tz;
		clock_patch_vdsos();       /* gettimeofday's tz is the vDSO's too */
	}
	if (tv)
		clock_step_to(tv->tv_sec * NSEC + tv->tv_nsec);
	return 0;
}

/* settimeofday(2): kernel/time/time.c.  -EFAULT, -EINVAL, -EPERM. */
long sys_settimeofday(struct task *t, struct sysargs *a)
{
	struct linux_timeval tv;
	struct linux_timespec ts;
	struct linux_timezone tz;

	if (a->a[0]) {
		if (copy_from_user(t, &tv, a->a[0], sizeof tv))
			return -EFAULT;
		if (tv.tv_usec > 1000000 || tv.tv_usec < 0)
			return -EINVAL;
		ts.tv_sec = tv.tv_sec;
		ts.tv_nsec = tv.tv_usec * 1000;
	}
	if (a->a[1] && copy_from_user(t, &tz, a->a[1], sizeof tz))
		return -EFAULT;
	return do_settimeofday(t, a->a[0] ? &ts : NULL, a->a[1] ? &tz : NULL);
}

/*
 * clock_settime(2): CLOCK_REALTIME only (posix-timers.c); -EINVAL for a
 * clock that cannot be set (checked before the pointer), -EFAULT, then a
 * CPU-time clock of another process or thread: -EINVAL if it names
 * nothing, else -EPERM (posix_cpu_clock_set); a dynamic (fd) clock:
 * -EINVAL, umk has none.
 */
long sys_clock_settime(struct task *t, struct sysargs *a)
{
	int clk = arg_int(a, 0);
	struct linux_timespec ts;
	int64_t ns;

	if (clk != CLOCK_REALTIME && clk >= 0)
		return -EINVAL;
	if (copy_from_user(t, &ts, a->a[1], sizeof ts))
		return -EFAULT;
	if (clk < 0) {
		if ((clk & 7) == 3)                  /* CLOCKFD */
			return -EINVAL;
		return cpu_clock_get(t, clk, &ns) ? -EINVAL : -EPERM;
	}
	return do_settimeofday(t, &ts, NULL);
}

/* struct __kernel_timex (208 bytes) */
struct linux_timex {
	uint32_t modes;
	int32_t pad0;
	int64_t offset, freq, maxerror, esterror;
	int32_t status, pad1;
	int64_t constant, precision, tolerance;
	struct linux_timeval time;
	int64_t tick, ppsfreq, jitter;
	int32_t shift, pad2;
	int64_t stabil, jitcnt, calcnt, errcnt, stbcnt;
	int32_t tai;
	int32_t pad3[11];
};
_Static_assert(sizeof(struct linux_timex) == 208, "struct __kernel_timex");

/* timekeeping_validate_timex */
static int validate_timex(struct task *t, const struct linux_timex *tx)
{
	bool cap = capable(t, CAP_SYS_TIME);

	if (tx->modes & K_ADJ_ADJTIME) {
		/* singleshot must not be used with any other mode bits */
		if (!(tx->modes & K_ADJ_OFFSET_SINGLESHOT))
			return -EINVAL;
		if (!(tx->modes & K_ADJ_OFFSET_READONLY) && !cap)
			return -EPERM;
	} else {
		if (tx->modes && !cap)
			return -EPERM;
		/* the quartz off by more than 10% */
		if ((tx->modes & ADJ_TICK) &&
		    (tx->tick < 900000 / USER_HZ || tx->tick > 1100000 / USER_HZ))
			return -EINVAL;
	}
	if (tx->modes & ADJ_SETOFFSET) {
		if (!cap)
			return -EPERM;
		if (tx->time.tv_usec < 0)
			return -EINVAL;
		if (tx->time.tv_usec >= ((tx->modes & ADJ_NANO) ? NSEC : 1000000))
			return -EINVAL;
	}
	if (tx->modes & ADJ_FREQUENCY) {
		if (INT64_MIN / PPM_SCALE > tx->freq || INT64_MAX / PPM_SCALE < tx->freq)
			return -EINVAL;
	}
	return 0;
}

/* ntp_update_offset: ADJ_OFFSET under STA_PLL (the PLL/FLL arithmetic). */
static void ntp_update_offset(int64_t offset, long now_s)
{
	int64_t freq_adj;
	long secs;

	if (!(ntp.status & STA_PLL))
		return;
	if (!(ntp.status & STA_NANO)) {
		offset = offset < INT64_MIN / 1000 ? INT64_MIN / 1000 : offset;
		offset = offset > INT64_MAX / 1000 ? INT64_MAX / 1000 : offset;
		offset *= 1000;
	}
	offset = offset > MAXPHASE ? MAXPHASE : offset < -MAXPHASE ? -MAXPHASE : offset;
	secs = now_s - ntp.reftime;
	if (ntp.status & STA_FREQHOLD)
		secs = 0;
	ntp.reftime = now_s;
	ntp.status &= ~STA_MODE;
	freq_adj = 0;
	if (secs >= MINSEC && ((ntp.status & STA_FLL) || secs > MAXSEC)) {
		ntp.status |= STA_MODE;
		freq_adj = (offset * (1LL << (NTP_SCALE_SHIFT - SHIFT_FLL))) / secs;
	}
	if (secs > 1L << (SHIFT_PLL + 1 + ntp.constant))
		secs = 1L << (SHIFT_PLL + 1 + ntp.constant);
	freq_adj += (offset * secs) * (1LL << (NTP_SCALE_SHIFT - 2 * (SHIFT_PLL + 2 + ntp.constant)));
	freq_adj = freq_adj + ntp.freq;
	freq_adj = freq_adj > MAXFREQ_SCALED ? MAXFREQ_SCALED : freq_adj;
	ntp.freq = freq_adj < -MAXFREQ_SCALED ? -MAXFREQ_SCALED : freq_adj;
	ntp.offset = (offset * (1LL << NTP_SCALE_SHIFT)) / NTP_INTERVAL_FREQ;
}

/* process_adjtimex_modes */
static void ntp_modes(const struct linux_timex *tx, long now_s)
{
	if (tx->modes & ADJ_STATUS) {
		if ((ntp.status & STA_PLL) && !(tx->status & STA_PLL)) {
			ntp.state = TIME_OK;
			ntp.status = STA_UNSYNC;
		}
		if (!(ntp.status & STA_PLL) && (tx->status & STA_PLL))
			ntp.reftime = now_s;
		ntp.status &= STA_RONLY;
		ntp.status |= tx->status & ~STA_RONLY;
	}
	if (tx->modes & ADJ_NANO)
		ntp.status |= STA_NANO;
	if (tx->modes & ADJ_MICRO)
		ntp.status &= ~STA_NANO;
	if (tx->modes & ADJ_FREQUENCY) {
		int64_t f = tx->freq * PPM_SCALE;
		f = f > MAXFREQ_SCALED ? MAXFREQ_SCALED : f;
		ntp.freq = f < -MAXFREQ_SCALED ? -MAXFREQ_SCALED : f;
	}
	if (tx->modes & ADJ_MAXERROR)
		ntp.maxerror = tx->maxerror > NTP_PHASE_LIMIT ? NTP_PHASE_LIMIT :
			       tx->maxerror < 0 ? 0 : tx->maxerror;
	if (tx->modes & ADJ_ESTERROR)
		ntp.esterror = tx->esterror > NTP_PHASE_LIMIT ? NTP_PHASE_LIMIT :
			       tx->esterror < 0 ? 0 : tx->esterror;
	if (tx->modes & ADJ_TIMECONST) {
		long c = tx->constant;
		if (!(ntp.status & STA_NANO))
			c += 4;
		ntp.constant = c > MAXTC ? MAXTC : c < 0 ? 0 : c;
	}
	if ((tx->modes & ADJ_TAI) && tx->constant >= 0 && tx->constant <= MAX_TAI_OFFSET &&
	    tx->constant != ntp.tai) {
		ntp.tai = (int)tx->constant;
		__atomic_store_n(&tai_delta, (int64_t)(ntp.tai - ntp.host_tai) * NSEC, __ATOMIC_RELAXED);
		clock_patch_vdsos();
	}
	if (tx->modes & ADJ_OFFSET)
		ntp_update_offset(tx->offset, now_s);
	if (tx->modes & ADJ_TICK)
		ntp.tick = tx->tick;
}

/* is_error_status (no PPS) */
static bool ntp_error(void)
{
	return ntp.status & (STA_UNSYNC | STA_CLOCKERR);
}

/*
 * do_adjtimex: validates tx, applies its modes and fills it with the
 * state; returns the clock state (TIME_OK...TIME_ERROR) or -errno.
 */
static long do_adjtimex(struct task *t, struct linux_timex *tx)
{
	int err = validate_timex(t, tx);
	int64_t now;
	long result;

	if (err)
		return err;
	ntp_init();
	if (tx->modes & ADJ_SETOFFSET) {
		int64_t delta = tx->time.tv_sec * NSEC +
				tx->time.tv_usec * ((tx->modes & ADJ_NANO) ? 1 : 1000);
		int64_t cur = host_realtime_ns() + rt_offset;

		/* timekeeping_inject_offset: the result must be a valid time */
		if ((delta > 0 && cur > INT64_MAX - delta) ||
		    !valid_settod((cur + delta) / NSEC, (cur + delta) % NSEC) || cur + delta < 0)
			return -EINVAL;
		__atomic_store_n(&rt_offset, rt_offset + delta, __ATOMIC_RELAXED);
		ntp_clear();
		clock_was_set(delta);
	}
	now = host_realtime_ns() + rt_offset;
	if (tx->modes & K_ADJ_ADJTIME) {
		long save = ntp.adjust;

		if (!(tx->modes & K_ADJ_OFFSET_READONLY))
			ntp.adjust = tx->offset;       /* adjtime() is independent of ntp_adjtime() */
		tx->offset = save;
	} else {
		if (tx->modes)
			ntp_modes(tx, (long)(now / NSEC));
		tx->offset = shift_right(ntp.offset * NTP_INTERVAL_FREQ, NTP_SCALE_SHIFT);
		if (!(ntp.status & STA_NANO))
			tx->offset /= 1000;
	}
	result = ntp.state;
	if (ntp_error())
		result = TIME_ERROR;
	tx->freq = shift_right((ntp.freq >> PPM_SCALE_INV_SHIFT) * PPM_SCALE_INV, NTP_SCALE_SHIFT);
	tx->maxerror = ntp.maxerror;
	tx->esterror = ntp.esterror;
	tx->status = ntp.status;
	tx->constant = ntp.constant;
	tx->precision = 1;
	tx->tolerance = MAXFREQ_SCALED / PPM_SCALE;
	tx->tick = ntp.tick;
	tx->tai = ntp.tai;
	tx->ppsfreq = tx->jitter = tx->stabil = 0;
	tx->jitcnt = tx->calcnt = tx->errcnt = tx->stbcnt = 0;
	tx->shift = 0;
	tx->time.tv_sec = now / NSEC;
	tx->time.tv_usec = now % NSEC;
	if (!(ntp.status & STA_NANO))
		tx->time.tv_usec /= 1000;
	/* the leap second state machine (second_overflow) without the leap */
	if (ntp.state == TIME_OK && (ntp.status & (STA_INS | STA_DEL)))
		ntp.state = (ntp.status & STA_INS) ? TIME_INS : TIME_DEL;
	else if ((ntp.state == TIME_INS && !(ntp.status & STA_INS)) ||
		 (ntp.state == TIME_DEL && !(ntp.status & STA_DEL)))
		ntp.state = TIME_OK;
	return result;
}

static long adjtimex_user(struct task *t, uint64_t p)
{
	struct linux_timex tx;
	long r;

	if (copy_from_user(t, &tx, p, sizeof tx))
		return -EFAULT;
	r = do_adjtimex(t, &tx);
	if (r >= 0 && copy_to_user(t, p, &tx, sizeof tx))
		return -EFAULT;
	return r;
}

/* adjtimex(2): kernel/time/ntp.c's do_adjtimex on the guest's state.
 * The clock state, or -EFAULT, -EINVAL, -EPERM. */
long sys_adjtimex(struct task *t, struct sysargs *a)
{
	return adjtimex_user(t, a->a[0]);
}

/*
 * clock_adjtime(2): CLOCK_REALTIME is adjtimex's; other clocks have no
 * adjustment (-EOPNOTSUPP), unknown ones -EINVAL (checked after the
 * copy, as posix-timers.c does).
 */
long sys_clock_adjtime(struct task *t, struct sysargs *a)
{
	int clk = arg_int(a, 0);
	struct linux_timex tx;

	if (clk == CLOCK_REALTIME)
		return adjtimex_user(t, a->a[1]);
	if (copy_from_user(t, &tx, a->a[1], sizeof tx))
		return -EFAULT;
	if (clk < 0)     /* CPU-time clocks cannot be adjusted; umk has no dynamic (fd) clock */
		return (clk & 7) == 3 ? -EINVAL : -EOPNOTSUPP;
	switch (clk) {
	case CLOCK_MONOTONIC: case CLOCK_PROCESS_CPUTIME_ID: case CLOCK_THREAD_CPUTIME_ID:
	case CLOCK_MONOTONIC_RAW: case CLOCK_REALTIME_COARSE: case CLOCK_MONOTONIC_COARSE:
	case CLOCK_BOOTTIME: case CLOCK_REALTIME_ALARM: case CLOCK_BOOTTIME_ALARM: case CLOCK_TAI:
		return -EOPNOTSUPP;
	}
	return -EINVAL;
}
