/* Test-only stand-in for bcryptprimitives.dll under Wine 8 (Debian 12). NEVER SHIPPED.
 *
 * Rust's standard library imports ProcessPrng from bcryptprimitives.dll (Windows 10 and
 * later have it); Wine 8.0 has no such DLL, so profplan.exe would not start there. Placed
 * beside the exe by tests/wine/run, this DLL exports ProcessPrng on top of RtlGenRandom
 * (advapi32!SystemFunction036), which Wine does have.
 *
 * Built by tests/wine/run:
 *   x86_64-w64-mingw32-gcc -shared -O2 -o bcryptprimitives.dll processprng_shim.c -ladvapi32
 */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len)
{
    while (len > 0) {
        ULONG chunk = len > 0x10000000 ? 0x10000000 : (ULONG)len;
        if (!SystemFunction036(data, chunk))
            return FALSE;
        data += chunk;
        len -= chunk;
    }
    return TRUE;
}
