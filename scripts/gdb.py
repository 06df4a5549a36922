# pagerkernel's gdb helpers, loaded by scripts/gdb into gdb-multiarch: the
# symbols of the kernel and of whichever program runs, and pk-* commands that
# read the kernel's and the pager's state (README.md, "Debugging").
import os
import struct

import gdb

BUILD = os.environ.get("PK_BUILD_DIR", "build")
KERNBASE = 0xFFFFFFC000000000   # arch/riscv/arch.h: RAM mapped here, the kernel linked here
PHYSMAP_BASE = 0x2000000000     # kernel/abi/vm.h: the pager sees its frames here
PAGE = 4096

# The pager's counters pk-vmstat shows: (title, expression in the pager's
# symbols). Follow the pager when its statistics move; vmstat (the guest
# program) stays the authoritative list.
VMSTAT = [
    ("counts, by enum vmstat_item (pager/base/vmstat.h)", "vmstat_counts"),
    ("frames free", "'frames.c'::nfree"),
    ("frames managed", "'frames.c'::managed"),
    ("fewest frames free", "'frames.c'::lowest"),
]


# ---- memory ----

class Physical:
    """QEMU's gdb server reads memory through the MMU as the CPU would: in
    user mode the kernel's pages (no U bit) are unreadable, and before paging
    is on no kernel address is. So the helpers switch it to physical
    addresses (QEMU's Qqemu.PhyMemMode) and translate themselves."""

    def __enter__(self):
        gdb.execute("maint packet Qqemu.PhyMemMode:1", to_string=True)

    def __exit__(self, *exc):
        gdb.execute("maint packet Qqemu.PhyMemMode:0", to_string=True)


def read_pa(pa, gdbtype):
    """A value of gdbtype read at physical address pa (inside Physical)."""
    mem = gdb.selected_inferior().read_memory(pa, gdbtype.sizeof)
    return gdb.Value(bytes(mem), gdbtype)


def kernel_pa(va):
    if va < KERNBASE:
        raise gdb.GdbError(f"0x{va:x} is not a kernel address")
    return va - KERNBASE


def kernel_var(expr):
    """The kernel's variable expr ("memmap", "'sched.c'::current"): its
    address comes from the symbols, its bytes from RAM."""
    ref = gdb.parse_and_eval(f"&{expr}")     # an address: reads nothing
    return read_pa(kernel_pa(int(ref)), ref.type.target())


def deref(ptr):
    """*ptr, for a kernel pointer."""
    return read_pa(kernel_pa(int(ptr)), ptr.type.target())


# ---- which program runs ----

def program_elf(name):
    """The ELF meson built for the program called name in the initrd."""
    for path in (f"{BUILD}/pager/{name}.elf", f"{BUILD}/drivers/{name}.elf",
                 f"{BUILD}/userland/{name}.elf"):
        if os.path.exists(path):
            return path
    return None


def at_user_breakpoint():
    """1 if the CPU stopped in user code on one of gdb's breakpoints."""
    try:
        pc = int(gdb.parse_and_eval("$pc"))
    except gdb.error:
        return False
    return pc < KERNBASE and any(
        loc.address == pc for b in gdb.breakpoints() for loc in getattr(b, "locations", ()))


class UserSymbols:
    """Exactly one user program's symbols at a time: every program is linked
    at the same addresses (USER_BASE), so two at once would mix them up."""

    loaded = None   # (name, path)

    @classmethod
    def use(cls, name, quiet=False):
        if cls.loaded and cls.loaded[0] == name:
            return True
        path = program_elf(name)
        if not path:
            return False
        if at_user_breakpoint():
            print(f"[pk] stopped on a breakpoint in user code: keeping {cls.loaded[0]}'s "
                  f"symbols, not {name}'s (gdb 13 fails if they change under it; "
                  f"pk-break stops only in the program meant)")
            return False
        gdb.execute(f"add-symbol-file {path}", to_string=True)
        if cls.loaded:
            gdb.execute(f"remove-symbol-file {cls.loaded[1]}", to_string=True)
        cls.loaded = (name, path)
        if not quiet:
            print(f"[pk] user symbols: {name} ({path})")
        return True


def current_thread():
    """The thread the kernel runs (a value), or None (before the scheduler
    starts, or idle). Call inside Physical."""
    t = kernel_var("'sched.c'::current")
    return deref(t) if int(t) else None


def proc_name(proc_ptr):
    return deref(proc_ptr)["name"].string() if int(proc_ptr) else "?"


def running_program():
    with Physical():
        t = current_thread()
        return proc_name(t["proc"]) if t is not None else None


class Follow:
    """Follow the running program, so a backtrace in it has its own names:
    marked at each stop, done before the next prompt (or by pk-follow).
    Dropping a symbol file that holds a breakpoint's location while gdb is
    still handling the stop crashes gdb 13, so not in the stop event itself."""

    pending = False

    @classmethod
    def on_stop(cls, event):
        cls.pending = True

    @classmethod
    def now(cls, *unused):
        if not cls.pending:
            return
        cls.pending = False
        name = running_program()
        if name:
            UserSymbols.use(name)


class PkFollow(gdb.Command):
    """pk-follow: load the symbols of the program the kernel is running now
    (done by itself before each prompt; for scripts and -batch)."""

    def __init__(self):
        super().__init__("pk-follow", gdb.COMMAND_FILES)

    def invoke(self, arg, from_tty):
        Follow.pending = True
        Follow.now()


class PkRunning(gdb.Function):
    """$pk_running("NAME"): 1 if the kernel's current process is NAME."""

    def __init__(self):
        super().__init__("pk_running")

    def invoke(self, name):
        return 1 if running_program() == name.string() else 0


# ---- kernel state ----

def describe_thread(t):
    p = deref(t["proc"])
    return (f"thread {int(t['tid'])} ({t['state']}, priority {int(t['prio'])}) "
            f"of process {int(p['pid'])} '{p['name'].string()}'")


class PkProc(gdb.Command):
    """pk-proc: the current thread and its process (kernel state)."""

    def __init__(self):
        super().__init__("pk-proc", gdb.COMMAND_DATA)

    def invoke(self, arg, from_tty):
        with Physical():
            t = current_thread()
            if t is None:
                print("no current thread (the scheduler has not started, or it is idle)")
                return
            p = deref(t["proc"])
            print(describe_thread(t))
            # The trap entry keeps the user pc in x[0]'s slot (arch/riscv/trap.S).
            print(f"  saved user context: pc 0x{int(t['regs']['x'][0]):x}, "
                  f"sp 0x{int(t['regs']['x'][2]):x}")
            print(f"  process: alive {int(p['alive'])}, root task {int(p['is_root'])}, "
                  f"{int(p['nthreads'])} threads, {int(p['nhandles'])} handle slots, "
                  f"{int(p['pt']['pages'])} page-table pages")


class PkRunq(gdb.Command):
    """pk-runq: the ready threads, by priority (0 is the highest), then the running one."""

    def __init__(self):
        super().__init__("pk-runq", gdb.COMMAND_DATA)

    def invoke(self, arg, from_tty):
        with Physical():
            runq = kernel_var("'sched.c'::runq")
            for prio in range(runq.type.range()[1] + 1):
                names, t = [], runq[prio]["head"]
                while int(t):
                    thread = deref(t)
                    names.append(f"{int(thread['tid'])}:{proc_name(thread['proc'])}")
                    t = thread["qnext"]
                print(f"priority {prio}: {' '.join(names) if names else '(empty)'}")
            t = current_thread()
            print("running: " + (describe_thread(t) if t is not None else "nothing"))


# ---- the pager's state ----

def pager_segments():
    """The pager's PT_LOAD segments (vaddr, memsz), in file order: the kernel
    loads them in that order into consecutive frames from memmap.root_image
    (kernel/root.c, load_segment), which is how pager_pa finds them."""
    with open(program_elf("pager"), "rb") as f:
        data = f.read()
    phoff, = struct.unpack_from("<Q", data, 32)
    phentsize, phnum = struct.unpack_from("<HH", data, 54)
    segs = []
    for i in range(phnum):
        ptype, _, _, vaddr, _, _, memsz = struct.unpack_from(
            "<IIQQQQQ", data, phoff + i * phentsize)
        if ptype == 1 and memsz:
            segs.append((vaddr, memsz))
    return segs


def pager_pa(va):
    """Physical address of the pager's virtual address va: in its image, or
    in its physmap (frames, and the frame table). Inside Physical."""
    if va >= PHYSMAP_BASE:
        return va - PHYSMAP_BASE
    base = int(kernel_var("memmap")["root_image"]["base"])
    pages = 0
    for vaddr, memsz in pager_segments():
        first, end = vaddr // PAGE, (vaddr + memsz + PAGE - 1) // PAGE
        if first <= va // PAGE < end:
            return base + (pages + va // PAGE - first) * PAGE + va % PAGE
        pages += end - first
    raise gdb.GdbError(f"0x{va:x} is not in the pager's image or physmap")


def pager_var(expr):
    """The pager's variable expr, whichever process runs. Inside Physical,
    with the pager's symbols loaded."""
    ref = gdb.parse_and_eval(f"&{expr}")
    return read_pa(pager_pa(int(ref)), ref.type.target())


def with_pager(fn):
    """fn() with the pager's symbols and physical reads; then the running
    program's symbols again."""
    before = UserSymbols.loaded
    UserSymbols.use("pager", quiet=True)
    try:
        with Physical():
            fn()
    finally:
        if before:
            UserSymbols.use(before[0], quiet=True)


class PkVmstat(gdb.Command):
    """pk-vmstat: the pager's counters, read from its memory."""

    def __init__(self):
        super().__init__("pk-vmstat", gdb.COMMAND_DATA)

    def invoke(self, arg, from_tty):
        def show():
            for title, expr in VMSTAT:
                if expr == "vmstat_counts" and show_named_counts(expr):
                    continue
                print(f"{title} ({expr}): " + str(pager_var(expr)))
        with_pager(show)


def show_named_counts(expr):
    """The counts one a line under vmstat's names (docs/vmstat.md): the
    enum's names without VMSTAT_, lower case. False if the pager's symbols
    do not carry the enum (then the raw array is shown)."""
    try:
        items = gdb.lookup_type("enum vmstat_item").fields()
    except gdb.error:
        return False
    counts = pager_var(expr)
    print("counts, by vmstat's names (gauges read 0 here: vmstat asks their owners)")
    reported = next((f.enumval for f in items if f.name == "VMSTAT_REPORTED"), None)
    for f in items:
        if f.name in ("VMSTAT_REPORTED", "VMSTAT_ITEMS") or f.enumval == reported:
            continue
        print(f"{f.name[len('VMSTAT_'):].lower()} {int(counts[f.enumval])}")
    return True


class PkFrame(gdb.Command):
    """pk-frame PA: the pager's descriptor of the frame at physical address PA
    (struct frame in pager/vm/frames.h: state, flags, mappings, swap slot)."""

    def __init__(self):
        super().__init__("pk-frame", gdb.COMMAND_DATA)

    def invoke(self, arg, from_tty):
        if not arg:
            raise gdb.GdbError("usage: pk-frame PHYSICAL-ADDRESS")
        pa = int(gdb.parse_and_eval(arg))

        def show():
            base = int(pager_var("'frames.c'::base"))
            nframes = int(pager_var("'frames.c'::nframes"))
            index = (pa - base) // PAGE
            if not 0 <= index < nframes:
                raise gdb.GdbError(f"0x{pa:x} is not one of the pager's {nframes} "
                                   f"frames from 0x{base:x}")
            table = pager_var("'frames.c'::table")
            desc = int(table) + index * table.type.target().sizeof
            print(f"frame {index} (0x{pa:x}): "
                  + str(read_pa(pager_pa(desc), table.type.target())))
        with_pager(show)


class PkUser(gdb.Command):
    """pk-user NAME: load the symbols of program NAME (pager, virtio_blk, init,
    tests...) in place of the running one's, e.g. to set a breakpoint in it."""

    def __init__(self):
        super().__init__("pk-user", gdb.COMMAND_FILES)

    def invoke(self, arg, from_tty):
        if not UserSymbols.use(arg.strip()):
            raise gdb.GdbError(f"no program '{arg.strip()}' in {BUILD}")


class PkBreak(gdb.Command):
    """pk-break PROGRAM LOCATION: a breakpoint that stops only in PROGRAM.
    Every program is linked at the same addresses, so a plain breakpoint at a
    user address stops whichever program runs there."""

    def __init__(self):
        super().__init__("pk-break", gdb.COMMAND_BREAKPOINTS)

    def invoke(self, arg, from_tty):
        prog, _, location = arg.strip().partition(" ")
        if not location or not UserSymbols.use(prog):
            raise gdb.GdbError("usage: pk-break PROGRAM LOCATION (a program in the build)")
        gdb.execute(f'break {location} if $pk_running("{prog}")')


for command in (PkRunning, PkFollow, PkProc, PkRunq, PkVmstat, PkFrame, PkUser, PkBreak):
    command()
gdb.events.stop.connect(Follow.on_stop)
gdb.events.before_prompt.connect(Follow.now)
