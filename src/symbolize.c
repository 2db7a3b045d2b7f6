/* forksafe: naming code addresses (interim: dynamic symbols via dladdr). */
#include "config.h"
#include "symbolize.h"
#include <dlfcn.h>
#include <string.h>

int fs_symbolize(uintptr_t pc, struct fs_sbuf *out)
{
	Dl_info info;
	const char *base;

	if (!dladdr((void *)pc, &info) || !info.dli_fname) {
		fs_sb_hex(out, pc);
		return 0;
	}
	base = strrchr(info.dli_fname, '/');
	base = base ? base + 1 : info.dli_fname;
	if (info.dli_sname) {
		fs_sb_str(out, info.dli_sname);
		fs_sb_char(out, '+');
		fs_sb_hex(out, pc - (uintptr_t)info.dli_saddr);
		fs_sb_str(out, " (");
		fs_sb_str(out, base);
		fs_sb_char(out, ')');
		return 1;
	}
	fs_sb_str(out, base);
	fs_sb_char(out, '+');
	fs_sb_hex(out, pc - (uintptr_t)info.dli_fbase);
	return 0;
}
