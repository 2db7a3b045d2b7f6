/* forksafe: naming code addresses for reports, as a debugger names them.
 *
 * dladdr knows only the dynamic symbols; the functions of an ordinary
 * executable (static ones, and every one of a program not linked with
 * -rdynamic) are only in its .symtab.  And what dladdr returns points
 * into the object, which another thread may dlclose at once.  So:
 * dl_iterate_phdr finds the object and its load bias, copying its name
 * under the loader's lock; the object's file is mapped read-only and its
 * .symtab (else .dynsym) searched.  A stripped object gives
 * "file+0xOFFSET".
 *
 * No malloc, no stdio, no lock of forksafe's (dl_iterate_phdr, or in a
 * fork child dladdr, takes a loader's lock briefly); every offset read
 * from the file is checked against its size, so a damaged file gives "no
 * symbol", never a crash. */
#include "config.h"
#include "core/core.h"
#include "diag/diag.h"
#include <dlfcn.h>
#include <elf.h>
#include <fcntl.h>
#include <link.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

struct found {
	const char *name;	/* in the mapped file; valid until unmapped */
	uintptr_t offset;
};

/* s[off .. off+len) lies inside a file of size size. */
static int inside(size_t size, uint64_t off, uint64_t len)
{
	return off <= size && len <= size - off;
}

/* Searches one symbol table section for the function covering addr (an
 * address as the file sees it).  A symbol with no size covers up to the
 * next symbol. */
static int search_symtab(const unsigned char *f, size_t size, const Elf64_Shdr *sh,
			 const Elf64_Shdr *strsh, uint64_t addr, struct found *out)
{
	const Elf64_Sym *best = NULL;

	if (sh->sh_entsize != sizeof(Elf64_Sym) || !inside(size, sh->sh_offset, sh->sh_size) ||
	    !inside(size, strsh->sh_offset, strsh->sh_size))
		return 0;
	for (uint64_t i = 0; i < sh->sh_size / sizeof(Elf64_Sym); i++) {
		const Elf64_Sym *s = (const Elf64_Sym *)(f + sh->sh_offset) + i;
		int type = ELF64_ST_TYPE(s->st_info);
		if ((type != STT_FUNC && type != STT_GNU_IFUNC) || s->st_shndx == SHN_UNDEF ||
		    s->st_value > addr)
			continue;
		if (s->st_size && addr >= s->st_value + s->st_size)
			continue;
		/* The nearest symbol, a sized one first; at one address, a
		 * global one (the name dladdr would give) over a local alias. */
		if (!best || s->st_value > best->st_value || (s->st_size && !best->st_size) ||
		    (s->st_value == best->st_value && !s->st_size == !best->st_size &&
		     ELF64_ST_BIND(s->st_info) != STB_LOCAL &&
		     ELF64_ST_BIND(best->st_info) == STB_LOCAL))
			best = s;
	}
	if (!best || best->st_name >= strsh->sh_size)
		return 0;
	const char *name = (const char *)f + strsh->sh_offset + best->st_name;
	if (!memchr(name, '\0', strsh->sh_size - best->st_name) || !*name)
		return 0;
	out->name = name;
	out->offset = addr - best->st_value;
	return 1;
}

/* The .symtab (else .dynsym) of a mapped ELF64 file. */
static int search_file(const unsigned char *f, size_t size, uint64_t addr, struct found *out)
{
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)f;

	if (size < sizeof *eh || memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0 ||
	    eh->e_ident[EI_CLASS] != ELFCLASS64 || eh->e_shentsize != sizeof(Elf64_Shdr) ||
	    !inside(size, eh->e_shoff, (uint64_t)eh->e_shnum * sizeof(Elf64_Shdr)))
		return 0;
	const Elf64_Shdr *sh = (const Elf64_Shdr *)(f + eh->e_shoff);
	for (int want = SHT_SYMTAB; want; want = want == SHT_SYMTAB ? SHT_DYNSYM : 0) {
		for (int i = 0; i < eh->e_shnum; i++) {
			if (sh[i].sh_type != (unsigned)want || sh[i].sh_link >= eh->e_shnum)
				continue;
			if (search_symtab(f, size, &sh[i], &sh[sh[i].sh_link], addr, out))
				return 1;
		}
	}
	return 0;
}

/* Looks addr up in the file at path and appends "name+offset", the
 * offset from the symbol to addr + delta. */
static int symbolize_file(const char *path, uint64_t addr, uint64_t delta, struct fs_sbuf *out)
{
	struct stat st;
	struct found fnd;
	int fd, ok = 0;

	fd = REAL(open)(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	if (fstat(fd, &st) == 0 && st.st_size > 0) {
		void *m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
		if (m != MAP_FAILED) {
			if (search_file(m, (size_t)st.st_size, addr, &fnd)) {
				fs_sb_str(out, fnd.name);
				fs_sb_char(out, '+');
				fs_sb_hex(out, fnd.offset + delta);
				ok = 1;
			}
			munmap(m, (size_t)st.st_size);
		}
	}
	REAL(close)(fd);
	return ok;
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? slash + 1 : path;
}

/* The loaded object holding an address, copied while the loader holds
 * its lock (dl_iterate_phdr): another thread may dlclose the object the
 * moment the lock is released, freeing its name and unmapping its
 * symbol tables, so nothing of the loader's is read after. */
struct object {
	uintptr_t look;
	uintptr_t bias;		/* l_addr: file address + bias = address */
	uintptr_t start;	/* where its first segment is mapped */
	int found, is_main;
	char name[512];
};

/* Records the object found, copying its name (the main program's is
 * empty: symbolize_at reads /proc/self/exe). */
static void set_object(struct object *o, uintptr_t bias, uintptr_t start, const char *name)
{
	o->found = 1;
	o->bias = bias;
	o->start = start;
	o->is_main = !name || !*name;
	if (!o->is_main) {
		size_t n = strnlen(name, sizeof o->name - 1);
		memcpy(o->name, name, n);
		o->name[n] = '\0';
	}
}

static int find_object(struct dl_phdr_info *info, size_t size, void *arg)
{
	struct object *o = arg;
	uintptr_t first = UINTPTR_MAX;
	int inside = 0;

	(void)size;
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		uintptr_t start = info->dlpi_addr + ph->p_vaddr;
		if (ph->p_type != PT_LOAD)
			continue;
		if (start < first)
			first = start;
		if (o->look >= start && o->look - start < ph->p_memsz)
			inside = 1;
	}
	if (!inside)
		return 0;
	set_object(o, info->dlpi_addr, first & ~(uintptr_t)4095, info->dlpi_name);
	return 1;
}

/* In the child of a fork, dl_iterate_phdr's lock (the loader's write
 * lock, which glibc does not reset in the child) may have been held by a
 * thread of the parent that is gone: the child would wait forever.
 * There, dladdr (whose lock glibc resets) is asked instead, and its
 * answer copied at once: no other thread of this process can unload
 * anything meanwhile. */
static int find(struct object *o)
{
	Dl_info info;
	struct link_map *lm = NULL;

	if (!(fs_where & FS_W_FORKED))
		return dl_iterate_phdr(find_object, o) && o->found;
	if (!dladdr1((void *)o->look, &info, (void **)&lm, RTLD_DL_LINKMAP) || !lm)
		return 0;
	set_object(o, lm->l_addr, (uintptr_t)info.dli_fbase, lm->l_name);
	return 1;
}

/* look is the address searched: pc itself, or pc - 1 for a return
 * address, which lies just past the end of a function whose last
 * instruction is a call (a call to a noreturn function), as debuggers
 * know.  Offsets are printed from pc.  The symbol comes from the
 * object's file (.symtab, else .dynsym), never from the loader's
 * tables (see struct object). */
static int symbolize_at(uintptr_t pc, uintptr_t look, struct fs_sbuf *out)
{
	struct object o = { .look = look };
	const char *path;
	int found;

	if (!look || !find(&o)) {
		fs_sb_hex(out, pc);
		return 0;
	}
	path = o.name;
	if (o.is_main) {
		/* The main program: its map has no name. */
		ssize_t n = readlink("/proc/self/exe", o.name, sizeof o.name - 1);
		o.name[n > 0 ? n : 0] = '\0';
	}
	found = *path && symbolize_file(path, look - o.bias, pc - look, out);
	if (found) {
		fs_sb_str(out, " (");
		fs_sb_str(out, base_name(path));
		fs_sb_char(out, ')');
	} else {
		fs_sb_str(out, *path ? base_name(path) : "?");
		fs_sb_char(out, '+');
		fs_sb_hex(out, pc - o.start);
	}
	return found;
}

int fs_symbolize(uintptr_t pc, struct fs_sbuf *out)
{
	return symbolize_at(pc, pc ? pc - 1 : pc, out);
}

int fs_symbolize_code(uintptr_t pc, struct fs_sbuf *out)
{
	return symbolize_at(pc, pc, out);
}
