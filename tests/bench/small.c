#include <stdio.h>
#include <stdlib.h>
#include <string.h>
struct item { char name[32]; int count; };
static int cmp(const void *a, const void *b)
{
	const struct item *x = a, *y = b;
	return x->count != y->count ? y->count - x->count : strcmp(x->name, y->name);
}
int main(int argc, char **argv)
{
	struct item items[64];
	int n = 0;
	for (int i = 1; i < argc && n < 64; i++, n++) {
		snprintf(items[n].name, sizeof items[n].name, "%s", argv[i]);
		items[n].count = (int)strlen(argv[i]);
	}
	qsort(items, n, sizeof items[0], cmp);
	for (int i = 0; i < n; i++)
		printf("%-32s %d\n", items[i].name, items[i].count);
	return 0;
}
