// SPDX-License-Identifier: MIT
/*
 * Writes the bytes of one configuration vector to stdout. Built with
 *   gcc -I hypervisor/include -include VECTOR.c emit.c
 * where VECTOR.c defines `config`, an initialiser written against
 * hypervisor/include/jailhouse/cell-config.h, the way .cell files are written
 * in C; the ABI test generates VECTOR.c from a YAML config with
 * test/support/c-initializer.ts and compares these bytes with the TypeScript
 * encoder's.
 */
#include <stdio.h>

int main(void)
{
	return fwrite(&config, sizeof(config), 1, stdout) == 1 ? 0 : 1;
}
