/* Test-only: keep a file open the way Excel keeps an open workbook (others may read it,
 * nobody may write, rename over or delete it) until standard input closes. NEVER SHIPPED.
 *
 *   hold_open.exe FILE      prints "ready" once the file is open, exits at end of input.
 *
 * tests/wine/run uses it to prove that profplan.exe, asked to replace a summary that is
 * "open in Excel", says so in Russian, keeps the old file and exits with 2.
 */
#include <windows.h>
#include <stdio.h>

int wmain(int argc, wchar_t **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: hold_open FILE\n");
        return 2;
    }
    HANDLE h = CreateFileW(argv[1], GENERIC_READ, FILE_SHARE_READ, NULL, OPEN_EXISTING,
                           FILE_ATTRIBUTE_NORMAL, NULL);
    if (h == INVALID_HANDLE_VALUE) {
        fprintf(stderr, "hold_open: cannot open file, error %lu\n", GetLastError());
        return 2;
    }
    printf("ready\n");
    fflush(stdout);
    while (getchar() != EOF) {
    }
    CloseHandle(h);
    return 0;
}
