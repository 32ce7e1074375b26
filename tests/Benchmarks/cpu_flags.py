"""What the CPU offers, for the PyTorch peers (torch_peer.py, torch_sweep.py) to pick the kernels they compare against."""


def has_avx512():
    """Whether this CPU has AVX-512F (the flag OpenBLAS's and ATen's AVX-512 kernels need)."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            return any(line.startswith("flags") and " avx512f" in line for line in info)
    except OSError:
        return False
