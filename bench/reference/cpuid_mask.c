/* Makes a peer library (ONNX Runtime, PyTorch, oneDNN, OpenBLAS) see an AVX2 CPU on an
 * AVX-512 machine, so that issue 21's "AVX2" column compares poda's AVX2 kernels with the
 * peers' AVX2 kernels instead of their AVX-512 ones. Reference tooling only: an LD_PRELOAD
 * library built by bench/reference/as_avx2_cpu.sh, never linked into poda.
 *
 * How: Linux's arch_prctl(ARCH_SET_CPUID, 0) (CPUs with "cpuid_fault") makes every CPUID
 * instruction of this thread and of the threads and forks it makes later raise SIGSEGV.
 * The handler below runs the real CPUID with faulting briefly off, clears the AVX-512 bits
 * (and, unless PODA_CPUID_MASK=avx2-vnni, AVX-VNNI, as on Zen 1-3) and steps over the 2-byte
 * instruction. Libraries read CPUID when they are loaded or first used (MLAS, cpuinfo,
 * oneDNN's Xbyak, OpenBLAS), after this constructor, so they all pick their AVX2 kernels.
 * XGETBV cannot be trapped: XCR0 still says the ZMM state is enabled, which no library
 * takes as AVX-512 support without the CPUID bits (leaf 0xD's ZMM bits are cleared too).
 *
 * Runtimes install SIGSEGV handlers of their own (V8's WebAssembly trap handler in node,
 * Python's faulthandler). sigaction() and signal() are interposed so that this handler
 * stays the one the kernel calls: a SIGSEGV that is not a CPUID goes on to the handler the
 * program installed, or kills the process as the default action would.
 *
 * PODA_CPUID_MASK=avx2 (default: AVX-VNNI cleared too) | avx2-vnni (keeps AVX-VNNI, as an
 * Alder Lake); PODA_CPUID_MASK_LOG=1 prints, at exit, how many CPUIDs were emulated. */
#define _GNU_SOURCE
#include <asm/prctl.h>
#include <cpuid.h>
#include <dlfcn.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

#ifndef ARCH_SET_CPUID
#define ARCH_SET_CPUID 0x1012
#endif

typedef int (*sigaction_fn)(int, const struct sigaction *, struct sigaction *);

static struct sigaction program_action; /* what the program asked for SIGSEGV */
static int active;                       /* faulting on and our handler installed */
static int keep_avx_vnni;
static volatile long emulated;           /* CPUIDs emulated in this process */
static volatile long leaf7_seen;         /* of them, leaf 7 (the AVX-512 bits) */

static sigaction_fn real_sigaction(void) {
  static sigaction_fn fn;
  if (!fn) fn = (sigaction_fn)dlsym(RTLD_NEXT, "sigaction");
  return fn;
}

static long set_cpuid(int enabled) { return syscall(SYS_arch_prctl, ARCH_SET_CPUID, enabled); }

/* The bits an AVX2 + FMA CPU (Haswell to Zen 3) does not have. */
static void mask(uint32_t leaf, uint32_t sub, uint32_t r[4]) {
  enum { A, B, C, D };
  if (leaf == 7 && sub == 0) {
    /* EBX: AVX512F 16, DQ 17, IFMA 21, PF 26, ER 27, CD 28, BW 30, VL 31 */
    r[B] &= ~((1u << 16) | (1u << 17) | (1u << 21) | (1u << 26) | (1u << 27) | (1u << 28) |
              (1u << 30) | (1u << 31));
    /* ECX: VBMI 1, VBMI2 6, VNNI 11, BITALG 12, VPOPCNTDQ 14 */
    r[C] &= ~((1u << 1) | (1u << 6) | (1u << 11) | (1u << 12) | (1u << 14));
    /* EDX: 4VNNIW 2, 4FMAPS 3, VP2INTERSECT 8, AMX-BF16 22, FP16 23, AMX-TILE 24, AMX-INT8 25 */
    r[D] &= ~((1u << 2) | (1u << 3) | (1u << 8) | (1u << 22) | (1u << 23) | (1u << 24) |
              (1u << 25));
  } else if (leaf == 7 && sub == 1) {
    /* EAX: AVX-VNNI 4 (unless kept), AVX512_BF16 5; EDX: AVX10 19 */
    r[A] &= ~((keep_avx_vnni ? 0u : (1u << 4)) | (1u << 5));
    r[D] &= ~(1u << 19);
  } else if (leaf == 0xd && sub == 0) {
    r[A] &= ~(7u << 5); /* XCR0 components the OS supports: opmask, ZMM_Hi256, Hi16_ZMM */
  } else if (leaf == 0x24) {
    r[A] = r[B] = r[C] = r[D] = 0; /* AVX10 leaf */
  }
}

static void forward_to_program(int sig, siginfo_t *info, void *context) {
  struct sigaction chosen = program_action;
  if (chosen.sa_flags & SA_RESETHAND) program_action.sa_handler = SIG_DFL;
  if ((chosen.sa_flags & SA_SIGINFO) && chosen.sa_sigaction) {
    chosen.sa_sigaction(sig, info, context);
  } else if (chosen.sa_handler != SIG_DFL && chosen.sa_handler != SIG_IGN) {
    chosen.sa_handler(sig);
  } else {
    /* A real fault with no handler: let the faulting instruction run again under the
     * default action (an ignored SIGSEGV from a fault is fatal too). */
    struct sigaction dfl;
    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    real_sigaction()(SIGSEGV, &dfl, NULL);
  }
}

static void on_segv(int sig, siginfo_t *info, void *context) {
  ucontext_t *uc = (ucontext_t *)context;
  greg_t *g = uc->uc_mcontext.gregs;
  const unsigned char *rip = (const unsigned char *)g[REG_RIP];
  if (info->si_code != SI_KERNEL || rip[0] != 0x0f || rip[1] != 0xa2) {
    forward_to_program(sig, info, context);
    return;
  }
  uint32_t leaf = (uint32_t)g[REG_RAX], sub = (uint32_t)g[REG_RCX], r[4];
  set_cpuid(1);
  __cpuid_count(leaf, sub, r[0], r[1], r[2], r[3]);
  set_cpuid(0);
  mask(leaf, sub, r);
  g[REG_RAX] = r[0];
  g[REG_RBX] = r[1];
  g[REG_RCX] = r[2];
  g[REG_RDX] = r[3];
  g[REG_RIP] += 2;
  ++emulated;
  if (leaf == 7) ++leaf7_seen;
}

/* SIGSEGV registrations of the program are recorded, not installed. */
int sigaction(int sig, const struct sigaction *act, struct sigaction *old) {
  if (sig != SIGSEGV || !active) return real_sigaction()(sig, act, old);
  if (old) *old = program_action;
  if (act) program_action = *act;
  return 0;
}

sighandler_t signal(int sig, sighandler_t handler) {
  struct sigaction act, old;
  memset(&act, 0, sizeof act);
  act.sa_handler = handler;
  act.sa_flags = SA_RESTART;
  if (sigaction(sig, &act, &old) != 0) return SIG_ERR;
  return old.sa_handler;
}

static void report(void) {
  char line[160];
  int n = snprintf(line, sizeof line,
                   "cpuid_mask: pid %d emulated %ld CPUIDs (%ld of leaf 7) as an AVX2%s CPU\n",
                   (int)getpid(), emulated, leaf7_seen, keep_avx_vnni ? " + AVX-VNNI" : "");
  if (n > 0) (void)!write(2, line, (size_t)n);
}

__attribute__((constructor)) static void cpuid_mask_init(void) {
  const char *mode = getenv("PODA_CPUID_MASK");
  keep_avx_vnni = mode && strcmp(mode, "avx2-vnni") == 0;
  struct sigaction act;
  memset(&act, 0, sizeof act);
  act.sa_sigaction = on_segv;
  act.sa_flags = SA_SIGINFO | SA_NODEFER;
  sigemptyset(&act.sa_mask);
  if (real_sigaction()(SIGSEGV, &act, &program_action) != 0) return;
  if (set_cpuid(0) != 0) {
    real_sigaction()(SIGSEGV, &program_action, NULL);
    static const char msg[] = "cpuid_mask: CPUID faulting not available; CPU not masked\n";
    (void)!write(2, msg, sizeof msg - 1);
    return;
  }
  active = 1;
  const char *log = getenv("PODA_CPUID_MASK_LOG");
  if (log && *log == '1') atexit(report);
}
