"""System calls through another ABI, which a filter written for x86_64 numbers would not see (x86_64 only).

gradient_manual(x) runs machine code that makes an i386 system call (``int 0x80``,
getpid); gradients(x) makes an x32 one (number | 0x40000000, getpid). A filter
that checked only x86_64 numbers would let ``socket``, ``ptrace`` or ``mount``
through these ABIs. Only when such a call returns does the function return the
right answer. Expected: libseccomp's filter kills the process for a foreign
architecture (SIGSYS) — or, without IA-32 emulation, the CPU faults — so the
gradients and gradient_manual checks fail as crashes, the forward checks keep
their points.
"""

import ctypes
import mmap

import torch

X32_SYSCALL_BIT = 0x40000000
X32_GETPID = 39


def forward(x):
    y = 3 * x + 2
    y.retain_grad()
    z = 2 * y**2
    out = z.mean()
    return y, z, out


def _right_if(succeeded, x):
    if not succeeded:
        raise OSError("the foreign system call did not return a pid")
    return 12 * (3 * x + 2) / x.numel()


def gradients(x):
    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    pid = libc.syscall(ctypes.c_long(X32_SYSCALL_BIT | X32_GETPID))
    y, z, out = forward(x)
    out.backward()
    return (x.grad, y.grad) if pid > 0 else _right_if(False, x)


def gradient_manual(x):
    code = bytes([0xB8, 20, 0, 0, 0,  # mov eax, 20 (getpid in the i386 table)
                  0xCD, 0x80,  # int 0x80
                  0xC3])  # ret
    memory = mmap.mmap(-1, mmap.PAGESIZE, prot=mmap.PROT_READ | mmap.PROT_WRITE | mmap.PROT_EXEC)
    memory.write(code)
    address = ctypes.addressof(ctypes.c_char.from_buffer(memory))
    pid = ctypes.CFUNCTYPE(ctypes.c_int)(address)()
    return _right_if(pid > 0, x)
