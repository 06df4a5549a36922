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

# What the helpers read, by name: (variable, the file whose static it is,
# or None for a global). When one is renamed or moved, the helper that
# reads it fails naming it (Variable.find); mend it here.
KERNEL_RUNNING = ("sched_running", None)      # kernel/sched.c: the running thread
KERNEL_RUNQ = ("runq", "kernel/sched.c")       # the ready threads, a queue per priority
KERNEL_MEMMAP = ("memmap", None)               # kernel/memmap.c: root_image, the pager's frames
PAGER_FRAMES = ("frames_at", None)             # pager/vm/frames.h: the frame table
PAGER_COUNTS = ("vmstat_counts", None)         # pager/base/vmstat.h: a count per item
PAGER_GAUGES = ("gauges", "base/vmstat.c")     # the items read from their owners instead
# A gauge is a function of its owner's (pager/base/vmstat.h, vmstat_gauge):
# gdb cannot call it in a stopped guest, so pk-vmstat reads the owner's
# variable (or a field of one) where the function only returns it; the
# other gauges it names and does not show.
GAUGE_VARIABLES = {
    "VMSTAT_FRAMES_TOTAL": ("managed", "vm/frames.c"),          # frames_total()
    "VMSTAT_FRAMES_FREE": ("nfree", "vm/frames.c"),             # frames_free()
    "VMSTAT_FRAMES_FREE_LOWEST": ("lowest", "vm/frames.c"),     # frames_lowest_free()
    "VMSTAT_PRESSURE_LEVEL": ("level", "reclaim/pressure.c"),   # level_now()
    "VMSTAT_SWAPOUT_REFUSED": ("outq.refused", "swap/writer.c"),  # refused()
    "VMSTAT_SWAPIN_REFUSED": ("inq.refused", "swap/in.c"),      # refused()
}


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


# ---- symbols ----

def objfile(path):
    """The gdb.Objfile of the ELF at path (its symbols must be loaded)."""
    want = os.path.realpath(path)
    for o in gdb.objfiles():
        if o.filename and os.path.realpath(o.filename) == want:
            return o
    raise gdb.GdbError(f"the symbols of {path} are not loaded")


def in_file(sym, file):
    """Whether sym's compilation unit is file ("vm/frames.c": a path's tail)."""
    name = sym.symtab.filename
    return name == file or name.endswith("/" + file)


def lto_definition(decl):
    """The address of the variable decl declares, under link-time
    optimisation. GCC then describes a variable twice: in its own file's
    unit, where gdb finds it by name but no address is (gdb says "optimized
    out"), and in the link's unit, with the address and the first's name,
    line and type, but gdb takes that unit for another file. So: the
    definitions in the same objfile whose name, line and type are decl's
    (the addresses; one, unless two files' statics look alike)."""
    found = set()
    for some in gdb.lookup_static_symbols(decl.name):
        if some.symtab.objfile != decl.symtab.objfile:
            continue
        for sym in some.symtab.static_block():
            if (sym.name == decl.name and sym.addr_class == gdb.SYMBOL_LOC_STATIC
                    and sym.line == decl.line and str(sym.type) == str(decl.type)):
                found.add(int(sym.value().address))
    return found


def symbol_address(elf, decl):
    """The address gdb's own lookup gives the global decl names (it reads
    the ELF symbol table too), if that is a symbol of that name in elf and
    of decl's type; else None. For a global whose declaration gdb finds at
    a header's extern, not at the definition lto_definition matches (which
    unit gdb finds first changes with the link)."""
    try:
        ref = gdb.parse_and_eval(f"&'{decl.name}'")
        where = gdb.execute(f"info symbol {int(ref):#x}", to_string=True).strip()
    except gdb.error:
        return None
    if str(ref.type.target()) != str(decl.type) or not where.startswith(f"{decl.name} in section "):
        return None
    if " of " in where and os.path.realpath(where.rsplit(" of ", 1)[1]) != os.path.realpath(elf):
        return None
    return int(ref)


def variable(elf, name, file=None):
    """(address, type) of the variable called name in the program elf: a
    global, or with file the static of that file. Fails naming what it
    could not find, rather than a helper showing a wrong or zero value."""
    obj = objfile(elf)
    what = f"'{name}' ({file}'s static)" if file else f"global '{name}'"
    if file:
        decls = [s for s in gdb.lookup_static_symbols(name)
                 if s.symtab.objfile == obj and in_file(s, file)]
    else:
        decls = [s for s in [obj.lookup_global_symbol(name)] if s]
    if not decls:
        raise gdb.GdbError(f"no variable {what} in {os.path.basename(elf)}: "
                           f"scripts/gdb.py needs to learn its new name")
    decl = decls[0]
    if decl.addr_class == gdb.SYMBOL_LOC_STATIC:
        return int(decl.value().address), decl.type
    found = lto_definition(decl)
    if not found and not file:
        addr = symbol_address(elf, decl)
        found = set() if addr is None else {addr}
    if len(found) != 1:
        why = "optimised out?" if not found else f"{len(found)} alike: {sorted(map(hex, found))}"
        raise gdb.GdbError(f"variable {what} in {os.path.basename(elf)}: no one address "
                           f"gdb can find ({why})")
    return found.pop(), decl.type


def kernel_elf():
    return f"{BUILD}/kernel/kernel.elf"


def kernel_var(ref):
    """The kernel's variable ref (a (name, file) pair from the top of this
    file): its address comes from the symbols, its bytes from RAM."""
    address, gdbtype = variable(kernel_elf(), *ref)
    return read_pa(kernel_pa(address), gdbtype)


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
    t = kernel_var(KERNEL_RUNNING)
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
            runq = kernel_var(KERNEL_RUNQ)
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
    base = int(kernel_var(KERNEL_MEMMAP)["root_image"]["base"])
    pages = 0
    for vaddr, memsz in pager_segments():
        first, end = vaddr // PAGE, (vaddr + memsz + PAGE - 1) // PAGE
        if first <= va // PAGE < end:
            return base + (pages + va // PAGE - first) * PAGE + va % PAGE
        pages += end - first
    raise gdb.GdbError(f"0x{va:x} is not in the pager's image or physmap")


def pager_var(ref):
    """The pager's variable ref (a (name, file) pair, as kernel_var's; the
    name may go on to a field, "outq.refused"), whichever process runs.
    Inside Physical, with the pager's symbols loaded."""
    name, *fields = ref[0].split(".")
    address, gdbtype = variable(program_elf("pager"), name, ref[1])
    value = read_pa(pager_pa(address), gdbtype)
    for f in fields:
        if not any(have.name == f for have in value.type.strip_typedefs().fields()):
            raise gdb.GdbError(f"{ref[1]}'s {name} has no field '{f}' any more")
        value = value[f]
    return value


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


def gauge_reader(address):
    """The name of the pager's function at address (a gauge's reader)."""
    where = gdb.execute(f"info symbol 0x{address:x}", to_string=True).split()
    if not where or where[0] == "No":
        return f"0x{address:x}"
    return where[0].split(".lto_priv")[0]     # the link's name for one of several statics


def vmstat_items():
    """Every item vmstat reports, in order: (its name in vmstat's output,
    its enum vmstat_item name, its index)."""
    try:
        fields = gdb.lookup_type("enum vmstat_item").fields()
    except gdb.error:
        raise gdb.GdbError("no enum vmstat_item in the pager's symbols (pager/base/vmstat.h)")
    reported = next((f.enumval for f in fields if f.name == "VMSTAT_REPORTED"), None)
    if reported is None:
        raise gdb.GdbError("enum vmstat_item has no VMSTAT_REPORTED any more")
    return [(f.name[len("VMSTAT_"):].lower(), f.name, f.enumval)
            for f in fields if f.enumval < reported]


class PkVmstat(gdb.Command):
    """pk-vmstat: the pager's statistics under vmstat's names (docs/vmstat.md),
    read from its memory: each count, and each gauge (a level its owner
    computes when vmstat asks) read from its owner's variable where it is
    one, otherwise named and not shown."""

    def __init__(self):
        super().__init__("pk-vmstat", gdb.COMMAND_DATA)

    def invoke(self, arg, from_tty):
        def show():
            counts = pager_var(PAGER_COUNTS)
            gauges = pager_var(PAGER_GAUGES)
            for name, item, e in vmstat_items():
                if not int(gauges[e]):
                    print(f"{name} {int(counts[e])}")
                elif item in GAUGE_VARIABLES:
                    var, file = GAUGE_VARIABLES[item]
                    print(f"{name} {int(pager_var(GAUGE_VARIABLES[item]))}"
                          f"  (gauge: {file}'s {var})")
                else:
                    print(f"{name} -  (gauge: {gauge_reader(int(gauges[e]))}() computes it; "
                          f"not shown)")
        with_pager(show)


class PkFrame(gdb.Command):
    """pk-frame PA: the pager's descriptor of the frame at physical address PA
    (struct frame in pager/vm/frames.h: free-list links, reverse map, swap
    slot, shared object, state and flags)."""

    def __init__(self):
        super().__init__("pk-frame", gdb.COMMAND_DATA)

    def invoke(self, arg, from_tty):
        if not arg:
            raise gdb.GdbError("usage: pk-frame PHYSICAL-ADDRESS")
        pa = int(gdb.parse_and_eval(arg))

        def show():
            at = pager_var(PAGER_FRAMES)
            base, span, table = int(at["base"]), int(at["span"]), at["table"]
            if span == 0:
                raise gdb.GdbError("the pager has no frame table yet (frames_init)")
            index = (pa - base) // PAGE
            if not 0 <= pa - base < span:
                raise gdb.GdbError(f"0x{pa:x} is not one of the pager's {span // PAGE} "
                                   f"frames from 0x{base:x}")
            desc_type = table.type.target()
            desc = int(table) + index * desc_type.sizeof
            print(f"frame {index} (0x{pa:x}): " + str(read_pa(pager_pa(desc), desc_type)))
        with_pager(show)


class PkUser(gdb.Command):
    """pk-user NAME: load the symbols of program NAME (pager, virtio_blk, init,
    tests...) in place of the running one's, e.g. to set a breakpoint in it."""

    def __init__(self):
        super().__init__("pk-user", gdb.COMMAND_FILES)

    def invoke(self, arg, from_tty):
        name = arg.strip()
        if not program_elf(name):
            raise gdb.GdbError(f"no program '{name}' in {BUILD}")
        UserSymbols.use(name)     # or says why it keeps the symbols it has


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
