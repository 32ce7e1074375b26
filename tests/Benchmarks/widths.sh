# Sourced by compare.sh and compare-published.sh: the vector widths this machine can run, and the environment that
# holds .NET to each. Sets ARCH and AVAILABLE; defines width_env and check_widths.
#
# x64 has 128-bit SSE always, 128-bit with FMA and 256 with AVX2, 512 with AVX-512F; ARM64 runs 128 (with FMA) natively.
FLAGS=$(grep -m1 -E '^(flags|Features)' /proc/cpuinfo || true)
ARCH=$(uname -m)
AVAILABLE="128"
if [ "$ARCH" = x86_64 ]; then
  AVAILABLE="128sse"
  echo "$FLAGS" | grep -qw avx2 && AVAILABLE="128 $AVAILABLE"  # .NET 10 enables FMA together with AVX2
  echo "$FLAGS" | grep -qw avx2 && AVAILABLE="256 $AVAILABLE"
  echo "$FLAGS" | grep -qw avx512f && AVAILABLE="512 $AVAILABLE"
fi

# check_widths NAME "512 256": exits with a message when a width is not one this machine has.
check_widths() {
  for w in $2; do
    case " $AVAILABLE " in *" $w "*) ;; *) echo "$1: this machine ($ARCH) cannot run width mode $w (it has: $AVAILABLE)" >&2; exit 2 ;; esac
  done
}

# The environment that holds .NET to a width (the widest the machine has needs none). VectorWidth.EnvironmentFor
# (VectorWidth.cs, for --paired --against-width) sets the same: keep the two alike.
width_env() {
  case "$1" in
    512) echo "" ;;
    # .NET 10 ignores DOTNET_EnableAVX512F (Vector512 stays accelerated); DOTNET_EnableAVX512=0 is the knob it reads.
    # Both are set, so older runtimes are held to 256 bits too; the width is checked by each benchmark either way.
    256) echo "DOTNET_EnableAVX512F=0 DOTNET_EnableAVX512=0" ;;
    # 128: no vector wider than 128 bits, FMA kept (ARM64's NEON has it); 128sse: x64 without AVX, so without FMA.
    128) [ "$ARCH" = x86_64 ] && echo "DOTNET_PreferredVectorBitWidth=128" || echo "" ;;
    128sse) echo "DOTNET_EnableAVX=0" ;;
  esac
}
